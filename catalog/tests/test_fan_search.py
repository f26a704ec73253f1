"""Search the way fans type, and songs written by the idols (issue 13, items 4 and 5), on the article's catalogue."""

import csv
import importlib
import io
import json
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from catalog.models import Alias, Credit, Source
from catalog.search import Term, read_query, squash
from catalog.tests.factories import make_group, make_member, make_ost, make_show
from catalog.tests.html import read_page
from catalog.tests.test_queries import FACET_QUERIES, MAX_QUERIES

pytestmark = pytest.mark.django_db

STRAY_KIDS = {"here-always", "close-to-you", "top", "slump"}
TXT = {"everlasting-shine", "your-light", "love-sight"}
YEAR_2022 = {"once-again", "i-need-the-light", "always-be-your-star", "love-maybe", "star", "close-to-you"}
# The numbered and unnumbered drama parts: what K-drama soundtracks call insert songs.
OST_PARTS = {
    "once-again", "i-need-the-light", "help-me", "always-be-your-star", "love-maybe", "star", "here-always",
    "close-to-you", "bff-best-friend-forever", "gonna-be-fine",
}
# Songs a member is credited (and confirmed) with writing or composing: 3RACHA's two, and Choi Hyunsuk's BFF.
WRITTEN_BY_IDOLS = {"top", "slump", "bff-best-friend-forever"}


def search(client, q, **params):
    """The list as a shared link has it: only the parameters in use (an empty one is redirected away)."""
    response = client.get(reverse("catalog:ost-list"), {"q": q, **params} if q else params)
    assert response.status_code == 200
    return response


def found(client, q, **params):
    return {ost.slug for ost in search(client, q, **params).context["paginator"].object_list}


def cards(response):
    """{OST title: card HTML} of a list page."""
    html = response.content.decode()
    return {
        re.search(r'<h3 class="ost-card-title"><a [^>]*>(.*?)</a>', card).group(1): card
        for card in re.findall(r'<article class="ost-card">.*?</article>', html, re.S)
    }


@pytest.mark.usefixtures("article_data")
class TestFanSearch:
    @pytest.mark.parametrize(
        "q, expected",
        [
            # The cases, which found nothing before.
            ("gidle", {"help-me"}),
            ("g-idle", {"help-me"}),
            ("여자아이들", {"help-me"}),
            ("skz", STRAY_KIDS),
            ("straykids", STRAY_KIDS),
            ("스트레이키즈", STRAY_KIDS),
            ("2022", YEAR_2022),
            ("opening", {"forget-me-not", "top", "everlasting-shine"}),
            ("ending 13", {"beautiful"}),
            ("OST Part 4", set()),
            ("insert", OST_PARTS),
            # Every name the group has had still finds it, as typed and squashed.
            ("(G)I-DLE", {"help-me"}),
            ("(여자)아이들", {"help-me"}),
            ("i-dle", {"help-me"}),
            ("idle", {"help-me"}),
            ("아이들", {"help-me"}),
            # The spellings that worked before still do.
            ("Stray Kids", STRAY_KIDS),
            ("스트레이 키즈", STRAY_KIDS),
            ("시크릿 넘버", {"love-maybe"}),
            ("시크릿넘버", {"love-maybe"}),
            # Aliases of groups and idols, each with its source.
            ("SKZ", STRAY_KIDS),
            ("스키즈", STRAY_KIDS),
            ("txt", TXT),
            ("CB97", {"top", "slump"}),
            ("j.one", {"top", "slump"}),
            ("jone", {"top", "slump"}),
            # Names with spaces or hyphens typed without them, and without their spaces in Hangul.
            ("hueningkai", TXT),
            ("tomorrowxtogether", TXT),
            ("hometownchachacha", {"here-always"}),
            ("cha-cha-cha", {"here-always"}),
            # Years and places in the soundtrack, alone and with other words.
            ("skz 2022", {"close-to-you"}),
            ("stray kids opening", {"top"}),
            ("ending 2021", {"beautiful"}),
            ("opening theme 12", {"everlasting-shine"}),
            ("OST Part 7", {"here-always"}),
            ("part 10", {"once-again"}),
            ("insert song 7", {"here-always"}),
            ("main theme", {"your-light", "love-sight"}),
            ("special", {"let-me-dance", "hey-gabby", "sprinkle-party"}),
            ("skz ost", STRAY_KIDS),
        ],
    )
    def test_search_finds(self, client, q, expected):
        """Each search finds exactly these OSTs."""
        assert found(client, q) == expected

    def test_did_you_mean_links_to_the_corrected_search(self, client):
        """A misspelt name finds nothing, and the empty result offers the closest name as a link that finds it."""
        response = search(client, "straykdis")
        assert response.context["paginator"].count == 0
        content = response.content.decode()
        assert "No OSTs found for “straykdis”" in content
        assert 'Did you mean <a href="/osts/?q=Stray+Kids">Stray Kids</a>?' in content
        assert found(client, "Stray Kids") == STRAY_KIDS

    @pytest.mark.parametrize(
        "q, suggestion",
        [
            ("enhypan", "ENHYPEN"), ("forget me nor", "Forget Me Not"), ("treasurr", "TREASURE"),
            ("seungmim", "Seungmin"), ("seungmim close", "Seungmin close"), ("towr of god opening", "Tower of God opening"),
        ],
    )
    def test_did_you_mean_corrects_typos(self, client, q, suggestion):
        """Names and titles one or two letters off are offered."""
        response = search(client, q)
        assert response.context["paginator"].count == 0
        assert response.context["suggestion"]["query"] == suggestion
        assert found(client, suggestion)

    def test_a_word_of_a_longer_name_is_corrected_towards_it(self, client):
        """"hometwn": the word "Hometown" (SQLite's closest word) or the whole "Hometown Cha-Cha-Cha"
        (PostgreSQL's closest name by trigrams); either finds the song of that show."""
        suggestion = search(client, "hometwn").context["suggestion"]["query"]
        assert suggestion in {"Hometown", "Hometown Cha-Cha-Cha"}
        assert found(client, suggestion) == {"here-always"}

    def test_did_you_mean_keeps_the_other_filters_and_the_year(self, client):
        """The corrected search keeps the page's other filters and the words read as a year; it is offered only if it
        finds something with them."""
        response = search(client, "straykdis 2020", type="anime")
        suggestion = response.context["suggestion"]
        assert suggestion["query"] == "Stray Kids 2020"
        assert suggestion["url"] == "/osts/?q=Stray+Kids+2020&type=anime"
        assert found(client, "Stray Kids 2020", type="anime") == {"top", "slump"}
        # No Stray Kids song is a web drama's: nothing to offer.
        assert search(client, "straykdis", type="web-drama").context["suggestion"] == {}

    def test_nothing_close_is_not_guessed(self, client):
        """A search far from every name gets the friendlier empty state without a suggestion."""
        response = search(client, "zzzzqqq")
        content = response.content.decode()
        assert response.context["suggestion"] == {}
        assert "Did you mean" not in content
        assert "Search knows nicknames such as SKZ or TXT" in content
        assert '<a href="/groups/">the groups</a>' in content

    def test_every_alias_has_a_source(self):
        """Each alias in the article's catalogue is kept with at least one page that states it."""
        aliases = Alias.objects.prefetch_related("sources")
        assert {alias.name for alias in aliases} == {"SKZ", "스키즈", "TXT", "CB97", "SPEARB", "J.ONE"}
        for alias in aliases:
            assert alias.sources.exists(), alias
        skz = Alias.objects.get(name="SKZ")
        assert "https://en.wikipedia.org/wiki/Stray_Kids" in {source.url for source in skz.sources.all()}

    def test_written_by_idols_filter(self, client):
        """The filter gives the songs a member wrote or composed, by confirmed credits only."""
        response = client.get(reverse("catalog:ost-list"), {"written_by_idols": "1"})
        assert {ost.slug for ost in response.context["paginator"].object_list} == WRITTEN_BY_IDOLS
        content = response.content.decode()
        assert "Written by the idols: yes" in content
        assert "Only credits a source confirms count." in content
        response = client.get(reverse("catalog:ost-list"), {"written_by_idols": "1", "group": "treasure"})
        assert {ost.slug for ost in response.context["paginator"].object_list} == {"bff-best-friend-forever"}
        # Not ticked, it filters nothing and shows no chip.
        response = client.get(reverse("catalog:ost-list"), {"group": "treasure"})
        assert len(response.context["paginator"].object_list) == 3
        assert "Written by the idols: " not in response.content.decode()

    def test_written_by_idols_is_kept_in_the_canonical_url(self, client):
        """The ticked box is a filter fans share: the canonical URL keeps it as written_by_idols=1."""
        page = read_page(client.get("/osts/?written_by_idols=1&type=anime&utm_source=x"))
        assert page.link("canonical")[0]["href"] == "http://testserver/osts/?type=anime&written_by_idols=1"
        page = read_page(client.get("/osts/?type=anime"))
        assert page.link("canonical")[0]["href"] == "http://testserver/osts/?type=anime"

    def test_an_unconfirmed_credit_does_not_count(self, client, django_capture_on_commit_callbacks):
        """Soyeon's lyric credit on "Help Me" is unconfirmed: the song is not counted until an editor marks it
        confirmed."""
        assert "help-me" not in found(client, "", written_by_idols="1")
        credit = Credit.objects.get(ost__slug="help-me", member__slug="soyeon")
        with django_capture_on_commit_callbacks(execute=True):
            credit.unsure = False
            credit.save()
        assert found(client, "", written_by_idols="1") == WRITTEN_BY_IDOLS | {"help-me"}

    def test_badge_on_the_cards(self, client):
        """The cards of songs written by the idols carry the badge; songs with only unconfirmed credits do not."""
        shown = cards(client.get(reverse("catalog:ost-list")))
        badged = {title for title, card in shown.items() if "Written by the idols" in card}
        assert badged == {"TOP", "SLUMP", "BFF (Best Friend Forever)"}
        assert "Help Me" in shown and "BEAUTIFUL" in shown

    def test_unconfirmed_credit_stays_marked_on_the_pages(self, client):
        """Choi Hyunsuk's lyric credit on "BFF" reads as unconfirmed on the song's page, his page and the JSON twin."""
        page = client.get("/osts/bff-best-friend-forever/").content.decode()
        assert 'Lyrics (unconfirmed)</strong>: <a href="/members/choi-hyunsuk/">Choi Hyunsuk' in page
        assert 'Composition</strong>: <a href="/members/choi-hyunsuk/">Choi Hyunsuk' in page
        member_page = client.get("/members/choi-hyunsuk/").content.decode()
        assert "<strong>Lyrics (unconfirmed)</strong> on" in member_page
        data = json.loads(client.get("/osts/bff-best-friend-forever/?format=json").content)
        assert {(c["role"], c["confirmed"]) for c in data["credits"]} == {("Lyrics", False), ("Composition", True)}

    def test_json_ld_publishes_only_confirmed_credits(self, client):
        """The structured data names Choi Hyunsuk as composer of "BFF" but not as its lyricist; 3RACHA's confirmed
        credits on "TOP" are published; "Help Me", whose only credit is unconfirmed, has no composition at all."""
        bff = read_page(client.get("/osts/bff-best-friend-forever/")).ld("MusicRecording")
        composition = bff["recordingOf"]
        assert "lyricist" not in composition
        assert composition["composer"] == [
            {"@type": "Person", "name": "Choi Hyunsuk", "url": "http://testserver/members/choi-hyunsuk/"}
        ]
        top = read_page(client.get("/osts/top/")).ld("MusicRecording")["recordingOf"]
        assert {person["name"] for person in top["lyricist"]} == {"Bang Chan", "Changbin", "HAN"}
        help_me = read_page(client.get("/osts/help-me/")).ld("MusicRecording")
        assert "recordingOf" not in help_me


def test_reading_a_query():
    """Years, places with their numbers and filler words are told apart from the words to find."""
    assert read_query("OST Part 4") == [Term(word="Part", placement="ost-part", number=4)]
    assert read_query("ending theme 13th 2021 skz") == [
        Term(word="ending", placement="ending", number=13), Term(word="2021", year=2021), Term(word="skz"),
    ]
    assert read_query("main theme") == [Term(word="main theme", placement="main-theme")]
    assert read_query("Idol 123") == [Term(word="Idol"), Term(word="123")]
    assert squash("(G)I-DLE") == squash("g-idle") == "gidle"
    assert squash("(여자)아이들") == "여자아이들"


def test_a_new_alias_and_a_renamed_group_are_found_at_once(client, django_capture_on_commit_callbacks):
    """An alias saved in the admin, and a name with a hyphen typed without it, are found after the save."""
    group = make_group(name="Nova Star")
    show = make_show(title="Night Shift")
    make_ost(title="First Light", artist=group, show=show, sung_by_whole_group=True)
    make_member(group, stage_name="Dae-ho")
    assert found(client, "novastar") == {"first-light"}
    with django_capture_on_commit_callbacks(execute=True):
        alias = Alias.objects.create(group=group, name="N-STAR")
        Source.objects.create(
            content_type=ContentType.objects.get_for_model(Alias), object_id=alias.pk,
            url="https://example.com/nova-star", title="example.com",
        )
        group.name = "Nova-Star Nine"
        group.save()
    assert found(client, "nstar") == {"first-light"}
    assert found(client, "n-star") == {"first-light"}
    assert found(client, "novastarnine") == {"first-light"}
    assert found(client, "daeho") == {"first-light"}


def test_search_pages_stay_within_the_query_budget(client, django_assert_max_num_queries):
    """A search with squashed names, a year and a placement, and an empty one with its suggestion, each answer in
    at most 10 queries with a cold cache but for the site-wide pieces, plus the grouped counts of a new filter
    combination (see test_queries.py)."""
    group = make_group(name="Stray Kids")
    show = make_show(title="Tower of God", kind="anime")
    make_ost(title="TOP", artist=group, show=show, sung_by_whole_group=True, release_year=2020, placement="opening")
    client.get("/osts/?q=warm-up")
    with django_assert_max_num_queries(MAX_QUERIES + FACET_QUERIES):
        response = client.get("/osts/", {"q": "straykids 2020 opening"})
    assert [ost.slug for ost in response.context["paginator"].object_list] == ["top"]
    client.get("/osts/?q=warm-up-again")  # The names for suggestions, built once per catalogue version.
    with django_assert_max_num_queries(MAX_QUERIES + FACET_QUERIES):
        response = client.get("/osts/", {"q": "straykdis"})
    assert response.context["suggestion"]["query"] == "Stray Kids"


def alias_post(group, sources=()):
    prefix = "catalog-source-content_type-object_id"
    data = {
        "name": "NS", "group": str(group.pk), "member": "",
        f"{prefix}-TOTAL_FORMS": str(len(sources)), f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1", f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (url, title) in enumerate(sources):
        data.update({f"{prefix}-{i}-url": url, f"{prefix}-{i}-title": title, f"{prefix}-{i}-accessed_on": "",
                     f"{prefix}-{i}-supports": "alias"})
    return data


def test_an_alias_is_saved_only_with_a_source(admin_client):
    """In the admin an alias needs a page that states it, and belongs to a group or an idol, not both."""
    group = make_group(name="Nova Star")
    url = reverse("admin:catalog_alias_add")
    response = admin_client.post(url, alias_post(group))
    assert response.status_code == 200
    assert "Please submit at least 1 form." in response.content.decode()
    assert not Alias.objects.exists()
    response = admin_client.post(url, {**alias_post(group, [("https://example.com/ns", "example.com")]),
                                       "member": str(make_member(group).pk)})
    assert response.status_code == 200
    assert "An alias belongs to a group or to an idol: choose one of them." in response.content.decode()
    response = admin_client.post(url, alias_post(group, [("https://example.com/ns", "example.com")]))
    assert response.status_code == 302
    alias = Alias.objects.get()
    assert (alias.group, alias.name, [s.url for s in alias.sources.all()]) == (group, "NS", ["https://example.com/ns"])
    # The group's admin page lists it with its source, and links to add another.
    page = admin_client.get(reverse("admin:catalog_group_change", args=[group.pk])).content.decode()
    assert f'<a href="/admin/catalog/alias/{alias.pk}/change/">NS</a> (example.com)' in page
    assert f'href="/admin/catalog/alias/add/?group={group.pk}"' in page


@pytest.mark.usefixtures("article_data")
def test_unconfirmed_credits_are_the_articles_three_lyric_credits():
    """Soyeon's, Yoshi's and Choi Hyunsuk's lyric credits, which only the article names, are the unconfirmed ones,
    in the fixture and as the migration marks them on a database loaded before the flag existed."""
    three = {("help-me", "soyeon"), ("beautiful", "yoshi"), ("bff-best-friend-forever", "choi-hyunsuk")}
    unsure = Credit.objects.filter(unsure=True)
    assert set(unsure.values_list("ost__slug", "member__slug")) == three
    assert set(unsure.values_list("role", flat=True)) == {"lyrics"}
    Credit.objects.update(unsure=False)
    migration = importlib.import_module("catalog.migrations.0015_aliases")
    migration.mark_unconfirmed(django_apps, None)
    assert set(Credit.objects.filter(unsure=True).values_list("ost__slug", "member__slug")) == three


@pytest.mark.usefixtures("article_data")
def test_written_by_idols_download(client):
    """The CSV download takes the same filter and holds the same songs."""
    response = client.get(reverse("catalog:ost-list"), {"written_by_idols": "1", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["title"] for row in rows} == {"TOP", "SLUMP", "BFF (Best Friend Forever)"}
