"""One version number for everything the catalogue pages show.

Any edit (in the admin, by a command, a new or moderated comment) bumps it, so every cached page and
fragment keyed on it is stale at once — no list of keys to hunt down. Every server process must see
the same number: it lives in the shared cache (Redis) when there is one, otherwise in a small file,
since each process has its own local-memory cache.
"""

import hashlib
import os
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from comments.cookies import remembered_author
from comments.forms import sign_timestamp

from .models import OST, card_prefetches

VERSION_KEY = "catalogue-version"


def catalogue_version():
    if settings.CATALOGUE_VERSION_FILE:
        try:
            return settings.CATALOGUE_VERSION_FILE.read_text() or "0"
        except FileNotFoundError:
            return "0"
    version = cache.get(VERSION_KEY)
    if version is None:
        # Time-based, so an emptied cache never brings back an old number.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_catalogue_version(**kwargs):
    version = str(time.time_ns())
    if settings.CATALOGUE_VERSION_FILE:
        # Written whole and renamed into place, so a reader never sees half a number.
        path = settings.CATALOGUE_VERSION_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}")
        temporary.write_text(version)
        os.replace(temporary, path)
    else:
        cache.set(VERSION_KEY, version, timeout=None)


def cached(key, build, timeout=3600):
    """`build()` once per catalogue version."""
    full_key = f"{key}:{catalogue_version()}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, timeout)
    return value


def ost_cards(osts, timeout=3600):
    """Each OST's card as HTML, rendered once per catalogue version. `osts` are OSTs or their ids.

    Many list pages (each filter, each page number) show the same cards, so even a page the page cache
    has never seen is mostly put together from cards already made: the OSTs' ids are enough to find
    them. Only the cards not yet cached need the related rows; OSTs given without them (ids, or rows
    from `card_ids()`) are fetched with them, in one query.
    """
    osts = list(osts)
    ids = [ost.pk if isinstance(ost, OST) else ost for ost in osts]
    version = catalogue_version()
    keys = {pk: f"card:{version}:{pk}" for pk in ids}
    found = cache.get_many(keys.values())
    missing = {pk for pk in ids if keys[pk] not in found}
    if missing:
        complete = {
            ost.pk: ost
            for ost in osts
            if isinstance(ost, OST) and OST.show.is_cached(ost) and OST.artist.is_cached(ost) and ost.pk in missing
        }
        bare = [pk for pk in missing if pk not in complete]
        if bare:
            # An OST deleted since the page's query gets no card.
            complete.update(OST.objects.for_cards().in_bulk(bare))
        prefetch_related_objects(list(complete.values()), *card_prefetches())
        made = {keys[pk]: render_to_string("includes/ost_card.html", {"ost": ost}) for pk, ost in complete.items()}
        cache.set_many(made, timeout)
        found.update(made)
    return [mark_safe(found[keys[pk]]) for pk in ids if keys[pk] in found]


# Parts of a page that differ per visitor even when the catalogue has not changed.
CSRF_INPUT = re.compile(r'(?<=name="csrfmiddlewaretoken" value=")[^"]*(?=")')
FORM_TIMESTAMP = re.compile(r'(?<=name="timestamp" value=")[^"]*(?=")')
CSRF_SLOT, TIMESTAMP_SLOT = "\x00csrf\x00", "\x00timestamp\x00"
SLOTS = re.compile("(\x00csrf\x00|\x00timestamp\x00)")
# A page built for one reader: their reply link, their comment awaiting moderation, their saved details.
PERSONAL_PARAMS = {"replytocom", "unapproved", "moderation-hash"}


def is_cacheable(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not PERSONAL_PARAMS & request.GET.keys()
        and not remembered_author(request.COOKIES)
        # A refused comment shown again with the reader's text and errors: never served or stored.
        and getattr(request, "comment_form", None) is None
    )


def cache_catalogue_page(view):
    """Serve the page from the cache until the catalogue changes.

    The CSRF token and the comment form's signed timestamp are cut out before storing and made fresh for
    each visitor, so a cached page still takes comments.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_cacheable(request):
            return view(request, *args, **kwargs)
        # The host is part of the key: pages carry absolute canonical and social URLs.
        url = request.build_absolute_uri()
        path = hashlib.sha256(url.encode()).hexdigest()
        key = f"page:{catalogue_version()}:{path}"
        stored = cache.get(key)
        if stored is not None:
            pieces, content_type = stored
            response = HttpResponse(fill_slots(pieces, request), content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            cache.set(key, (cut_slots(response.content.decode()), response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def cut_slots(content):
    """The page as encoded pieces with the per-visitor values left out: text, slot name, text, ...

    Kept as bytes, so a hit joins a few byte strings instead of searching and encoding the whole page.
    """
    content = FORM_TIMESTAMP.sub(TIMESTAMP_SLOT, CSRF_INPUT.sub(CSRF_SLOT, content))
    return [piece.encode() for piece in SLOTS.split(content)]


def fill_slots(pieces, request):
    if len(pieces) == 1:
        return pieces[0]
    # get_token masks the token afresh for each call and makes the middleware set the CSRF cookie.
    values = {CSRF_SLOT: get_token(request).encode(), TIMESTAMP_SLOT: sign_timestamp().encode()}
    # re.split puts the slot names at the odd places.
    return b"".join(values[piece.decode()] if i % 2 else piece for i, piece in enumerate(pieces))
