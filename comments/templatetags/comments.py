from django import template
from django.db.models import Q

from ..cookies import remembered_author
from ..forms import CommentForm
from ..models import Comment
from ..moderation import is_valid_moderation_hash
from ..targets import page_url, target_type
from ..threads import build_thread

register = template.Library()


def as_id(value):
    """A primary key from a query parameter, or None for anything else."""
    return int(value) if value and value.isascii() and value.isdigit() else None


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, target):
    """The comments on a page (an OST, show or group; None for the home page) and the form to leave one.

    One query for the comments whatever their number. The form comes back bound after a refused post,
    pre-filled from the reader's cookies otherwise; `?replytocom=ID` makes it a reply without JavaScript.
    """
    request = context["request"]
    visible = Q(status=Comment.Status.APPROVED)
    held_id = as_id(request.GET.get("unapproved"))
    if held_id and is_valid_moderation_hash(held_id, request.GET.get("moderation-hash")):
        visible |= Q(pk=held_id, status=Comment.Status.PENDING)
    comments = list(Comment.objects.for_target(target).filter(visible))

    form = getattr(request, "comment_form", None)
    if form is None or form.target != target:
        form = CommentForm(target, initial=remembered_author(request.COOKIES))
        reply_to_id = as_id(request.GET.get("replytocom"))
    else:
        reply_to_id = as_id(form.data.get("parent"))
    approved = {comment.pk: comment for comment in comments if comment.is_approved}
    reply_to = approved.get(reply_to_id)
    if reply_to and not form.is_bound:
        form.initial["parent"] = reply_to.pk

    return {
        "request": request,
        "thread": build_thread(comments),
        "count": len(approved),
        "form": form,
        "reply_to": reply_to,
        "page_url": page_url(target),
        "target_type": target_type(target),
        "target_id": "" if target is None else target.pk,
    }
