"""The admin sign-in brake's two project-specific parts, called by django-axes (see the AXES_* settings)."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def username(request, credentials):
    """The username failures are counted under: "Editor " and "editor" are one account to an attacker."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().casefold()


def locked_out(request, response, credentials):
    """The admin's own page saying sign-in is paused, with HTTP 429 and when to try again."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {**admin.site.each_context(request), "title": "Too many sign-in attempts", "minutes": seconds // 60}
    refusal = render(request, "admin/login_rate_limited.html", context, status=429)
    refusal["Retry-After"] = str(seconds)
    refusal["Cache-Control"] = "no-store"
    return refusal
