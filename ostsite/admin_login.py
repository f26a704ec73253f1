"""The admin's sign-in page with a brake on password guessing.

After MAX_FAILURES failed attempts for one username from one IP address within WINDOW_SECONDS, further
attempts are refused with HTTP 429 until the window ends, even with the right password. Counts live in the
cache (shared by all app servers when CACHE_URL points at Redis). A successful sign-in clears the count.
"""

import hashlib

from django.contrib import admin
from django.core.cache import cache
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def failures_key(request):
    username = request.POST.get("username", "").strip().casefold()
    ip = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{ip}\n{username}".encode()).hexdigest()
    return f"admin-login-failures:{digest}"


def record_failure(key):
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # The window ended between the two calls.
        cache.add(key, 1, WINDOW_SECONDS)


@never_cache
def login(request):
    if request.method != "POST":
        return admin.site.login(request)
    key = failures_key(request)
    if cache.get(key, 0) >= MAX_FAILURES:
        context = {**admin.site.each_context(request), "title": "Too many sign-in attempts", "minutes": WINDOW_SECONDS // 60}
        response = TemplateResponse(request, "admin/login_rate_limited.html", context, status=429)
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response
    response = admin.site.login(request)
    if response.status_code == 302:
        cache.delete(key)
    else:
        record_failure(key)
    return response
