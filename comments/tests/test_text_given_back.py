"""A comment refused by the CSRF check comes back on our own page, escaped, in a form that sends it again."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from comments.forms import sign_timestamp
from comments.models import Comment

from .factories import form_data

pytestmark = pytest.mark.django_db

WRITTEN = "<script>alert('x')</script> My favourite & best OST"
WRITTEN_IN_HTML = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; My favourite &amp; best OST"


def field_value(html, name):
    match = re.search(rf'name="{name}"(?: [^>]*)? value="([^"]*)"', html) or re.search(rf'value="([^"]*)" name="{name}"', html)
    return match and match[1]


@pytest.fixture
def csrf_client():
    """A client that enforces the CSRF check, as a browser meets it."""
    return Client(enforce_csrf_checks=True)


def test_a_post_without_the_csrf_cookie_gives_the_comment_back_to_send_again(csrf_client, ost):
    """403 with our page: the reader's words escaped in the form, every field kept, a new token to send it with."""
    served = sign_timestamp(time.time() - 60)
    data = form_data(ost, body=WRITTEN, author_url="https://minji.example", remember="on", timestamp=served)
    response = csrf_client.post(reverse("comments:post"), data, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 403
    html = response.content.decode()
    assertContains(response, "Your comment is not posted yet", status_code=403)
    assertContains(response, "We could not confirm that the form came from this site", status_code=403)
    assert f">\n{WRITTEN_IN_HTML}</textarea>" in html
    assert "<script>alert" not in html
    assert field_value(html, "author_name") == "Min-ji"
    assert field_value(html, "author_email") == "minji@example.com"
    assert field_value(html, "author_url") == "https://minji.example"
    assert field_value(html, "target_type") == "ost" and field_value(html, "target_id") == str(ost.pk)
    # The form-age clock still runs from when the page was first loaded.
    assert field_value(html, "timestamp") == served
    assert re.search(r'name="remember"[^>]* checked', html)
    assert 'action="/comments/post/#respond"' in html
    assert Comment.objects.count() == 0

    # The page set a new CSRF cookie and put its token in the form: sending it again works.
    token = field_value(html, "csrfmiddlewaretoken")
    assert token and "csrftoken" in response.cookies
    resent = csrf_client.post(reverse("comments:post"), {**data, "csrfmiddlewaretoken": token}, REMOTE_ADDR="192.0.2.1")
    assert resent.status_code == 302
    assert Comment.objects.get().body == WRITTEN


def test_a_token_that_does_not_match_the_cookie_also_gives_the_text_back(csrf_client, ost):
    """A stale token (the cookie changed in another tab) is refused the same way, text kept."""
    csrf_client.get(ost.get_absolute_url())
    data = form_data(ost, body="Kept through a stale token", csrfmiddlewaretoken="x" * 64)
    response = csrf_client.post(reverse("comments:post"), data)
    assertContains(response, "Kept through a stale token</textarea>", status_code=403)


def test_a_stale_or_forged_timestamp_is_replaced_on_the_page_given_back(csrf_client, ost):
    """A form too old to be accepted any more gets a new timestamp, so sending again can work."""
    stale = sign_timestamp(time.time() - 3 * 24 * 3600)
    response = csrf_client.post(reverse("comments:post"), form_data(ost, timestamp=stale))
    html = response.content.decode()
    assert response.status_code == 403
    assert field_value(html, "timestamp") not in ("", stale, None)


def test_other_forms_get_our_generic_page(csrf_client):
    """The admin's sign-in form without its cookie: our page with what to do, not Django's bare 403."""
    response = csrf_client.post("/admin/login/", {"username": "editor", "password": "x"})
    assertContains(response, "Your form was not sent", status_code=403)
    assertContains(response, "Go back, reload the page and send the form again", status_code=403)
    assertNotContains(response, "CSRF verification failed", status_code=403)
