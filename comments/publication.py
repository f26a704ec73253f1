"""Which pages a comment's change makes stale: only what readers see changes anything.

A comment held for moderation, marked spam or trashed without ever being approved is seen by nobody (its
author's preview is never cached), so it invalidates nothing. A comment that appears or goes changes its own
page's comment section, and for an OST the counts of the "Most discussed" list on the home page.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from ostsite.page_cache import invalidate_pages

from .targets import page_url


def comment_changed(sender, instance, **kwargs):
    """post_save and post_delete of a Comment."""
    if not (instance.is_approved or instance.was_approved):
        return
    try:
        pages = {page_url(instance.target)}
    except ObjectDoesNotExist:
        # Deleted along with its page, whose deletion already made the whole site stale.
        return
    if instance.ost_id:
        pages.add(reverse("catalog:home"))
    invalidate_pages(*pages)
