"""Readers' comments, one model for the home page and every OST, show, group and member page."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .targets import TARGET_FIELDS, page_url, target_type


def at_most_one_set(fields):
    """A condition true when at most one of the foreign keys `fields` is set: for each field, all the others are
    empty."""
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{other}__isnull": True for other in fields if other != name})
    return condition


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def on_home_page(self):
        return self.filter(ost__isnull=True, show__isnull=True, group__isnull=True, member__isnull=True)

    def for_target(self, target):
        """Comments on one page: an OST, show, group or member, or the home page when target is None."""
        if target is None:
            return self.on_home_page()
        return self.filter(**{target_type(target): target})

    def on_public_pages(self):
        """Comments on the home page or on a page the public sees: not on a draft (catalog's `published()`)."""
        hidden = Q()
        for name in TARGET_FIELDS:
            drafts = self.model._meta.get_field(name).related_model.objects.drafts()
            hidden |= Q(**{f"{name}__in": drafts.values("pk")})
        return self.exclude(hidden)

    def most_discussed_osts(self, limit=6):
        """(OST id, approved comments) of the public OSTs with the most approved comments, busiest first."""
        rows = (
            self.approved()
            .on_public_pages()
            .filter(ost__isnull=False)
            .values("ost")
            .annotate(n=models.Count("pk"))
            .order_by("-n", "ost")[:limit]
        )
        return [(row["ost"], row["n"]) for row in rows]

    def visible(self, held_id=None):
        """Published comments, and the held comment `held_id` for its author (whose moderation hash was checked)."""
        shown = Q(status=Comment.Status.APPROVED)
        if held_id:
            shown |= Q(pk=held_id, status=Comment.Status.PENDING)
        return self.filter(shown)


class Comment(models.Model):
    """A reader's comment on the home page (no target) or on one OST, show, group or member page."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    ost = models.ForeignKey("catalog.OST", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    show = models.ForeignKey("catalog.Show", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    group = models.ForeignKey("catalog.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    member = models.ForeignKey(
        "catalog.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author_name = models.CharField(max_length=245)
    author_email = models.EmailField(max_length=100)
    author_url = models.URLField(max_length=200, blank=True)
    body = models.TextField(max_length=65525)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["author_email", "status"]),
            models.Index(fields=["ip_address", "created_at"]),
            # The home page's comments have no page to be found by: without this they are picked out of all.
            models.Index(
                fields=["status", "created_at"],
                condition=Q(ost__isnull=True, show__isnull=True, group__isnull=True, member__isnull=True),
                name="comment_on_home_page",
            ),
        ]
        constraints = [
            # At most one of the page fields is set (none: the home page).
            models.CheckConstraint(
                condition=at_most_one_set(TARGET_FIELDS),
                name="comment_on_at_most_one_page",
            ),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.target or 'the home page'}"

    @classmethod
    def from_db(cls, db, field_names, values):
        comment = super().from_db(db, field_names, values)
        # The status as loaded, so a save can tell whether the comment was on show before it.
        comment.loaded_status = comment.status if "status" in field_names else None
        return comment

    @property
    def was_approved(self):
        return getattr(self, "loaded_status", None) == self.Status.APPROVED

    @property
    def target(self):
        return self.ost or self.show or self.group or self.member

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def is_on_same_page_as(self, other):
        return all(getattr(self, f"{name}_id") == getattr(other, f"{name}_id") for name in TARGET_FIELDS)

    def get_absolute_url(self):
        return f"{page_url(self.target)}#comment-{self.pk}"
