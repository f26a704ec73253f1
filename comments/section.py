"""The comments under a page and the "Leave a Reply" form: what a page view passes its template.

A page with comments is rendered with `render_with_comments()`, which builds the section and tells the page
cache (ostsite/page_cache.py) whether the page may be shared: a page for one reader (their comment awaiting
moderation, their reply form, their refused comment shown again, the details they asked us to remember) is
marked private; the shared page declares the cookies that would personalise it.
"""

from functools import lru_cache

from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe

from ostsite.page_cache import cached, vary_on_cookies

from .cookies import COOKIES, remembered_author
from .forms import CommentForm
from .models import Comment
from .moderation import is_valid_moderation_hash
from .targets import page_url, target_type
from .threads import build_thread, comment_pages


def as_id(value):
    """A primary key from a query parameter, or None for anything else."""
    return int(value) if value and value.isascii() and value.isdigit() else None


def render_with_comments(request, template_name, context, target):
    """`render()` for a page that shows the comments on `target` (None: the home page) as `comments`."""
    section = comment_section(request, target)
    response = render(request, template_name, {**context, "comments": section})
    if section["personal"]:
        patch_cache_control(response, private=True)
    else:
        vary_on_cookies(response, COOKIES.values())
    return response


def comment_section(request, target):
    """The comments on a page and the form to leave one.

    Comments come in pages of `COMMENTS_PER_PAGE` threads, oldest first; the last page (the newest threads) is
    the default and `?cpage=N` picks another. Two queries whatever the number of comments (none while the
    cache holds the result): the ids of all of them, to choose the threads of the page, then those threads in
    full. The form comes back bound after a refused post (`request.comment_form`, set by the posting view),
    pre-filled from the reader's cookies otherwise; `?replytocom=ID` makes it a reply without JavaScript, on
    the comment page that holds comment ID.
    """
    held_id = as_id(request.GET.get("unapproved"))
    if not (held_id and is_valid_moderation_hash(held_id, request.GET.get("moderation-hash"))):
        held_id = None

    form = getattr(request, "comment_form", None)
    if form is not None and form.target != target:
        form = None
    reply_to_id = as_id(form.data.get("parent") if form else request.GET.get("replytocom"))

    # Which comments go on which comment page, and the list as HTML, are the same for every reader until
    # the page's version changes (a comment appears or goes); a held comment is for its author only.
    url = page_url(target)
    page_key = f"{target_type(target)}:{'' if target is None else target.pk}"
    if held_id:
        pages = comment_pages(target, held_id)
    else:
        pages = cached(f"comment-pages:{page_key}", lambda: comment_pages(target), page=url)
    number = pages.page_of(reply_to_id) or pages.number(request.GET.get("cpage"))
    ids = pages.ids_on(number)
    comment_page_url = pages.url(url, number)

    def comment_list():
        comments = list(Comment.objects.for_target(target).visible(held_id).filter(pk__in=ids)) if ids else []
        context = {"thread": build_thread(comments), "page_url": url, "comment_page_url": comment_page_url}
        return comments, render_to_string("comments/includes/comment_list.html", context) if comments else ""

    reply_to = None
    if held_id or reply_to_id:
        comments, list_html = comment_list()
        reply_to = next((c for c in comments if c.pk == reply_to_id and c.is_approved), None)
    else:
        list_html = cached(f"comment-list:{page_key}:{number}", lambda: comment_list()[1], page=url)

    author = remembered_author(request.COOKIES)
    section = {
        "comment_list": mark_safe(list_html),
        "count": pages.approved_count,
        "reply_to": reply_to,
        "comment_page_url": comment_page_url,
        "older_url": pages.url(url, number - 1) if number > 1 else None,
        "newer_url": pages.url(url, number + 1) if number < pages.last else None,
        "comment_page": number,
        "comment_page_count": pages.page_count,
        "target_type": target_type(target),
        "target_id": "" if target is None else target.pk,
        "personal": bool(held_id or form is not None or author or reply_to),
    }
    if form is None and not section["personal"]:
        section["blank_fields"] = blank_form_fields()
        return section
    if form is None:
        form = CommentForm(target, initial=author)
        if reply_to:
            form.initial["parent"] = reply_to.pk
    section["form"] = form
    return section


FIELDS_TEMPLATE = "comments/includes/form_fields.html"


def blank_form_fields():
    """The empty form's fields, rendered once per process.

    The empty form is the one nearly every page shows, and building and rendering a form field by field costs
    some 2.5 ms a page (docs/benchmarks.md). It is the same on every page: what differs per page is outside
    it, and what differs per reader (the signed time the page was served) is filled in by the page cache,
    which replaces every per-visitor input of a shared page.
    """
    return _blank_form_fields(get_template(FIELDS_TEMPLATE).template)


@lru_cache(maxsize=4)
def _blank_form_fields(fields_template):
    # Keyed on the compiled template, which the development server replaces when the file changes.
    return mark_safe(fields_template.render(Context({"form": CommentForm(None)})))
