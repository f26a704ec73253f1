"""The site's own pages for requests that fail outside a view's control: a refused CSRF check, and a database
that does not answer.

A view whose form carries text a reader wrote (a comment) gives it back on these pages, with a way to send it
again, through a `give_text_back(request, reason)` attribute; reason is "csrf" or "unavailable".
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)

UNAVAILABLE_RETRY_SECONDS = 30


def text_keeper(request):
    """The failed view's `give_text_back`, when it has one and the request posted a form to it."""
    if request.method != "POST":
        return None
    view = getattr(getattr(request, "resolver_match", None), "func", None)
    return getattr(view, "give_text_back", None)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: our page instead of Django's bare 403, with the reader's text when there is some."""
    give_text_back = text_keeper(request)
    if give_text_back is not None:
        return give_text_back(request, "csrf")
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """handler500. A database that does not answer (stopped, restarting, unreachable, locked too long) gets a 503
    with Retry-After: our "back in a moment" page, or the reader's text given back. Anything else is our 500 page.

    The pages are rendered without the database: the generic ones with an empty context.
    """
    if not isinstance(sys.exception(), (OperationalError, InterfaceError)):
        return HttpResponseServerError(loader.get_template("500.html").render())
    response = None
    give_text_back = text_keeper(request)
    if give_text_back is not None:
        try:
            response = give_text_back(request, "unavailable")
        except Exception:  # Giving the text back must not turn a 503 into a bare 500.
            logger.exception("Could not give the text back while the database is unavailable")
    if response is None:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response.status_code = 503
    response["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
