"""One version number for everything the catalogue pages show.

Any edit (in the admin, by a command, a new or moderated comment) bumps it, so every cached page and
fragment keyed on it is stale at once — no list of keys to hunt down.
"""

import time

from django.core.cache import cache

VERSION_KEY = "catalogue-version"


def catalogue_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        # Time-based, so a restarted process with an empty local cache never reuses an old number.
        version = time.time_ns()
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_catalogue_version(**kwargs):
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def cached(key, build, timeout=3600):
    """`build()` once per catalogue version."""
    full_key = f"{key}:{catalogue_version()}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, timeout)
    return value
