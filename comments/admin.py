from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html

from . import moderation
from .models import Comment


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
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: counts per status, bulk actions, and a link to each comment on its page."""

    form = CommentAdminForm

    list_display = ["author_name", "excerpt", "page_link", "status", "created_at", "ip_address"]
    list_filter = ["status", "created_at"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["author_name", "author_email", "ip_address", "body"]
    list_select_related = ["ost", "show", "group"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = ["approve", "mark_spam", "move_to_trash"]
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

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self.message_user(request, f"{moderation.approve(queryset)} comment(s) approved.")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self.message_user(request, f"{moderation.mark_spam(queryset)} comment(s) marked as spam.")

    @admin.action(description="Move selected comments to the trash", permissions=["change"])
    def move_to_trash(self, request, queryset):
        self.message_user(request, f"{moderation.move_to_trash(queryset)} comment(s) moved to the trash.")

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
        return super().changelist_view(request, extra_context=extra_context)
