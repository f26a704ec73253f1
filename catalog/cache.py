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
from django.http import HttpResponse
from django.middleware.csrf import get_token

from comments.cookies import remembered_author
from comments.forms import sign_timestamp

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


# Parts of a page that differ per visitor even when the catalogue has not changed.
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
FORM_TIMESTAMP = re.compile(r'(name="timestamp" value=")[^"]*(")')
CSRF_SLOT, TIMESTAMP_SLOT = r"\g<1>__csrf__\g<2>", r"\g<1>__timestamp__\g<2>"
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
            content, content_type = stored
            response = HttpResponse(fill_slots(content, request), content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            content = FORM_TIMESTAMP.sub(TIMESTAMP_SLOT, CSRF_INPUT.sub(CSRF_SLOT, response.content.decode()))
            cache.set(key, (content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def fill_slots(content, request):
    if "__csrf__" in content:
        # Each call masks the token afresh and makes the middleware set the CSRF cookie.
        content = content.replace("__csrf__", get_token(request))
    if "__timestamp__" in content:
        content = content.replace("__timestamp__", sign_timestamp())
    return content
