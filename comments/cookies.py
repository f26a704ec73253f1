"""The cookies that pre-fill the form for a reader who ticked "Save my name, email, and website", as WordPress does."""

from urllib.parse import quote, unquote

COOKIES = {
    "author_name": "comment_author",
    "author_email": "comment_author_email",
    "author_url": "comment_author_url",
}
KEEP_FOR_SECONDS = 365 * 24 * 60 * 60


def remember_author(response, data, secure):
    """Set the cookies when the reader asked for it; otherwise clear any set before."""
    for field, cookie in COOKIES.items():
        if data.get("remember") and data.get(field):
            # Quoted: names may hold Hangul, which a cookie header cannot carry as such.
            response.set_cookie(
                cookie, quote(data[field]), max_age=KEEP_FOR_SECONDS, secure=secure, httponly=True, samesite="Lax"
            )
        else:
            response.delete_cookie(cookie, samesite="Lax")


def remembered_author(cookies):
    """Initial form data from the cookies; empty when there are none."""
    initial = {field: unquote(cookies[cookie]) for field, cookie in COOKIES.items() if cookies.get(cookie)}
    if initial:
        initial["remember"] = True
    return initial
