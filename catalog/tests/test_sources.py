"""Sources beside facts: attached in the admin to OSTs, shows, groups, members and memberships, listed on the
public pages, and seeded from the fact sheets for the fixture's sourced facts."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from catalog.models import OST, Group, Member, Membership, Show, Source

from .admin_forms import as_post, field_errors, form_data
from .factories import make_group, make_member, make_ost

pytestmark = pytest.mark.django_db


def add_source(client, entry, **fields):
    """Fill the entry's first empty Sources row on its admin page and save."""
    url = reverse(f"admin:catalog_{entry._meta.model_name}_change", args=[entry.pk])
    data = form_data(client.get(url))
    prefix = next(name[: -len("-TOTAL_FORMS")] for name in data if name.startswith("catalog-source-"))
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in fields.items():
        data[f"{prefix}-{row}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(row + 1)
    return client.post(url, as_post(data)), prefix, row


def test_a_source_attached_to_an_ost_is_listed_on_its_page(admin_client, client):
    """An editor adds a source on the OST's admin page; the song's public page lists it with what it supports."""
    song = make_ost(title="Night Bus")
    response, _, _ = add_source(
        admin_client, song, url="https://news.example/night-bus", title="News Example",
        accessed_on="2026-11-20", supports="release date",
    )
    assert response.status_code == 302
    page = client.get(song.get_absolute_url())
    assertContains(page, '<h2 id="sources-heading">Sources</h2>', html=True)
    assertContains(page, '<a href="https://news.example/night-bus" rel="nofollow noopener">News Example</a>', html=True)
    assertContains(page, "(release date)")
    assertContains(page, "read on 20 November 2026")


@pytest.mark.parametrize("address", ["ftp://files.example/list.txt", "javascript:alert(1)", "file:///etc/passwd"])
def test_a_source_that_is_not_a_web_page_is_refused(admin_client, address):
    """Only http(s) addresses: anything else is refused on the address, and nothing is saved."""
    group = make_group(name="Lumen")
    response, prefix, row = add_source(admin_client, group, url=address, title="Somewhere")
    assert response.status_code == 200
    errors = field_errors(response, "url", prefix, row)
    assert errors in (
        ["Give the address of a web page, starting with http:// or https://."],
        ["Enter a valid URL."],
    )
    assert not Source.objects.exists()


def test_the_database_refuses_a_source_that_is_not_a_web_page():
    group = make_group()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(entry=group, url="ftp://files.example/", title="Files")


def test_the_model_says_so_in_words():
    source = Source(entry=make_group(), url="ftp://files.example/", title="Files")
    with pytest.raises(ValidationError) as refusal:
        source.full_clean()
    assert refusal.value.message_dict["url"] == ["Give the address of a web page, starting with http:// or https://."]


def test_membership_and_member_sources_show_on_the_member_and_group_pages(admin_client, client):
    """A source for a membership (say, the date someone left) is listed on both the member's and the group's page."""
    group = make_group(name="Lumen")
    ara = make_member(group=group, stage_name="Ara")
    membership = Membership.objects.get()
    Source.objects.create(entry=membership, url="https://news.example/ara-leaves", title="Ara leaves", supports="status")
    Source.objects.create(entry=ara, url="https://news.example/ara", title="Ara profile", supports="native name")
    member_page = client.get(ara.get_absolute_url())
    assertContains(member_page, "Ara leaves")
    assertContains(member_page, "Ara profile")
    assertContains(client.get(group.get_absolute_url()), "Ara leaves")


def test_a_page_without_sources_has_no_sources_section(client):
    song = make_ost()
    assertNotContains(client.get(song.get_absolute_url()), "sources-heading")


@pytest.mark.usefixtures("article_data")
class TestSeededSources:
    def test_every_group_show_and_member_carries_its_sources(self):
        """All 12 groups, 16 shows and 79 members have their facts' sources, each an http(s) page."""
        for model in (Group, Show, Member):
            cited = set(Source.objects.filter(content_type=ContentType.objects.get_for_model(model))
                        .values_list("object_id", flat=True))
            assert cited == set(model.objects.values_list("pk", flat=True)), model
        assert all(url.startswith(("http://", "https://")) for url in Source.objects.values_list("url", flat=True))

    def test_osts_with_only_article_facts_have_none(self):
        """Songs the fact sheets know only from the article (Let Me Dance, Hey Gabby, Sprinkle Party, Gonna Be
        Fine) cite no source; every other song does."""
        uncited = set(OST.objects.exclude(pk__in=Source.objects.filter(ost__isnull=False).values("object_id"))
                      .values_list("slug", flat=True))
        assert uncited == {"let-me-dance", "hey-gabby", "sprinkle-party", "gonna-be-fine"}

    def test_aespas_page_lists_its_sources(self, client):
        page = client.get(Group.objects.get(slug="aespa").get_absolute_url())
        assertContains(page, '<a href="https://biaslist.com/artist/aespa/" rel="nofollow noopener">biaslist.com</a>', html=True)
        assertContains(page, "(name, native name, kind, agency, debut date)")

    def test_soojins_departure_is_sourced(self):
        """The date Soojin left (G)I-DLE comes with the Korean news pages that reported it."""
        soojin = Membership.objects.get(member__slug="soojin")
        assert set(soojin.sources.values_list("url", flat=True)) >= {"https://m.segye.com/ampView/20210815503814"}
