import re
from functools import lru_cache

from django import template
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from catalog.cache import cached

from ..cookies import remembered_author
from ..forms import CommentForm, sign_timestamp
from ..models import Comment
from ..moderation import is_valid_moderation_hash
from ..targets import page_url, target_type
from ..threads import build_thread, comment_pages

register = template.Library()


def as_id(value):
    """A primary key from a query parameter, or None for anything else."""
    return int(value) if value and value.isascii() and value.isdigit() else None


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, target):
    """The comments on a page (an OST, show or group; None for the home page) and the form to leave one.

    Comments come in pages of `COMMENTS_PER_PAGE` threads, oldest first; the last page (the newest threads) is
    the default and `?cpage=N` picks another. Two queries whatever the number of comments (none while the
    cache holds the result): the ids of all of them, to choose the threads of the page, then those threads in
    full. The form comes back bound after a refused post, pre-filled from the reader's cookies otherwise;
    `?replytocom=ID` makes it a reply without JavaScript, on the comment page that holds comment ID.
    """
    request = context["request"]
    held_id = as_id(request.GET.get("unapproved"))
    if not (held_id and is_valid_moderation_hash(held_id, request.GET.get("moderation-hash"))):
        held_id = None

    # A refused post comes back bound to its page; any other page starts a form of its own, made below.
    form = getattr(request, "comment_form", None)
    if form is not None and form.target != target:
        form = None
    reply_to_id = as_id(form.data.get("parent") if form else request.GET.get("replytocom"))

    # Which comments go on which comment page, and the list as HTML, are the same for every reader until
    # anything changes (the catalogue version covers comments too); a held comment is for its author only.
    page_key = f"{target_type(target)}:{'' if target is None else target.pk}"
    if held_id:
        pages = comment_pages(target, held_id)
    else:
        pages = cached(f"comment-pages:{page_key}", lambda: comment_pages(target))
    number = pages.page_of(reply_to_id) or pages.number(request.GET.get("cpage"))
    ids = pages.ids_on(number)
    url = page_url(target)
    comment_page_url = pages.url(url, number)

    def comment_list():
        comments = list(Comment.objects.for_target(target).visible(held_id).filter(pk__in=ids)) if ids else []
        context = {"thread": build_thread(comments), "page_url": url, "comment_page_url": comment_page_url}
        return comments, render_to_string("comments/includes/comment_list.html", context) if comments else ""

    reply_to = None
    if held_id or reply_to_id:
        # Made for one reader: their comment awaiting moderation, or the comment they are replying to.
        comments, list_html = comment_list()
        reply_to = next((c for c in comments if c.pk == reply_to_id and c.is_approved), None)
    else:
        list_html = cached(f"comment-list:{page_key}:{number}", lambda: comment_list()[1])
    context = {
        "request": request,
        "comment_list": mark_safe(list_html),
        "count": pages.approved_count,
        "reply_to": reply_to,
        "page_url": url,
        "comment_page_url": comment_page_url,
        "older_url": pages.url(url, number - 1) if number > 1 else None,
        "newer_url": pages.url(url, number + 1) if number < pages.last else None,
        "comment_page": number,
        "comment_page_count": pages.page_count,
        "target_type": target_type(target),
        "target_id": "" if target is None else target.pk,
    }
    author = remembered_author(request.COOKIES)
    if form is None and not author and not reply_to:
        context["blank_form"] = blank_form(context, get_token(request), sign_timestamp())
        return context
    if form is None:
        form = CommentForm(target, initial=author)
        if reply_to:
            form.initial["parent"] = reply_to.pk
    context["form"] = form
    return context


FORM_TEMPLATE = "comments/includes/form.html"
# The only parts of an empty form that differ from page to page and from reader to reader.
BLANK_FORM_SLOTS = ("csrf_token", "timestamp", "comment_page_url", "target_type", "target_id")
SLOT = re.compile("\x00([a-z_]+)\x00")


def blank_form(context, csrf_token, timestamp):
    """The empty "Leave a Reply" form: the template rendered once per process, its slots filled per page.

    Building the form and rendering it field by field is over half a millisecond a page, and the empty form is the one nearly
    every page shows; a bound, pre-filled or reply form is rendered in full.
    """
    values = {**context, "csrf_token": csrf_token, "timestamp": timestamp}
    pieces = blank_form_pieces(get_template(FORM_TEMPLATE).template, get_script_prefix())
    # re.split puts the slot names at the odd places.
    return mark_safe("".join(conditional_escape(values[piece]) if i % 2 else piece for i, piece in enumerate(pieces)))


@lru_cache(maxsize=8)
def blank_form_pieces(form_template, script_prefix):
    """The form's HTML split around its slots. Keyed on the compiled template (a new one whenever the template
    is reloaded in development) and on the script prefix, which its action URL starts with."""
    slots = {name: f"\x00{name}\x00" for name in BLANK_FORM_SLOTS}
    form = CommentForm(None)
    form.initial["timestamp"] = slots["timestamp"]
    html = form_template.render(template.Context({"form": form, **slots}))
    return SLOT.split(html)
