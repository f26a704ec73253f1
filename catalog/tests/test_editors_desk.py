"""The editors' desk speaks the editors' language: the site's name, idol groups told apart, deletions in words."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from catalog.models import OST

from .admin_forms import field_errors, form_data, post_form
from .factories import make_group, make_language, make_member, make_ost, make_show

pytestmark = pytest.mark.django_db


def test_the_sites_name_heads_the_admin(admin_client):
    """Every admin page is headed and titled with the archive's name, never "Django administration"."""
    response = admin_client.get(reverse("admin:index"))
    assertContains(response, '<a href="/admin/">Idol OST Archive</a>', html=True)
    assertContains(response, "<title>Editors’ desk | Idol OST Archive editors</title>", html=True)
    assertNotContains(response, "Django administration")
    assertNotContains(response, "Django site admin")


def test_idol_groups_and_permission_groups_are_told_apart(admin_client):
    """The dashboard lists "Idol groups" under the catalogue and the accounts' "Groups" under authentication."""
    response = admin_client.get(reverse("admin:index"))
    assertContains(response, f'<a href="{reverse("admin:catalog_group_changelist")}">Idol groups</a>', html=True)
    assertContains(response, f'<a href="{reverse("admin:auth_group_changelist")}">Groups</a>', html=True)


def test_the_sign_in_records_are_named_for_editors(admin_client):
    """django-axes' records of failed sign-ins sit under "Sign-in limits", not the library's name."""
    response = admin_client.get(reverse("admin:index"))
    assertContains(response, "Sign-in limits")
    assertNotContains(response, ">Axes<")


def test_a_delete_confirmation_names_what_will_go(admin_client):
    """Deleting an OST lists its singers and languages by name, not as "OST_singers object (19)"."""
    group = make_group(name="Lumen")
    ara = make_member(group=group, stage_name="Ara")
    song = make_ost(title="Night Bus", artist=group, singers=[ara], languages=[make_language(name="Korean")])
    response = admin_client.get(reverse("admin:catalog_ost_delete", args=[song.pk]))
    html = response.content.decode()
    assert "Singers of “Night Bus”: Ara" in html
    assert "Languages of “Night Bus”: Korean" in html
    assert "object (" not in html
    assert "relationship" not in html


def test_the_ost_form_has_one_release_box_and_no_creation_stamp(admin_client):
    """No editable "Created at", and one "Released" box instead of a year and a date side by side."""
    song = make_ost(released_on=datetime.date(2022, 5, 22), release_year=None)
    data = form_data(admin_client.get(reverse("admin:catalog_ost_change", args=[song.pk])))
    assert data["release"] == "2022-05-22"
    assert not {"created_at", "created_at_0", "release_year", "released_on"} & set(data)


@pytest.mark.parametrize(
    "typed, stored",
    [("2021", (None, 2021)), ("2021-06-01", (datetime.date(2021, 6, 1), 2021)), ("", (None, None))],
)
def test_the_release_box_takes_a_date_or_a_year(admin_client, typed, stored):
    """A year alone, a full date (which gives the year), or nothing at all."""
    song = make_ost(release_year=2022, show=make_show(first_year=2021))
    response = post_form(admin_client, reverse("admin:catalog_ost_change", args=[song.pk]), {"release": typed})
    assert response.status_code == 302
    song.refresh_from_db()
    assert (song.released_on, song.release_year) == stored


def test_a_release_that_is_neither_a_date_nor_a_year_is_refused(admin_client):
    """"May 2021" is refused with an example of what to write, and the song keeps its year."""
    song = make_ost(release_year=2022)
    response = post_form(admin_client, reverse("admin:catalog_ost_change", args=[song.pk]), {"release": "May 2021"})
    assert field_errors(response, "release") == ["Write the date as 2022-05-22, or just the year, like 2022."]
    assert OST.objects.get(pk=song.pk).release_year == 2022
