import copy

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import resolve
from django.views.decorators.http import require_POST

from ostsite.client import client_ip

from . import moderation
from .cookies import remember_author
from .forms import CommentForm, timestamp_to_send_again
from .models import Comment
from .targets import UnknownTarget, get_target, page_url
from .threads import comment_pages


@require_POST
def post_comment(request):
    """Save a reader's comment and send them to it, or show its page again with the reasons and their text."""
    try:
        target = get_target(request.POST.get("target_type"), request.POST.get("target_id"))
    except UnknownTarget as error:
        context = {"message": error.message, "body": request.POST.get("body", "")}
        return render(request, "comments/target_error.html", context, status=error.status)

    form = CommentForm(target, request.POST)
    if not form.is_valid():
        return redisplay(request, form, status=400)

    comment = form.save(commit=False)
    comment.ip_address = client_ip(request)
    comment.user_agent = request.META.get("HTTP_USER_AGENT", "")[:255]
    if form.is_spam:
        comment.status = Comment.Status.SPAM
    try:
        moderation.post(comment)
    except moderation.CommentRefused as refusal:
        form.add_error(None, refusal.message)
        response = redisplay(request, form, status=refusal.status)
        if refusal.status == 429:
            response["Retry-After"] = str(settings.COMMENTS_MIN_INTERVAL_SECONDS)
        return response

    if form.is_spam:
        response = HttpResponseRedirect(f"{page_url(target)}#comments")
    else:
        # To the comment page that holds it: the last one for a new thread, maybe an older one for a reply.
        pages = comment_pages(target, held_id=comment.pk if comment.is_pending else None)
        response = HttpResponseRedirect(moderation.preview_url(comment, pages.cpage(pages.page_of(comment.pk))))
    remember_author(response, form.cleaned_data, request.is_secure())
    return response


def give_text_back(request, reason):
    """The comment the reader wrote, on our own page, in a form that sends it again, when the post could not be
    checked (reason "csrf": the CSRF cookie was missing or did not match) or saved (reason "unavailable": the
    database did not answer). Needs no database: the page it was for is named by the posted fields only.

    The project's CSRF and server-error pages call it (see ostsite/errors.py).
    """
    posted = request.POST
    form = CommentForm(None, initial={
        "body": posted.get("body", ""),
        "author_name": posted.get("author_name", ""),
        "author_email": posted.get("author_email", ""),
        "author_url": posted.get("author_url", ""),
        "remember": bool(posted.get("remember")),
        "parent": posted.get("parent", ""),
    })
    form.initial["timestamp"] = timestamp_to_send_again(posted.get("timestamp"))
    context = {
        "reason": reason,
        # What the form template takes from a page's comment section.
        "comments": {
            "form": form,
            "reply_to": None,
            "comment_page_url": "",
            "target_type": posted.get("target_type", ""),
            "target_id": posted.get("target_id", ""),
        },
    }
    return render(request, "comments/text_given_back.html", context, status=403 if reason == "csrf" else 503)


post_comment.give_text_back = give_text_back


def redisplay(request, form, status):
    """The target's own page, rendered by its own view, with this bound form (errors and the reader's text) in it.

    The page view gets the POST request itself (so no page cache serves or stores this reader's page) with
    the path of the page; the comment section finds the form on `request.comment_form`.
    """
    form.prepare_redisplay()
    path = page_url(form.target)
    match = resolve(path)
    page_request = copy.copy(request)
    page_request.path = page_request.path_info = path
    page_request.resolver_match = match
    page_request.comment_form = form
    response = match.func(page_request, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    response.status_code = status
    return response
