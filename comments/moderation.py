"""What happens to a comment: the status a new one gets, the checks before it is saved, and moderators' actions.

Each state change is one small function used by the posting view and the admin actions alike.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode

from .models import Comment
from .targets import page_url

# More links than this and a comment waits for a moderator, whoever wrote it (WordPress's default is 2).
MAX_LINKS = 2
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)

TOO_FAST = "You are posting comments too quickly. Slow down."
DUPLICATE = "Duplicate comment detected; it looks as though you’ve already said that!"


class CommentRefused(Exception):
    """The comment breaks a posting rule; `status` is the HTTP status for the page that says so."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message = message
        self.status = status


def count_links(text):
    return len(LINK.findall(text))


def initial_status(comment):
    """Approved at once only when the author already has an approved comment and the text has few links."""
    if count_links(comment.body) > MAX_LINKS:
        return Comment.Status.PENDING
    known_author = Comment.objects.approved().filter(author_email__iexact=comment.author_email).exists()
    return Comment.Status.APPROVED if known_author else Comment.Status.PENDING


def post(comment):
    """Save a new comment if the posting rules allow it, else raise CommentRefused.

    The checks and the insert share one transaction, which takes the write lock first (SQLite's
    IMMEDIATE mode, an advisory lock on PostgreSQL), so the rules hold across server processes.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('comments.post'))")
        comment.created_at = timezone.now()  # once the lock is ours, for the next post's rate check
        _check_rate(comment)
        _check_duplicate(comment)
        if comment.status != Comment.Status.SPAM:
            comment.status = initial_status(comment)
        comment.save()
    return comment


def _check_rate(comment):
    interval = settings.COMMENTS_MIN_INTERVAL_SECONDS
    if not comment.ip_address or interval <= 0:
        return
    since = timezone.now() - timedelta(seconds=interval)
    if Comment.objects.filter(ip_address=comment.ip_address, created_at__gt=since).exists():
        raise CommentRefused(TOO_FAST, status=429)


def _check_duplicate(comment):
    same = Comment.objects.for_target(comment.target).filter(
        author_email__iexact=comment.author_email, body=comment.body
    )
    if same.exclude(status=Comment.Status.TRASH).exists():
        raise CommentRefused(DUPLICATE, status=409)


def approve(comments):
    """Publish the comments (a queryset); returns how many changed."""
    return _set_status(comments, Comment.Status.APPROVED)


def mark_spam(comments):
    return _set_status(comments, Comment.Status.SPAM)


def move_to_trash(comments):
    return _set_status(comments, Comment.Status.TRASH)


def _set_status(comments, status):
    # Saved one by one, not with update(), so post_save listeners (the catalogue's page cache) hear of it.
    with transaction.atomic():
        changed = list(comments.exclude(status=status))
        for comment in changed:
            comment.status = status
            comment.save(update_fields=["status"])
    return len(changed)


def moderation_hash(comment_id):
    """Lets the author of a held comment (and nobody else) see it on the page."""
    return salted_hmac("comments.moderation-hash", str(comment_id), algorithm="sha256").hexdigest()[:32]


def is_valid_moderation_hash(comment_id, given):
    return constant_time_compare(moderation_hash(comment_id), given or "")


def preview_url(comment, cpage=None):
    """Where the comment can be seen: its anchor, with the moderation hash while it awaits moderation.

    `cpage` is the comment page holding it, when that is not the default (last) page.
    """
    params = {}
    if comment.status == Comment.Status.PENDING:
        params = {"unapproved": comment.pk, "moderation-hash": moderation_hash(comment.pk)}
    if cpage:
        params["cpage"] = cpage
    query = f"?{urlencode(params)}" if params else ""
    return f"{page_url(comment.target)}{query}#comment-{comment.pk}"
