"""Drafts: OSTs, shows and groups kept from the public until an editor publishes them.

Preview. A draft is seen by editors only: the public URL of an OST, show or group with `?preview`.

The public never sees a draft: its URL is a 404 and it is left out of every list (`published()` on the
querysets). An editor allowed to view the entry in the admin who opens its URL with `?preview` gets the real
page, rendered by the same view, with a banner saying it is a draft. That page is for them alone: it is marked
`Cache-Control: private`, so the page cache (ostsite/page_cache.py) never stores it. Anyone else asking for a
preview gets the page as the public sees it: a published page, or a 404 for a draft.
"""

import reversion
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control

from ostsite.history import record_first_versions_of

PARAMETER = "preview"


def preview_url(obj):
    """The address of the page of `obj` as an editor previews it."""
    return f"{obj.get_absolute_url()}?{PARAMETER}"


def may_preview(request, model):
    """An editor with the right to view `model` in the admin asks for a preview. The user (and with it the session)
    is only looked at when the URL asks, so shared pages never vary on the session."""
    if PARAMETER not in request.GET:
        return False
    user = request.user
    opts = model._meta
    return user.is_active and user.is_staff and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


def get_for_page(request, queryset, **lookup):
    """The entry a detail page shows, and whether this response is an editor's preview (True) or the public page.

    The public page of a draft is a 404. An editor's preview finds the entry whatever its state.
    """
    if may_preview(request, queryset.model):
        return get_object_or_404(queryset, **lookup), True
    return get_object_or_404(queryset.published(), **lookup), False


def why_draft(obj):
    """What keeps `obj` from the public, in an editor's words; empty for a published entry."""
    reasons = []
    if obj.is_draft:
        reasons.append(f"This {obj._meta.verbose_name} is a draft.")
    for field in ("artist", "show"):
        related = getattr(obj, field, None) if hasattr(type(obj), field) else None
        if related is not None and related.is_draft:
            reasons.append(f"Its {related._meta.verbose_name} {related} is a draft.")
    return " ".join(reasons)


def banner(obj):
    """What the page's draft banner shows (None: no banner, the entry is public)."""
    reason = why_draft(obj)
    if not reason:
        return None
    opts = obj._meta
    return {"reason": reason, "admin_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])}


def finish(response, previewing):
    """An editor's preview is theirs alone: never stored by the page cache, nor by any cache on the way."""
    if previewing:
        patch_cache_control(response, private=True)
    return response


# Publishing -----------------------------------------------------------------------------------------------

BEFORE_PUBLISHING = "As it was before it was published."


def set_draft(entries, is_draft, user=None):
    """Publish (`is_draft` False) or unpublish the OSTs, shows or groups `entries`, each as one entry of its
    history saying what was done and by whom. Entries already in that state are left alone. Returns how many
    changed.

    Each is saved on its own, so the page cache is told as by any edit (catalog/publication.py)."""
    changing = [entry for entry in entries if entry.is_draft != is_draft]
    if not changing:
        return 0
    # Rows without a history yet get their state before the change recorded first, so it can be undone.
    record_first_versions_of(changing, BEFORE_PUBLISHING)
    for entry in changing:
        with transaction.atomic(), reversion.create_revision():
            if user is not None:
                reversion.set_user(user)
            reversion.set_comment("Made a draft again." if is_draft else "Published.")
            entry.is_draft = is_draft
            entry.save(update_fields=["is_draft", "updated_at"])
    return len(changing)
