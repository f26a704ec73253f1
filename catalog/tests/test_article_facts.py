"""The article's facts, as stored in fixtures/catalog.json."""

import datetime

import pytest

from catalog.models import OST, Cameo, Credit, Group, Member, Membership, Show

pytestmark = pytest.mark.django_db

WHOLE = "whole group"

# slug: (show, artist, singers or WHOLE, language codes, placement, placement_number, release_year)
OSTS = {
    "once-again": ("our-blues", "aespa", {"winter", "ningning"}, set(), "ost-part", 10, 2022),
    "win": ("the-god-of-high-school", "cix", WHOLE, {"en", "ko"}, "ending", None, 2020),
    "i-need-the-light": ("mimicus", "enhypen", WHOLE, set(), "ost-part", None, 2022),
    "forget-me-not": ("re-main", "enhypen", WHOLE, {"ja"}, "opening", None, 2021),
    "let-me-dance": (
        "the-spies-who-loved-me", "everglow", {"eu", "sihyeon", "mia", "aisha"}, set(), "special", None, None,
    ),
    "help-me": ("her-private-life", "gi-dle", WHOLE, set(), "ost-part", 1, 2019),
    "always-be-your-star": ("the-red-sleeve", "itzy", {"lia"}, set(), "ost-part", 9, 2022),
    "hey-gabby": ("gabbys-dollhouse", "nmixx", WHOLE, set(), "special", None, None),
    "sprinkle-party": ("gabbys-dollhouse", "nmixx", WHOLE, set(), "special", None, None),
    "love-maybe": ("business-proposal", "secret-number", {"dita", "soodam", "zuu"}, {"ko"}, "ost-part", 5, 2022),
    "star": ("our-blues", "stayc", WHOLE, set(), "ost-part", 8, 2022),
    "here-always": ("hometown-cha-cha-cha", "stray-kids", {"seungmin"}, {"ko"}, "ost-part", 7, 2021),
    "close-to-you": ("love-in-contract", "stray-kids", {"seungmin"}, set(), "ost-part", 3, 2022),
    "top": ("tower-of-god", "stray-kids", WHOLE, {"ja", "ko", "en"}, "opening", None, 2020),
    "slump": ("tower-of-god", "stray-kids", WHOLE, {"ja", "ko", "en"}, "ending", None, 2020),
    "beautiful": ("black-clover", "treasure", WHOLE, {"ja"}, "ending", 13, 2021),
    "bff-best-friend-forever": ("the-mysterious-class", "treasure", WHOLE, set(), "ost-part", None, None),
    "gonna-be-fine": (
        "the-mysterious-class", "treasure", {"jihoon", "haruto", "park-jeongwoo", "bang-yedam"}, set(),
        "ost-part", None, None,
    ),
    "everlasting-shine": ("black-clover", "tomorrow-x-together", WHOLE, {"ja"}, "opening", 12, 2020),
    "your-light": ("live-on", "tomorrow-x-together", WHOLE, {"ko", "ja"}, "main-theme", None, 2020),
    "love-sight": ("doom-at-your-service", "tomorrow-x-together", WHOLE, set(), "main-theme", None, 2021),
}


def test_catalogue_counts(article_data):
    """The article names 21 OSTs, 12 groups and 16 shows."""
    assert (OST.objects.count(), Group.objects.count(), Show.objects.count()) == (21, 12, 16)


def test_every_ost_is_listed_here(article_data):
    """The table below covers exactly the OSTs in the fixture."""
    assert set(OST.objects.values_list("slug", flat=True)) == set(OSTS)


@pytest.mark.parametrize("slug", list(OSTS))
def test_ost_facts(article_data, slug):
    """Each OST has the right show, artist, singers, languages, placement and year."""
    show, artist, singers, languages, placement, number, year = OSTS[slug]
    ost = OST.objects.get(slug=slug)
    assert ost.show.slug == show
    assert ost.artist.slug == artist
    if singers == WHOLE:
        assert ost.sung_by_whole_group
        assert not ost.singers.exists()
    else:
        assert not ost.sung_by_whole_group
        assert set(ost.singers.values_list("slug", flat=True)) == singers
        assert all(s.groups.filter(pk=ost.artist_id).exists() for s in ost.singers.all())
    assert set(ost.languages.values_list("code", flat=True)) == languages
    assert (ost.placement, ost.placement_number) == (placement, number)
    assert ost.release_year == year
    if ost.released_on is not None:
        assert ost.released_on.year == ost.release_year


def test_official_spellings_and_alternatives(article_data):
    """Official titles are stored, with the article's spellings kept as alternatives."""
    assert OST.objects.get(slug="love-maybe").title == "Love, Maybe"
    assert "Love Maybe" in OST.objects.get(slug="love-maybe").alternative_titles
    assert OST.objects.get(slug="i-need-the-light").native_title == "구해줘"
    assert OST.objects.get(slug="always-be-your-star").native_title == "밝혀줄게 별처럼"
    assert "Mimiscus" in Show.objects.get(slug="mimicus").alternative_titles
    assert Group.objects.get(slug="tomorrow-x-together").alternative_names == "TXT"


def test_unsure_release_dates_are_blank(article_data):
    """OSTs whose date no source gives have no release date."""
    undated = set(OST.objects.filter(released_on__isnull=True).values_list("slug", flat=True))
    assert undated == {
        "let-me-dance", "hey-gabby", "sprinkle-party", "gonna-be-fine", "love-sight", "bff-best-friend-forever"
    }


def test_release_dates_are_the_records_and_broadcasts_are_their_own_fact(article_data):
    """`released_on` is when the record came out; the first broadcast, where sourced, is stored apart."""
    dates = {ost.slug: (ost.released_on, ost.first_aired_on) for ost in OST.objects.all()}
    assert dates["beautiful"] == (datetime.date(2021, 3, 31), datetime.date(2021, 1, 5))
    assert dates["bff-best-friend-forever"] == (None, datetime.date(2021, 11, 12))
    assert dates["everlasting-shine"] == (datetime.date(2020, 8, 19), datetime.date(2020, 9, 1))
    aired = {slug for slug, (_released, first_aired) in dates.items() if first_aired}
    assert aired == {"beautiful", "bff-best-friend-forever", "everlasting-shine"}


def test_gidle_is_i_dle_since_may_2025(article_data):
    """(G)I-DLE became i-dle on 2025-05-02; "Help Me" keeps the name it was credited under."""
    group = Group.objects.get(slug="gi-dle")
    assert (group.name, group.native_name) == ("i-dle", "아이들")
    earlier = list(group.earlier_names.values_list("name", "native_name", "used_from", "used_until"))
    assert earlier == [("(G)I-DLE", "(여자)아이들", datetime.date(2018, 5, 2), datetime.date(2025, 5, 1))]
    assert OST.objects.get(slug="help-me").credited_as == "(G)I-DLE"
    renamed = {ost.slug for ost in OST.objects.select_related("artist") if ost.credited_as != ost.artist.name}
    assert renamed == {"help-me"}


def test_treasure_roster(article_data):
    """TREASURE has 12 memberships, with Bang Yedam and Mashiho former since 2022-11-08."""
    memberships = Membership.objects.filter(group__slug="treasure")
    assert memberships.count() == 12
    former = {m.member.slug: m.left_on for m in memberships.filter(status=Membership.Status.FORMER)}
    assert former == {"bang-yedam": datetime.date(2022, 11, 8), "마시호": datetime.date(2022, 11, 8)}
    co_leaders = set(memberships.filter(position="co-leader").values_list("member__slug", flat=True))
    assert co_leaders == {"choi-hyunsuk", "jihoon"}


def test_gidle_soojin_is_former(article_data):
    """(G)I-DLE's Soojin left on 2021-08-14."""
    soojin = Membership.objects.get(group__slug="gi-dle", member__slug="soojin")
    assert soojin.status == Membership.Status.FORMER
    assert soojin.left_on == datetime.date(2021, 8, 14)


def test_stray_kids_woojin_is_former_without_date(article_data):
    """Stray Kids' Woojin is a former member whose leaving date is unknown."""
    woojin = Membership.objects.get(group__slug="stray-kids", member__slug="woojin")
    assert woojin.status == Membership.Status.FORMER
    assert woojin.left_on is None
    assert Membership.objects.filter(group__slug="stray-kids").count() == 9


def test_other_former_members(article_data):
    """Denise and Jinni are former members with their sourced leaving dates."""
    assert Membership.objects.get(member__slug="denise").left_on == datetime.date(2022, 2, 5)
    assert Membership.objects.get(member__slug="jinni").left_on == datetime.date(2022, 12, 9)


def test_everglow_leaders(article_data):
    """EVERGLOW's leadership passed from E:U to Sihyeon in May 2021."""
    positions = dict(Membership.objects.filter(group__slug="everglow").values_list("member__slug", "position"))
    assert positions["eu"] == "leader until May 2021"
    assert positions["sihyeon"] == "leader from May 2021"


def test_member_slugs_are_unique_and_mashiho_is_spelled_as_sourced(article_data):
    """Every member has a unique slug; Mashiho has his sourced English spelling, with 마시호 beside it, and keeps
    the address he had when only his Hangul name was sourced."""
    slugs = list(Member.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
    mashiho = Member.objects.get(slug="마시호")
    assert (mashiho.stage_name, mashiho.native_name) == ("Mashiho", "마시호")


def test_credits(article_data):
    """Idol credits: Soyeon, Yoshi, Choi Hyunsuk and 3RACHA, with unverified ones flagged."""
    credits = set(Credit.objects.values_list("ost__slug", "member__slug", "role"))
    expected = {
        ("help-me", "soyeon", "lyrics"),
        ("beautiful", "yoshi", "lyrics"),
        ("bff-best-friend-forever", "choi-hyunsuk", "composition"),
        ("bff-best-friend-forever", "choi-hyunsuk", "lyrics"),
    }
    expected |= {
        (song, member, role)
        for song in ("top", "slump")
        for member in ("bang-chan", "changbin", "han")
        for role in ("lyrics", "composition", "arrangement")
    }
    assert credits == expected
    for ost, member in [("help-me", "soyeon"), ("beautiful", "yoshi"), ("bff-best-friend-forever", "choi-hyunsuk")]:
        note = Credit.objects.get(ost__slug=ost, member__slug=member, role="lyrics").note
        assert "article" in note.lower()


def test_cameo(article_data):
    """Sunghoon's cameo in Mimicus is the only cameo."""
    assert list(Cameo.objects.values_list("member__slug", "show__slug")) == [("sunghoon", "mimicus")]


@pytest.mark.parametrize(
    "member, expected",
    [
        ("seungmin", {"here-always", "close-to-you", "top", "slump"}),
        ("bang-yedam", {"bff-best-friend-forever", "beautiful", "gonna-be-fine"}),
        ("woojin", set()),
        ("soojin", {"help-me"}),
        ("lia", {"always-be-your-star"}),
        ("ryujin", set()),
        ("onda", set()),
        ("sunghoon", {"i-need-the-light", "forget-me-not"}),
        ("yeonjun", {"everlasting-shine", "your-light", "love-sight"}),
    ],
)
def test_sung_by(article_data, member, expected):
    """OST.objects.sung_by gives each member's solos, subsets and whole-group songs."""
    songs = OST.objects.sung_by(Member.objects.get(slug=member))
    assert set(songs.values_list("slug", flat=True)) == expected


@pytest.mark.django_db
def test_python_and_sql_lineup_rules_agree(article_data):
    """Membership.was_in_group_for gives the same members as the at_release query, for every OST."""
    from catalog.models import OST, Membership

    for ost in OST.objects.all():
        in_sql = set(Membership.objects.filter(group=ost.artist_id).at_release_of(ost).values_list("pk", flat=True))
        in_python = {m.pk for m in Membership.objects.filter(group=ost.artist_id) if m.was_in_group_for(ost)}
        assert in_python == in_sql, ost
