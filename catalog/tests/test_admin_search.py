"""Finding OSTs in the admin: search by title, singer, group or show; filters by group, show, kind of show,
language and year; a link from each row to the public page."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from catalog.models import Group, Language, OST, Show

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("article_data")]

CHANGELIST = reverse("admin:catalog_ost_changelist")


def listed(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {ost.slug for ost in response.context["cl"].result_list}


@pytest.mark.parametrize(
    "query, slugs",
    [
        ("Seungmin", {"here-always", "close-to-you"}),
        ("승민", {"here-always", "close-to-you"}),
        ("Ningning", {"once-again"}),
        ("TXT", {"everlasting-shine", "your-light", "love-sight"}),
        ("Tower of God", {"top", "slump"}),
        ("우리들의 블루스", {"once-again", "star"}),
        ("Love, Maybe", {"love-maybe"}),
    ],
)
def test_search_by_title_singer_group_or_show(admin_client, query, slugs):
    """Each word an editor might type finds exactly the songs it names."""
    assert listed(admin_client, q=query) == slugs


def test_filter_by_group(admin_client):
    group = Group.objects.get(slug="stray-kids")
    assert listed(admin_client, artist__id__exact=group.pk) == {"here-always", "close-to-you", "top", "slump"}


def test_filter_by_show(admin_client):
    show = Show.objects.get(slug="black-clover")
    assert listed(admin_client, show__id__exact=show.pk) == {"beautiful", "everlasting-shine"}


def test_filter_by_kind_of_show_is_titled_so(admin_client):
    """The filter of the show's kind says so ("By kind of show"), and keeps the web dramas only."""
    response = admin_client.get(CHANGELIST)
    assertContains(response, "By kind of show")
    assert listed(admin_client, show__kind__exact=Show.Kind.WEB_DRAMA) == {
        "i-need-the-light", "bff-best-friend-forever", "gonna-be-fine"
    }


def test_filter_by_language_and_year(admin_client):
    japanese = Language.objects.get(code="ja")
    assert listed(admin_client, languages__id__exact=japanese.pk, release_year=2021) == {"forget-me-not", "beautiful"}


def test_each_row_links_to_its_public_page(admin_client):
    """A "View" link in every row opens the song's page on the site."""
    html = admin_client.get(CHANGELIST).content.decode()
    for ost in OST.objects.all():
        assert f'<a href="{ost.get_absolute_url()}" aria-label="{ost.title.replace("&", "&amp;")} on the site">View</a>' in html.replace("&#x27;", "'"), ost
