import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from catalog.tests.factories import make_group, make_member, make_ost, make_show
from comments import moderation
from comments.forms import FORGED, PARENT_GONE, STALE, TOO_SOON, sign_timestamp
from comments.models import Comment

from .factories import form_data, make_comment

pytestmark = pytest.mark.django_db

BODY = form_data()["body"]
BODY_IN_HTML = "Winter&#x27;s OST for the drama is my favourite."


def test_get_on_the_endpoint_is_not_allowed(client):
    """The endpoint only takes POSTs: GET answers 405."""
    assert client.get(reverse("comments:post")).status_code == 405


def test_a_first_comment_is_saved_held_and_its_author_redirected_to_it(post, ost):
    """POST/redirect/GET: the author lands on the held comment through its moderation-hash link."""
    response = post(ost)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"/osts/drama-song/?unapproved={comment.pk}"
        f"&moderation-hash={moderation.moderation_hash(comment.pk)}#comment-{comment.pk}"
    )
    assert (comment.ost, comment.status, comment.body) == (ost, Comment.Status.PENDING, BODY)


def test_the_comment_keeps_the_ip_address_and_user_agent(post, ost):
    """REMOTE_ADDR and the user agent are stored with the comment."""
    post(ost, ip="203.0.113.9")
    comment = Comment.objects.get()
    assert (comment.ip_address, comment.user_agent) == ("203.0.113.9", "TestBrowser/1.0")


def test_the_author_sees_the_held_comment_marked_and_nobody_else_does(client, post, ost):
    """"Your comment is awaiting moderation." for its author; invisible without the hash or with a wrong one."""
    location = post(ost)["Location"]
    page = client.get(location)
    assert page.status_code == 200
    assert BODY_IN_HTML in page.content.decode()
    assert "Your comment is awaiting moderation." in page.content.decode()
    comment = Comment.objects.get()
    for url in [
        ost.get_absolute_url(),
        f"{ost.get_absolute_url()}?unapproved={comment.pk}&moderation-hash=0123456789abcdef0123456789abcdef",
        f"{ost.get_absolute_url()}?unapproved={comment.pk}",
    ]:
        html = Client().get(url).content.decode()
        assert BODY_IN_HTML not in html
        assert "awaiting moderation" not in html


def test_an_approved_author_is_published_at_once_and_sent_to_the_anchor(post, ost):
    """Later comments from an approved author appear at once; the redirect goes to #comment-ID."""
    make_comment(author_email="minji@example.com")
    response = post(ost)
    comment = Comment.objects.get(ost=ost)
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == f"/osts/drama-song/#comment-{comment.pk}"


@pytest.mark.parametrize("kind", ["home", "ost", "show", "group", "member"])
def test_comments_can_be_posted_on_every_kind_of_page(post, kind):
    """The home page and every OST, show, group and member page take comments."""
    target = {"home": lambda: None, "ost": make_ost, "show": make_show, "group": make_group, "member": make_member}[kind]()
    post(target, author_email=f"{kind}@example.com")
    make_comment(target, author_email=f"{kind}@example.com")
    comment = Comment.objects.get(author_email=f"{kind}@example.com", status=Comment.Status.PENDING)
    assert comment.target == target
    page = Client().get(target.get_absolute_url() if target else "/")
    assert page.status_code == 200
    assert f'id="comment-{comment.pk + 1}"' in page.content.decode()


def test_missing_fields_show_the_page_again_with_the_text_and_an_error_beside_each(post, ost):
    """400: the OST's own page, the reader's text still in the form, a message by each missing field."""
    response = post(ost, author_name="", author_email="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "<h1>Drama Song</h1>" in html or ">Drama Song<" in html
    assert f"\n{BODY_IN_HTML}</textarea>" in html
    assert 'id="comment-form-author_name-error">Please enter your name.</span>' in html
    assert 'id="comment-form-author_email-error">Please enter your email address.</span>' in html
    assert "Your comment was not posted." in html
    assert Comment.objects.count() == 0


def test_a_redisplayed_form_posts_again_to_the_endpoint_and_the_form_anchor(post, ost):
    """The re-rendered form still posts to /comments/post/ and lands on #respond."""
    html = post(ost, body="").content.decode()
    assert 'action="/comments/post/#respond"' in html
    assert 'name="target_type" value="ost"' in html
    assert f'name="target_id" value="{ost.pk}"' in html


def test_a_too_long_name_is_refused_with_the_text_kept(post):
    """One character over a limit: 400 with the limit in the message and the comment kept."""
    response = post(None, author_name="N" * 246)
    assert response.status_code == 400
    assert "Ensure this value has at most 245 characters (it has 246)." in response.content.decode()
    assert BODY_IN_HTML in response.content.decode()


def test_a_comment_at_the_length_limit_is_accepted(post):
    """A comment of exactly 65,525 characters is posted."""
    assert post(None, body="c" * 65525).status_code == 302
    assert len(Comment.objects.get().body) == 65525


def test_posting_too_quickly_answers_429_with_the_text_kept(post, ost, settings):
    """A second comment from the same IP within 15 s: "You are posting comments too quickly. Slow down." (429)."""
    settings.COMMENTS_MIN_INTERVAL_SECONDS = 15
    assert post(ost).status_code == 302
    response = post(ost, body="A second thought")
    html = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "15"
    assert "You are posting comments too quickly. Slow down." in html
    assert "\nA second thought</textarea>" in html
    assert post(ost, ip="192.0.2.99", body="A second thought").status_code == 302


def test_the_rate_limit_lifts_after_the_interval(post, ost, settings):
    """Once the interval has passed, the same IP may post again."""
    settings.COMMENTS_MIN_INTERVAL_SECONDS = 15
    assert post(ost).status_code == 302
    Comment.objects.update(created_at=Comment.objects.get().created_at - timedelta(seconds=16))
    assert post(ost, body="A second thought").status_code == 302


def test_a_duplicate_comment_is_refused_with_the_wordpress_message(post, ost):
    """Same email, same page, same text: 409 and "Duplicate comment detected; …" with the text kept."""
    make_comment(ost, author_email="minji@example.com", body=BODY)
    response = post(ost)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Duplicate comment detected; it looks as though you’ve already said that!" in html
    assert BODY_IN_HTML in html
    assert Comment.objects.count() == 1


def test_a_filled_honeypot_is_quietly_kept_as_spam(post, ost):
    """The robot is redirected as if all went well; the comment is spam and never shown."""
    response = post(ost, comment_hp="http://spam.example")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert response.status_code == 302
    assert response["Location"] == "/osts/drama-song/#comments"
    assert BODY_IN_HTML not in Client().get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "timestamp, message, kept",
    [
        (lambda: sign_timestamp(), TOO_SOON, True),
        (lambda: "forged:value", FORGED, False),
        (lambda: sign_timestamp(time.time() - 2 * 24 * 3600), STALE, False),
    ],
    ids=["too-soon", "forged", "stale"],
)
def test_a_bad_timestamp_is_refused_with_a_message_and_the_text_kept(post, ost, settings, timestamp, message, kept):
    """Too soon, forged or stale: 400 with a clear message and the text kept; a forged or stale timestamp is
    replaced by a new one, while one sent too soon is kept, its clock still running from when the page loaded."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 2
    sent = timestamp()
    response = post(ost, timestamp=sent)
    html = response.content.decode()
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in html
    assert BODY_IN_HTML in html
    assert (f'name="timestamp" value="{sent}"' in html) is kept
    assert 'name="timestamp" value="' in html
    assert Comment.objects.count() == 0


def sent_timestamp(html):
    return re.search(r'name="timestamp" value="([^"]*)"', html)[1]


def test_a_reader_who_fixes_a_typo_within_two_seconds_is_accepted(post, ost, settings):
    """The page was loaded a minute ago; refused for a bad email, the reader fixes it and sends again at once:
    the form's age is counted from the first load, so the second send is not taken for a robot."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 2
    first = post(ost, author_email="minji@example")
    assert first.status_code == 400
    assert "Please enter a valid email address" in first.content.decode()
    again = post(ost, timestamp=sent_timestamp(first.content.decode()))
    assert again.status_code == 302
    assert Comment.objects.get().author_email == "minji@example.com"


@pytest.mark.parametrize(
    "target_type, target_id, status, message",
    [
        ("playlist", "1", 400, "We could not tell which page your comment is for."),
        ("", "", 400, "We could not tell which page your comment is for."),
        ("home", "3", 400, "We could not tell which page your comment is for."),
        ("ost", "999999", 404, "The page you commented on does not exist (any more)."),
        ("show", "abc", 404, "The page you commented on does not exist (any more)."),
        ("group", "", 404, "The page you commented on does not exist (any more)."),
    ],
)
def test_an_unknown_target_gets_a_page_with_a_message_and_the_text(post, target_type, target_id, status, message):
    """Never a 500: a 400/404 page that says what went wrong and shows the comment to copy."""
    response = post(None, target_type=target_type, target_id=target_id, body="<b>My words</b>")
    html = response.content.decode()
    assert response.status_code == status
    assert message in html
    assert "&lt;b&gt;My words&lt;/b&gt;</textarea>" in html
    assert Comment.objects.count() == 0


def test_a_reply_is_saved_under_its_parent(post, ost):
    """A reply to an approved comment on the same page is stored with its parent."""
    parent = make_comment(ost)
    post(ost, parent=parent.pk)
    assert Comment.objects.get(parent=parent).ost == ost


def test_a_reply_to_a_held_comment_is_refused_and_offered_as_a_new_comment(post, ost):
    """400 with a clear message; the form comes back with the text and no longer as a reply."""
    parent = make_comment(ost, status=Comment.Status.PENDING)
    response = post(ost, parent=parent.pk)
    html = response.content.decode()
    assert response.status_code == 400
    assert PARENT_GONE in html
    assert BODY_IN_HTML in html
    assert '<input type="hidden" name="parent" id="comment-form-parent">' in html
    assert "Leave a Reply<span" in html and "Leave a Reply to" not in html


def test_a_reply_to_a_comment_on_another_page_is_refused(post, ost):
    """A reply must belong to the same page as its parent."""
    elsewhere = make_comment(make_ost())
    response = post(ost, parent=elsewhere.pk)
    assert response.status_code == 400
    assert PARENT_GONE in response.content.decode()


def test_an_invalid_reply_comes_back_as_a_reply(post, ost):
    """A reply refused for a missing field comes back still as "Leave a Reply to NAME"."""
    parent = make_comment(ost, author_name="Hae-won")
    html = post(ost, parent=parent.pk, author_name="").content.decode()
    assert "Leave a Reply<span class=\"reply-to-name\"> to Hae-won</span>" in html
    assert f'name="parent" value="{parent.pk}"' in html


def test_html_in_every_field_is_shown_as_text(post, ost):
    """Markup and scripts in the comment and the name are escaped, never run."""
    make_comment(author_email="minji@example.com")
    post(ost, body='<script>alert("x")</script><b>bold</b>', author_name="<img src=x onerror=alert(1)>")
    html = Client().get(ost.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_html_is_escaped_in_a_redisplayed_form(post, ost):
    """The reader's text comes back escaped in the textarea."""
    html = post(ost, body="</textarea><script>alert(1)</script>", author_email="").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html


def test_csrf_protection_stays_on(ost):
    """A post without the CSRF token is refused."""
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("comments:post"), form_data(ost)).status_code == 403
    assert Comment.objects.count() == 0


def test_ticking_remember_sets_the_author_cookies(post, ost):
    """Name, email and website are kept in cookies for a year, out of JavaScript's reach."""
    response = post(ost, remember="on", author_name="김민지", author_url="https://minji.example")
    cookies = response.cookies
    assert cookies["comment_author"].value == "%EA%B9%80%EB%AF%BC%EC%A7%80"
    assert cookies["comment_author_email"].value == "minji%40example.com"
    assert cookies["comment_author_url"].value == "https%3A//minji.example"
    for name in ["comment_author", "comment_author_email", "comment_author_url"]:
        assert cookies[name]["max-age"] == 365 * 24 * 3600
        assert cookies[name]["httponly"] and cookies[name]["samesite"] == "Lax"


def test_not_ticking_remember_clears_the_author_cookies(client, post, ost):
    """Unticked: nothing about the reader stays in the browser."""
    post(ost, remember="on", author_url="https://minji.example")
    assert client.cookies["comment_author"].value
    response = post(ost, ip="192.0.2.2", body="Another one")
    for name in ["comment_author", "comment_author_email", "comment_author_url"]:
        assert response.cookies[name].value == ""
        assert response.cookies[name]["max-age"] == 0
    assert all(not client.cookies[name].value for name in ["comment_author", "comment_author_email"])


def test_a_refused_post_sets_no_cookies(post, ost):
    """Cookies are only set by a successful post."""
    response = post(ost, remember="on", body="")
    assert "comment_author" not in response.cookies


def test_a_refused_post_is_never_served_from_or_stored_in_the_page_cache(client, post, ost, settings):
    """The page with the reader's text and email is theirs alone: built fresh, and not kept for the next visitor."""
    settings.PAGE_CACHE_SECONDS = 3600
    Client().get(ost.get_absolute_url())  # the page is now cached
    html = post(ost, author_name="", author_email="private@example.com").content.decode()
    assert "Please enter your name." in html and 'value="private@example.com"' in html
    for _ in range(2):
        assert "private@example.com" not in Client().get(ost.get_absolute_url()).content.decode()
