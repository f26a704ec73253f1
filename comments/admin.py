from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import truncatechars
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from reversion import create_revision, set_comment, set_user
from reversion.models import Version

from ostsite.history import HistoryAdmin, record_first_versions_of

from . import moderation
from .models import Comment
from .targets import TARGET_FIELDS

BEFORE_MODERATION = "As it was before moderation."

# How many waiting comments the dashboard lists (the count covers them all).
DESK_QUEUE_LENGTH = 10


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 6}), max_length=65525)


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
        pages = [name for name in TARGET_FIELDS if cleaned_data.get(name)]
        if len(pages) > 1:
            message = "A comment belongs on one page: keep one of the OST, show, group or member and clear the others."
            for name in pages:
                self.add_error(name, ValidationError(message, code="several_pages"))
        return cleaned_data


@admin.register(Comment)
class CommentAdmin(HistoryAdmin):
    """The moderation queue: counts per status, bulk actions, and a link to each comment on its page. Every
    moderation is an entry in the comment's history, so it can be seen and undone."""

    form = CommentAdminForm
    change_list_template = "admin/comments/comment/change_list.html"

    list_display = ["author_name", "excerpt", "page_link", "status", "created_at", "ip_address", "moderate_buttons"]
    list_filter = ["status", "created_at"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["author_name", "author_email", "ip_address", "body"]
    list_select_related = list(TARGET_FIELDS)
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = ["approve", "mark_spam", "move_to_trash", "restore_from_trash"]
    raw_id_fields = [*TARGET_FIELDS, "parent"]
    readonly_fields = ["ip_address", "user_agent", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["status", "body"]}),
        ("Author", {"fields": ["author_name", "author_email", "author_url", "ip_address", "user_agent"]}),
        ("Where", {"fields": [*TARGET_FIELDS, "parent", "created_at"]}),
    ]

    # The one-click moderations of a row: button label, what the history says, the moderation function, the status
    # it gives.
    row_moderations = {
        "approve": ("Approve", "Approved.", "approve", Comment.Status.APPROVED),
        "spam": ("Spam", "Marked as spam.", "mark_spam", Comment.Status.SPAM),
        "trash": ("Trash", "Moved to the trash.", "move_to_trash", Comment.Status.TRASH),
    }

    def get_urls(self):
        opts = self.model._meta
        own = [
            path(
                "<int:pk>/moderate/<str:action>/",
                self.admin_site.admin_view(self.moderate_view),
                name=f"{opts.app_label}_{opts.model_name}_moderate",
            ),
            path(
                "<int:pk>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name=f"{opts.app_label}_{opts.model_name}_reply",
            ),
        ]
        return [*own, *super().get_urls()]

    def moderation_buttons(self, comment, next_url):
        """(address, label, accessible name) of the Approve, Spam and Trash buttons that would change the comment,
        each posting to moderate_view and coming back to `next_url`."""
        buttons = []
        for action, (label, _, _, status) in self.row_moderations.items():
            if comment.status == status:
                continue
            url = reverse("admin:comments_comment_moderate", args=[comment.pk, action])
            buttons.append((f"{url}?next={next_url}", label, f"{label} the comment by {comment.author_name}"))
        return buttons

    @admin.display(description="Moderate")
    def moderate_buttons(self, comment):
        # The changelist is one form: each button posts it (with its token) to the button's own address.
        return format_html_join(
            " ",
            '<button type="submit" class="button" formaction="{}" formmethod="post" aria-label="{}">{}</button>',
            ((url, aria, label) for url, label, aria in self.moderation_buttons(comment, self.changelist_url)),
        )

    @property
    def changelist_url(self):
        return reverse("admin:comments_comment_changelist")

    def moderate_view(self, request, pk, action):
        """One click on a row's Approve, Spam or Trash: the same moderation as the bulk actions, for one comment."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request) or action not in self.row_moderations:
            raise PermissionDenied
        comment = get_object_or_404(Comment, pk=pk)
        label, what, function_name, _ = self.row_moderations[action]
        self.moderate(request, Comment.objects.filter(pk=pk), what, getattr(moderation, function_name))
        self.message_user(request, f"The comment by {comment.author_name}: {what[0].lower()}{what[1:]}")
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = self.changelist_url
        return redirect(next_url)

    def reply_view(self, request, pk):
        """An editor answers a comment as the site: the reply is published at once under the site's name."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related(*TARGET_FIELDS), pk=pk)
        form = ReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if comment.is_pending:  # A reply shows only under a published comment.
                self.moderate(request, Comment.objects.filter(pk=comment.pk), "Approved.", moderation.approve)
            reply = Comment(
                **{name: getattr(comment, name) for name in TARGET_FIELDS}, parent=comment,
                author_name=settings.SITE_NAME, author_email=request.user.email or settings.DEFAULT_FROM_EMAIL,
                body=form.cleaned_data["body"], status=Comment.Status.APPROVED,
            )
            with create_revision():
                set_user(request.user)
                set_comment("Replied as the site.")
                reply.save()
            self.message_user(request, f"Your reply to {comment.author_name} is published.", messages.SUCCESS)
            return redirect(reverse("admin:comments_comment_change", args=[quote(comment.pk)]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Reply to {comment.author_name} as {settings.SITE_NAME}",
            "site_name": settings.SITE_NAME,
            "comment": comment,
            "form": form,
            "original": comment,
        }
        return TemplateResponse(request, "admin/comments/comment/reply.html", context)

    def desk_context(self, request):
        """The dashboard's queue: the newest comments awaiting moderation, each with its buttons."""
        waiting = Comment.objects.filter(status=Comment.Status.PENDING).select_related(*TARGET_FIELDS)
        dashboard = reverse("admin:index")
        queue = [
            {"comment": comment, "excerpt": truncatechars(comment.body, 120), "page": self.page_link(comment),
             "buttons": self.moderation_buttons(comment, dashboard),
             "reply_url": reverse("admin:comments_comment_reply", args=[comment.pk])}
            for comment in waiting.order_by("-created_at", "-pk")[:DESK_QUEUE_LENGTH]
        ]
        return {"waiting_count": waiting.count(), "waiting_comments": queue,
                "waiting_url": f"{self.changelist_url}?status__exact={Comment.Status.PENDING}"}

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
