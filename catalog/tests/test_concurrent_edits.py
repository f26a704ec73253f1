"""Two editors saving the same entry a moment apart: the second is told, keeps what they typed, and nothing is
overwritten."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from catalog.models import OST, Group

from .admin_forms import as_post, form_data
from .factories import make_group, make_ost

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(admin_user):
    other = get_user_model().objects.create_superuser("hae-won", "haewon@example.com", "a-long-test-password")
    first, second = Client(), Client()
    first.force_login(admin_user)
    second.force_login(other)
    return first, second


def test_the_second_save_is_refused_and_keeps_what_was_typed(two_editors):
    first, second = two_editors
    song = make_ost(title="Night Bus", notes="Original notes.")
    url = reverse("admin:catalog_ost_change", args=[song.pk])
    first_form, second_form = form_data(first.get(url)), form_data(second.get(url))

    first_form["notes"] = "The first editor's notes."
    assert first.post(url, as_post(first_form)).status_code == 302

    second_form["notes"] = "The second editor's notes."
    response = second.post(url, as_post(second_form))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone saved this OST after you opened the page" in html
    assert "The second editor&#x27;s notes." in html  # Still in the box.
    assert OST.objects.get(pk=song.pk).notes == "The first editor's notes."


def test_saving_again_after_reopening_works(two_editors):
    """Having reopened the page, the second editor saves on top of the first's change."""
    first, second = two_editors
    song = make_ost(title="Night Bus")
    url = reverse("admin:catalog_ost_change", args=[song.pk])
    stale = form_data(second.get(url))
    first_form = form_data(first.get(url))
    first_form["notes"] = "First."
    first.post(url, as_post(first_form))
    stale["notes"] = "Second."
    assert second.post(url, as_post(stale)).status_code == 200
    fresh = form_data(second.get(url))
    assert fresh["notes"] == "First."
    fresh["notes"] = "First, then second."
    assert second.post(url, as_post(fresh)).status_code == 302
    assert OST.objects.get(pk=song.pk).notes == "First, then second."


def test_groups_are_guarded_too(two_editors):
    first, second = two_editors
    group = make_group(name="Lumen")
    url = reverse("admin:catalog_group_change", args=[group.pk])
    first_form, second_form = form_data(first.get(url)), form_data(second.get(url))
    first_form["description"] = "By the first editor."
    first.post(url, as_post(first_form))
    second_form["description"] = "By the second editor."
    assert "Someone saved this idol group after you opened the page" in second.post(url, as_post(second_form)).content.decode()
    assert Group.objects.get(pk=group.pk).description == "By the first editor."
