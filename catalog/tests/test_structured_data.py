"""JSON-LD on the catalogue pages parses, uses schema.org types, and says what the page shows."""

import json

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from catalog import structured_data
from catalog.models import OST, Group, Member, Membership, Show
from catalog.tests.factories import make_group, make_language, make_member, make_ost, make_show
from catalog.tests.html import read_page

BASE = "http://testserver"


def absolute(path):
    return BASE + path


def crumbs_match(page):
    """The BreadcrumbList names and URLs are the visible breadcrumbs, in order."""
    items = page.ld("BreadcrumbList")["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    assert [item["name"] for item in items] == [text for text, _ in page.breadcrumbs]
    # Every crumb but the current page is a link to the item's URL.
    assert [item["item"] for item in items[:-1]] == [absolute(href) for _, href in page.breadcrumbs[:-1]]
    assert page.breadcrumbs[-1][1] is None
    return items


@pytest.mark.usefixtures("article_data")
class TestPages:
    def test_every_ost_page_names_the_song_its_singers_and_languages(self, client):
        """Each OST's MusicRecording has the h1 as name, the bright lineup chips as byArtist, and the language codes."""
        for ost in OST.objects.prefetch_related("languages"):
            page = read_page(client.get(ost.get_absolute_url()))
            data = page.ld("MusicRecording")
            assert data["@context"] == "https://schema.org"
            assert data["name"] == page.h1 == ost.title
            assert data["url"] == absolute(ost.get_absolute_url())
            sang = {name for name, classes, _ in page.chips if "chip-sang" in classes}
            if ost.sung_by_whole_group:
                assert data["byArtist"] == {"@type": "MusicGroup", "name": ost.artist.name, "url": absolute(ost.artist.get_absolute_url())}
            else:
                artists = data["byArtist"]
                assert {artist["@type"] for artist in artists} == {"Person"}
                assert {artist["name"] for artist in artists} == sang, ost
                chip_urls = {name: absolute(href) for name, _, href in page.chips}
                assert all(artist["url"] == chip_urls[artist["name"]] for artist in artists)
            codes = [language.code for language in ost.languages.all()]
            assert data.get("inLanguage", []) in (codes, codes[0] if len(codes) == 1 else None)
            assert data["isPartOf"]["name"] == ost.show.title
            assert [item["name"] for item in crumbs_match(page)] == ["Home", "OSTs", ost.title]

    def test_once_again_is_a_recording_by_winter_and_ningning(self, client):
        """The article's example: two Persons of aespa, not the whole group."""
        data = read_page(client.get("/osts/once-again/")).ld("MusicRecording")
        assert sorted(artist["name"] for artist in data["byArtist"]) == ["Ningning", "Winter"]
        assert all(artist["memberOf"]["name"] == "aespa" for artist in data["byArtist"])

    def test_group_pages_list_the_lineup_as_members(self, client):
        """MusicGroup: name is the h1, members are the current lineup chips and alumni the former ones."""
        for group in Group.objects.all():
            page = read_page(client.get(group.get_absolute_url()))
            data = page.ld("MusicGroup")
            assert data["name"] == group.name
            assert page.h1.startswith(group.name)
            current = [name for name, classes, _ in page.chips if "chip-former" not in classes]
            former = [name for name, classes, _ in page.chips if "chip-former" in classes]
            assert [person["name"] for person in data.get("member", [])] == current
            assert [person["name"] for person in data.get("alumni", [])] == former
            assert {track["name"] for track in data.get("track", [])} == set(group.osts.values_list("title", flat=True))
            assert [item["name"] for item in crumbs_match(page)] == ["Home", "Groups", group.name]

    def test_member_pages_are_people_of_their_groups(self, client):
        """Person: name is the h1, memberOf their current groups."""
        for member in Member.objects.prefetch_related("memberships__group")[:30]:
            page = read_page(client.get(member.get_absolute_url()))
            data = page.ld("Person")
            assert data["name"] == page.h1 == member.stage_name
            groups = {m.group.name for m in member.memberships.all() if not m.is_former}
            assert {group["name"] for group in data.get("memberOf", [])} == groups
            crumbs_match(page)

    def test_show_pages_are_tv_series(self, client):
        """TVSeries: name is the h1 and the start date is the premiere or first year."""
        for show in Show.objects.all():
            page = read_page(client.get(show.get_absolute_url()))
            data = page.ld("TVSeries")
            assert data["name"] == page.h1 == show.title
            assert data["startDate"] == (show.premiered_on.isoformat() if show.premiered_on else str(show.first_year))
            assert [item["name"] for item in crumbs_match(page)] == ["Home", "Shows", show.title]

    def test_home_page_describes_the_site_and_its_search(self, client):
        """WebSite with a SearchAction that targets the OST search."""
        data = read_page(client.get("/")).ld("WebSite")
        assert data["potentialAction"]["target"]["urlTemplate"] == absolute("/osts/?q={search_term_string}")


def test_json_ld_filter_escapes_like_json_script():
    """A name holding </script> or <!-- cannot end the element: <, > and & become \\u escapes, and it still parses."""
    html = Template("{% load seo %}{{ data|json_ld }}").render(Context({"data": {"name": "</script><!-- & -->"}}))
    assert html.startswith('<script type="application/ld+json">') and html.count("</script>") == 1
    body = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == {"name": "</script><!-- & -->"}


def test_hostile_names_stay_inside_the_script(client, db):
    """An OST titled with markup keeps its JSON-LD parseable and its text intact."""
    ost = make_ost(title='</script><script>alert("x")</script>', slug="hostile")
    page = read_page(client.get(ost.get_absolute_url()))
    assert page.ld("MusicRecording")["name"] == ost.title
    assert "<script>alert" not in client.get(ost.get_absolute_url()).content.decode()


def test_builders_make_no_queries(db, django_assert_num_queries):
    """Given what the views load, the JSON-LD functions run no SQL."""
    group = make_group(name="Kep1er")
    singer = make_member(group, stage_name="Yujin")
    make_member(group, stage_name="Xiaoting")
    make_member(group, stage_name="Former", status=Membership.Status.FORMER)
    ost = make_ost(artist=group, singers=[singer], languages=[make_language(name="Korean", code="ko")], show=make_show(title="Drama"))
    ost = OST.objects.select_related("show", "artist").prefetch_related("singers", "languages", "credits__member").get(pk=ost.pk)
    lineup = list(group.memberships.select_related("member"))
    memberships = list(singer.memberships.select_related("group"))
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        recording = structured_data.music_recording(request, ost, lineup)
        music_group = structured_data.music_group(request, group, lineup, [ost])
        person = structured_data.person(request, singer, memberships)
        structured_data.tv_series(request, ost.show)
        structured_data.breadcrumb_list(request, structured_data.breadcrumb_trail(singer, memberships))
    assert recording["inLanguage"] == "ko"
    assert [artist["name"] for artist in recording["byArtist"]] == ["Yujin"]
    assert [m["name"] for m in music_group["member"]] == ["Xiaoting", "Yujin"]
    assert [m["name"] for m in music_group["alumni"]] == ["Former"]
    assert person["memberOf"] == [structured_data.group_ref(request, group)]


def test_unknown_facts_are_left_out(db):
    """No empty strings or lists: an OST with no language, date or credits has no such keys."""
    ost = make_ost(release_year=None)
    ost = OST.objects.prefetch_related("singers", "languages", "credits").get(pk=ost.pk)
    data = structured_data.music_recording(RequestFactory().get("/"), ost, [])
    assert not {"inLanguage", "datePublished", "recordingOf", "image", "alternateName"} & data.keys()
    assert data["byArtist"]["@type"] == "MusicGroup"
