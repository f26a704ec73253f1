import pytest
from django.urls import reverse

from catalog.tests.factories import make_ost

from .factories import form_data


@pytest.fixture
def ost(db):
    return make_ost(title="Drama Song", slug="drama-song")


@pytest.fixture
def post(client):
    """Post the comment form as a browser would (from 192.0.2.1 unless told otherwise)."""

    def post(target=None, ip="192.0.2.1", **overrides):
        return client.post(
            reverse("comments:post"), form_data(target, **overrides), REMOTE_ADDR=ip, HTTP_USER_AGENT="TestBrowser/1.0"
        )

    return post
