from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html
from reversion import create_revision, set_comment, set_user
from reversion.models import Version

from ostsite.history import HistoryAdmin, record_first_versions_of

from . import moderation
from .models import Comment

BEFORE_MODERATION = "As it was before moderation."


def status_before_trash(comment):
    """The status the comment had before it went to the trash, from its history (held, if it has none)."""
    for version in Version.objects.get_for_object(comment).order_by("-pk"):
        status = version.field_dict["status"]
        if status != Comment.Status.TRASH:
            return status
    return Comment.Status.PENDING


def https_by_default(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class CommentAdminForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = "__all__"
        formfield_callback = https_by_default

    def clean(self):
        """A comment sits on one page at most; said on the page fields, so the database rule's name never shows."""
        cleaned_data = super().clean()
        pages = [name for name in ("ost", "show", "group") if cleaned_data.get(name)]
        if len(pages) > 1:
            message = "A comment belongs on one page: keep one of the OST, show or group and clear the others."
            for name in pages:
                self.add_error(name, ValidationError(message, code="several_pages"))
        return cleaned_data


@admin.register(Comment)
class CommentAdmin(HistoryAdmin):
    """The moderation queue: counts per status, bulk actions, and a link to each comment on its page. Every
    moderation is an entry in the comment's history, so it can be seen and undone."""

    form = CommentAdminForm
    change_list_template = "admin/comments/comment/change_list.html"

    list_display = ["author_name", "excerpt", "page_link", "status", "created_at", "ip_address"]
    list_filter = ["status", "created_at"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["author_name", "author_email", "ip_address", "body"]
    list_select_related = ["ost", "show", "group"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = ["approve", "mark_spam", "move_to_trash", "restore_from_trash"]
    raw_id_fields = ["ost", "show", "group", "parent"]
    readonly_fields = ["ip_address", "user_agent", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["status", "body"]}),
        ("Author", {"fields": ["author_name", "author_email", "author_url", "ip_address", "user_agent"]}),
        ("Where", {"fields": ["ost", "show", "group", "parent", "created_at"]}),
    ]

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return truncatechars(comment.body, 80)

    @admin.display(description="On page")
    def page_link(self, comment):
        return format_html('<a href="{}">{}</a>', moderation.preview_url(comment), comment.target or "Home page")

    def moderate(self, request, queryset, what, change):
        """Record the comments as they are (when they have no history yet), then `change` them as one entry
        of their history, saying `what` was done and by whom. Returns what `change` returns."""
        record_first_versions_of(list(queryset), BEFORE_MODERATION)
        with create_revision():
            set_user(request.user)
            set_comment(what)
            return change(queryset)

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        count = self.moderate(request, queryset, "Approved.", moderation.approve)
        self.message_user(request, f"{count} comment(s) approved.")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        count = self.moderate(request, queryset, "Marked as spam.", moderation.mark_spam)
        self.message_user(request, f"{count} comment(s) marked as spam.")

    @admin.action(description="Move selected comments to the trash", permissions=["change"])
    def move_to_trash(self, request, queryset):
        count = self.moderate(request, queryset, "Moved to the trash.", moderation.move_to_trash)
        self.message_user(request, f"{count} comment(s) moved to the trash.")

    @admin.action(description="Restore selected comments from the trash", permissions=["change"])
    def restore_from_trash(self, request, queryset):
        def restore(comments):
            restored = list(comments.filter(status=Comment.Status.TRASH))
            for comment in restored:
                comment.status = status_before_trash(comment)
                comment.save(update_fields=["status"])
            return len(restored)

        count = self.moderate(request, queryset, "Restored from the trash.", restore)
        self.message_user(request, f"{count} comment(s) restored from the trash.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and (comment := self.get_object(request, object_id)) is not None:
            record_first_versions_of([comment], BEFORE_MODERATION)
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        """Heads the list with "All (13) | Awaiting moderation (3) | Approved (10) | Spam (0) | Trash (0)", one query."""
        counts = Comment.objects.aggregate(
            **{status: Count("pk", filter=Q(status=status)) for status in Comment.Status.values}
        )
        current = request.GET.get("status__exact")
        extra_context = {
            **(extra_context or {}),
            "total": sum(counts.values()),
            "status_filtered": current in counts,
            "status_links": [
                (status, label, counts[status], current == status) for status, label in Comment.Status.choices
            ],
        }
        # Django's changelist, not reversion's: that one wraps the whole request in one history entry, and the
        # actions above record each comment's state before they change it, in an entry of its own.
        return admin.ModelAdmin.changelist_view(self, request, extra_context=extra_context)
