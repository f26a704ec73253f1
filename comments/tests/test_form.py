import time

import pytest
from django.core import signing

from catalog.tests.factories import make_ost
from comments.forms import FORGED, PARENT_GONE, STALE, TOO_SOON, CommentForm, sign_timestamp
from comments.models import Comment

from .factories import form_data, make_comment

pytestmark = pytest.mark.django_db

EMAIL_DOMAIN = "@example.com"


def errors_for(target=None, **overrides):
    form = CommentForm(target, form_data(target, **overrides))
    form.is_valid()
    return form.errors


def test_a_complete_form_is_valid(ost):
    """Comment, name and email are enough; the website is optional."""
    assert errors_for(ost) == {}


@pytest.mark.parametrize(
    "field, message",
    [
        ("body", "Please type your comment."),
        ("author_name", "Please enter your name."),
        ("author_email", "Please enter your email address."),
    ],
)
def test_each_required_field_has_its_own_message(field, message):
    """A missing comment, name or email gets a message beside that field."""
    assert errors_for(**{field: ""})[field] == [message]


def test_a_comment_of_only_spaces_counts_as_missing():
    """Whitespace alone is not a comment."""
    assert errors_for(body="  \r\n  ")["body"] == ["Please type your comment."]


def test_invalid_email_and_website_are_refused_with_a_message():
    """An address that is not one gets a message saying what is expected."""
    errors = errors_for(author_email="not-an-address", author_url="http://")
    assert errors["author_email"] == ["Please enter a valid email address, like name@example.com."]
    assert errors["author_url"] == ["Please enter a web address like https://example.com, or leave Website empty."]


def test_a_website_without_scheme_gets_https():
    """"example.com" is understood as https://example.com."""
    form = CommentForm(None, form_data(author_url="example.com"))
    assert form.is_valid()
    assert form.cleaned_data["author_url"] == "https://example.com"


def test_a_javascript_url_is_not_a_website():
    """Only web addresses are linked from a name, never javascript: URLs."""
    assert "author_url" in errors_for(author_url="javascript:alert(1)")


LIMITS = {
    "author_name": (245, lambda n: "N" * n),
    "author_email": (100, lambda n: "e" * (n - len(EMAIL_DOMAIN)) + EMAIL_DOMAIN),
    "author_url": (200, lambda n: "https://example.com/" + "p" * (n - len("https://example.com/"))),
    "body": (65525, lambda n: "c" * n),
}


@pytest.mark.parametrize("field", LIMITS)
def test_each_field_accepts_exactly_its_limit(field):
    """Name 245, email 100, website 200 and comment 65,525 characters are accepted."""
    limit, value_of_length = LIMITS[field]
    assert len(value_of_length(limit)) == limit
    assert errors_for(**{field: value_of_length(limit)}) == {}


@pytest.mark.parametrize("field", LIMITS)
def test_each_field_refuses_one_character_over_its_limit(field):
    """One character more is refused, with the limit and the length in the message."""
    limit, value_of_length = LIMITS[field]
    assert errors_for(**{field: value_of_length(limit + 1)})[field] == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


def test_line_breaks_count_as_one_character():
    """Browsers send line breaks as CR LF; the limit counts them as one, like the textarea's maxlength."""
    body = ("c" * 99 + "\r\n") * 655 + "c" * 25  # 65,525 characters with LF line breaks
    form = CommentForm(None, form_data(body=body))
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["body"]) == 65525


def test_the_form_carries_a_fresh_signed_timestamp():
    """A new form holds the time it was served, signed so that it cannot be forged."""
    form = CommentForm(None)
    served_at = signing.loads(form.initial["timestamp"], salt="comments.form-timestamp")
    assert time.time() - served_at < 5


def test_a_form_sent_back_too_soon_is_refused(settings):
    """Sent within the minimum form age (2 s by default) of being served: refused, as a robot would do it."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 2
    assert errors_for(timestamp=sign_timestamp())["timestamp"] == [TOO_SOON]
    assert errors_for(timestamp=sign_timestamp(time.time() - 3)) == {}


def test_the_minimum_form_age_can_be_turned_off(settings):
    """Tests and load tests may set the minimum form age to 0."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 0
    assert errors_for(timestamp=sign_timestamp()) == {}


@pytest.mark.parametrize(
    "timestamp",
    [
        "",
        "garbage",
        signing.dumps(time.time() - 60, salt="another-salt"),
        sign_timestamp(time.time() - 60)[:-2] + "xx",
        signing.dumps(time.time() - 60, salt="comments.form-timestamp", key="not-our-secret"),
    ],
    ids=["missing", "garbage", "other-salt", "tampered", "other-key"],
)
def test_a_forged_timestamp_is_refused(timestamp):
    """A timestamp that is missing or not signed by us is refused with a message."""
    assert errors_for(timestamp=timestamp)["timestamp"] == [FORGED]


def test_a_stale_form_is_refused(settings, monkeypatch):
    """A form served more than a day ago is refused with a message."""
    timestamp = sign_timestamp()
    served = time.time()
    monkeypatch.setattr(time, "time", lambda: served + settings.COMMENTS_MAX_FORM_AGE_SECONDS + 10)
    assert errors_for(timestamp=timestamp)["timestamp"] == [STALE]


def test_the_honeypot_marks_the_form_as_spam():
    """A filled honeypot makes the form spam (quietly: the form is still valid)."""
    form = CommentForm(None, form_data(comment_hp="http://buy.example"))
    assert form.is_valid()
    assert form.is_spam
    form = CommentForm(None, form_data())
    assert form.is_valid() and not form.is_spam


def test_a_reply_to_an_approved_comment_on_the_same_page_is_valid(ost):
    """A reply names its parent, which must be published on the same page."""
    parent = make_comment(ost)
    form = CommentForm(ost, form_data(ost, parent=parent.pk))
    assert form.is_valid(), form.errors
    assert form.save(commit=False).parent == parent


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH])
def test_a_reply_to_an_unpublished_comment_is_refused(ost, status):
    """Only approved comments can be replied to."""
    parent = make_comment(ost, status=status)
    assert errors_for(ost, parent=parent.pk)["parent"] == [PARENT_GONE]


def test_a_reply_to_a_comment_on_another_page_is_refused(ost):
    """A reply belongs to the same page as its parent."""
    elsewhere = make_comment(make_ost())
    on_home = make_comment(None)
    assert errors_for(ost, parent=elsewhere.pk)["parent"] == [PARENT_GONE]
    assert errors_for(ost, parent=on_home.pk)["parent"] == [PARENT_GONE]
    assert errors_for(None, parent=elsewhere.pk)["parent"] == [PARENT_GONE]


@pytest.mark.parametrize("parent", ["999999", "abc"])
def test_a_reply_to_a_missing_comment_is_refused(parent):
    """A parent that does not exist gets the same clear message."""
    assert errors_for(parent=parent)["parent"] == [PARENT_GONE]


def test_redisplay_renews_a_forged_timestamp_and_drops_a_refused_parent(ost):
    """Shown again, a form with a forged timestamp gets a new one and stops being a reply to a comment it cannot answer."""
    parent = make_comment(ost, status=Comment.Status.PENDING)
    form = CommentForm(ost, form_data(ost, parent=parent.pk, timestamp="forged"))
    assert not form.is_valid()
    form.prepare_redisplay()
    assert form.data["parent"] == ""
    assert signing.loads(form.data["timestamp"], salt="comments.form-timestamp")
    assert form.data["body"] == form_data()["body"]


def test_redisplay_keeps_the_time_the_page_was_first_served(ost):
    """A form refused for another reason keeps its signed timestamp: its age still counts from the first load."""
    served = sign_timestamp(time.time() - 30)
    form = CommentForm(ost, form_data(ost, author_name="", timestamp=served))
    assert not form.is_valid()
    form.prepare_redisplay()
    assert form.data["timestamp"] == served


def test_fields_with_errors_point_to_their_message():
    """Screen readers read the error with the field (aria-describedby)."""
    form = CommentForm(None, form_data(author_email="nope"))
    form.is_valid()
    html = str(form["author_email"])
    assert 'aria-describedby="email-notes comment-form-author_email-error"' in html
    assert 'aria-invalid="true"' in html
