"""The page cache: whole pages kept in the shared cache until what they show changes.

Versions. Every cached page and fragment is keyed on version numbers kept in the `versions` cache:
- the site version, which every page depends on: bumped by a change that may show anywhere, and by every migrate;
- the lists version, which the pages that list or count across the whole catalogue depend on (declared with
  `cache_page(lists=True)`): bumped by the changes that only those and a few known pages show;
- each page's own version, named by its path: bumped when something that page shows changes (a comment
  appearing or going on it, an OST it lists edited).
A new version makes everything keyed on the old one unreachable at once; nothing is deleted, the old entries
age out under the cache's size bound. Versions are bumped after the transaction commits: bumped before, a
reader could render the old rows in between and store them under the new version.

What is stored is decided by the response, as Django's own cache middleware does:
- a response marked `Cache-Control: private` (or no-store, no-cache) is for one reader and is never stored;
- `vary_on_cookies(response, names)`: the page is shared only with readers who have none of those cookies
  (for them the view would personalise it);
- in a shared page, per-visitor values (the CSRF token, and the hidden inputs registered with
  `per_visitor_input`) are cut out before storing and filled in afresh for every response, stored or not; so a
  shared page may carry any value there, e.g. a fragment rendered once per process.
"""

import contextvars
import hashlib
import re
import threading
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

SITE = "site"
LISTS = "lists"
PAGE_HEADER = "X-Page-Cache"

# The versions read by the current request, so each is read once per request however many fragments use it.
_request_versions = contextvars.ContextVar("page_cache_versions", default=None)


def _version_key(scope):
    return f"version:{scope}"


def page_scope(path):
    return f"page:{path}"


def versions(*scopes):
    """The current version of each scope, read in one round trip."""
    memo = _request_versions.get()
    wanted = [scope for scope in scopes if memo is None or scope not in memo]
    found = {}
    if wanted:
        store = caches["versions"]
        stored = store.get_many([_version_key(scope) for scope in wanted])
        for scope in wanted:
            value = stored.get(_version_key(scope))
            if value is None and scope == SITE:
                # Time-based, so a lost site version never brings back pages stored under an older one.
                store.add(_version_key(scope), time.time_ns(), timeout=None)
                value = store.get(_version_key(scope))
            # A page whose version was never bumped is at 0: nothing is stored for the paths readers (or robots)
            # merely visit, and if the versions were lost, the new site version makes every key new anyway.
            found[scope] = 0 if value is None else value
        if memo is not None:
            memo.update(found)
    return [found[scope] if scope in found else memo[scope] for scope in scopes]


def site_version():
    return versions(SITE)[0]


def cached(key, build, timeout=3600, page=None, lists=False):
    """`build()` once per site version (and per lists version, or version of the page at path `page`, if given).

    For the pieces many pages share: cards, counts, lineups. Views call it; templates only show the result.
    """
    scopes = (SITE, *([LISTS] if lists else []), *([page_scope(page)] if page is not None else []))
    full_key = ":".join([key, *map(str, versions(*scopes))])
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, timeout)
    return value


# Invalidation --------------------------------------------------------------------------------------------

_pending = threading.local()


def invalidate_site():
    """Every page and fragment is stale once the current transaction commits: an editor changed the catalogue."""
    _invalidate({SITE})


def invalidate_pages(*paths, lists=False):
    """The pages at these paths (and their own fragments), and with `lists` every page declared as a list, are
    stale once the current transaction commits."""
    _invalidate({page_scope(path) for path in paths} | ({LISTS} if lists else set()))


def _invalidate(scopes):
    # Collected per thread and bumped together when the transaction commits: a bulk action that touches a
    # hundred rows bumps each version once.
    pending = _pending.__dict__.setdefault("scopes", set())
    pending.update(scopes)
    transaction.on_commit(_bump_pending)


def _bump_pending():
    scopes = _pending.__dict__.pop("scopes", set())
    if scopes:
        bump(*scopes)


def bump(*scopes):
    """New versions for `scopes` now (outside any transaction: after a migrate, say)."""
    now = time.time_ns()
    caches["versions"].set_many({_version_key(scope): now for scope in scopes}, timeout=None)


# Per-visitor values --------------------------------------------------------------------------------------

# Hidden input name -> function of the request giving its value for this visitor.
_per_visitor = {"csrfmiddlewaretoken": get_token}


def per_visitor_input(name, value_for):
    """A hidden input whose value differs per visitor: cut from stored pages, filled per response."""
    _per_visitor[name] = value_for


def _slot_pattern():
    names = "|".join(map(re.escape, _per_visitor))
    return re.compile(rf'(name="(?:{names})" value=")([^"]*)"')


def cut_slots(content):
    """The page as a list: text, input name, text, input name, ..., text (names at the odd places)."""
    pieces = []
    last = 0
    for match in _slot_pattern().finditer(content):
        prefix_end = match.end(1)
        pieces += [content[last:prefix_end], match[1][len('name="') : -len('" value="')]]
        last = match.end(2)
    pieces.append(content[last:])
    return [piece.encode() for piece in pieces]


def fill_slots(pieces, request):
    if len(pieces) == 1:
        return pieces[0]
    values = {}
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:
            name = piece.decode()
            if name not in values:
                values[name] = str(_per_visitor[name](request)).encode()
            out.append(values[name])
        else:
            out.append(piece)
    return b"".join(out)


# Declarations by the view --------------------------------------------------------------------------------


def vary_on_cookies(response, names):
    """This response is the shared page for readers without the cookies `names`; with one of them the view
    would make a page of their own. Sets `Vary: Cookie` for the browser and caches downstream too."""
    response.varies_on_cookies = tuple(names)
    patch_vary_headers(response, ["Cookie"])
    return response


def _is_shared(response):
    cache_control = response.get("Cache-Control", "")
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


# The decorator -------------------------------------------------------------------------------------------


def cache_page(view=None, *, lists=False):
    """Serve the page from the cache until its versions change (see the module's docstring).

    `@cache_page` for a page about one thing; `@cache_page(lists=True)` for a page that lists or counts across
    the catalogue, which also goes stale with the lists version.
    """
    if view is None:
        return lambda view: cache_page(view, lists=lists)
    scopes = (SITE, LISTS) if lists else (SITE,)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = _request_versions.set({})
        try:
            return _serve(view, scopes, request, args, kwargs)
        finally:
            _request_versions.reset(token)

    return wrapper


def _serve(view, scopes, request, args, kwargs):
    store = settings.PAGE_CACHE_SECONDS > 0 and request.method in ("GET", "HEAD")
    if store:
        numbers = ":".join(map(str, versions(*scopes, page_scope(request.path))))
        # The host is part of the key: pages carry absolute canonical and social URLs.
        url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"page:{numbers}:{url}"
        entry = cache.get(key)
        if entry is not None:
            pieces, content_type, cookies = entry
            if not any(name in request.COOKIES for name in cookies):
                response = HttpResponse(fill_slots(pieces, request), content_type=content_type)
                if cookies:
                    patch_vary_headers(response, ["Cookie"])
                response[PAGE_HEADER] = "hit"
                return response
    response = view(request, *args, **kwargs)
    if response.streaming or not _is_shared(response):
        # Made for this reader: their per-visitor values are already the real ones.
        return response
    if hasattr(response, "render"):
        response.render()
    pieces = cut_slots(response.content.decode(response.charset))
    if store and response.status_code == 200:
        cookies = getattr(response, "varies_on_cookies", ())
        cache.set(key, (pieces, response["Content-Type"], cookies), settings.PAGE_CACHE_SECONDS)
        response[PAGE_HEADER] = "miss"
    response.content = fill_slots(pieces, request)
    return response
