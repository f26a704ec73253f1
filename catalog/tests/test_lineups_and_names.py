"""Line-ups that claim only what is known, one singer order, one release-date rule, and names that change."""

import json
import re

import pytest

from catalog.models import OST, Group

pytestmark = pytest.mark.usefixtures("article_data")

GONNA_BE_FINE_ORDER = ["Jihoon", "Bang Yedam", "Haruto", "Park Jeongwoo"]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def main_of(html):
    return html[html.index("<main") : html.index("</main>")]


def chip_meta(main, name):
    """The status line of a member's lineup tile."""
    match = re.search(r'<span class="chip-name">' + re.escape(name) + r'\b.*?<span class="chip-meta">(.*?)</span>\s*</li>', main, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def osts_found(client, query):
    html = page(client, "/osts/?" + f"q={query}")
    return {slug for slug in re.findall(r'<h3 class="ost-card-title"><a href="/osts/([^/]+)/', html)}


def test_gonna_be_fine_lineup_claims_only_what_is_known(client):
    """Release date unknown: Mashiho's status then is unknown, never "had left"; Bang Yedam sang; the count
    describes the twelve tiles."""
    main = main_of(page(client, "/osts/gonna-be-fine/"))
    assert "Had left by then" not in main
    assert chip_meta(main, "Mashiho").startswith("In the group then: not known")
    assert chip_meta(main, "Bang Yedam").startswith("Sang")
    tiles = re.findall(r'<li class="chip', main)
    assert len(tiles) == 12
    assert "Of the 12 TREASURE members below, 4 sang this." in main


def test_a_known_departure_before_the_release_still_says_so(client):
    """Love, Maybe came out after Denise left: her tile says so, and the count covers all seven tiles."""
    main = main_of(page(client, "/osts/love-maybe/"))
    assert chip_meta(main, "Denise").startswith("Had left by then")
    assert "Of the 7 SECRET NUMBER members below, 3 sang this." in main


def test_one_singer_order_everywhere(client):
    """Gonna Be Fine's singers in TREASURE's roster order on the card, the subtitle, the notes, the structured
    data and the show's list."""
    ordered = "Jihoon, Bang Yedam, Haruto &amp; Park Jeongwoo"
    html = page(client, "/osts/gonna-be-fine/")
    assert f'<p class="lede">{ordered} of' in html
    assert "sung by Jihoon, Bang Yedam, Haruto and Park Jeongwoo." in html
    data = [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]
    recording = next(item for item in data if item.get("@type") == "MusicRecording")
    assert [person["name"] for person in recording["byArtist"]] == GONNA_BE_FINE_ORDER
    assert f'<p class="ost-card-who">{ordered} ·' in page(client, "/osts/?group=treasure")
    assert f"{ordered} of TREASURE" in page(client, "/osts/bff-best-friend-forever/")


def test_release_date_rule_is_stated_and_broadcasts_are_apart(client):
    """Every OST page states the rule; BEAUTIFUL shows its record's release and its first broadcast apart."""
    rule = "Release dates on this site are the day the record came out"
    for ost in OST.objects.all():
        assert rule in page(client, ost.get_absolute_url()), ost
    text = re.sub(r"<[^>]+>", " ", main_of(page(client, "/osts/beautiful/")))
    text = re.sub(r"\s+", " ", text)
    assert "Released 31 March 2021 First broadcast 5 January 2021" in text
    bff = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main_of(page(client, "/osts/bff-best-friend-forever/"))))
    assert "Released date not confirmed First broadcast 12 November 2021" in bff


def test_unconfirmed_facts_are_quiet(client):
    """"Not confirmed" is plain, muted text in the facts, never a badge."""
    main = main_of(page(client, "/osts/gonna-be-fine/"))
    assert '<dt>Language</dt><dd><span class="unknown">not confirmed</span></dd>' in main
    assert not re.search(r'class="badge[^"]*"[^>]*>[^<]*[Nn]ot confirmed', main)


def test_mashiho_is_spelled_as_sourced(client):
    """His page leads with "Mashiho" and 마시호 beside it, at the address he always had."""
    main = main_of(page(client, "/members/마시호/"))
    assert re.search(r'<h1>\s*Mashiho <span class="native" lang="ko">마시호</span>', main)
    assert "Mashiho" in main_of(page(client, "/groups/treasure/"))


def test_group_page_leads_with_current_name_and_earlier_ones(client):
    main = main_of(page(client, "/groups/gi-dle/"))
    assert re.search(r'<h1>\s*i-dle <span class="native" lang="ko">아이들</span>', main)
    assert "Earlier name: <strong>(G)I-DLE</strong>" in main
    assert "(2 May 2018 – 1 May 2025)" in main


def test_song_keeps_its_credited_name_and_says_what_the_group_is_called_now(client):
    html = page(client, "/osts/help-me/")
    assert "<title>Help Me – (G)I-DLE (Her Private Life OST)" in html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", main_of(html)))
    assert "the group has been called i-dle since 2 May 2025." in text
    card = page(client, "/osts/?group=gi-dle")
    assert '>(G)I-DLE</a> <span class="muted">(now i-dle)</span>' in card


@pytest.mark.parametrize("query", ["(G)I-DLE", "i-dle", "(여자)아이들", "여자", "아이들"])
def test_search_finds_the_group_by_every_name(client, query):
    assert osts_found(client, query) == {"help-me"}


def test_search_finds_ost_titles(client):
    """The title index is kept up to date after the migrations that rebuild the OST table."""
    assert osts_found(client, "Gonna") == {"gonna-be-fine"}


def test_renaming_a_group_keeps_its_songs_names(client):
    """An editor renames STAYC: "Star" stays credited to STAYC and says what the group is called now."""
    group = Group.objects.get(slug="stayc")
    group.name = "STAYC New"
    group.save()
    group.earlier_names.create(name="STAYC")
    main = main_of(page(client, "/osts/star/"))
    assert '">STAYC</a></p>' in main
    assert "the group has been called" in main and "STAYC New" in main
    assert osts_found(client, "STAYC") == {"star"}
