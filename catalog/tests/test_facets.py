"""Issue 13, items 2 and 3: start from your bias, and counts that follow the filters, on the article's catalogue.

Every option's count is what the list would hold with that option chosen among the other filters in use; the
member filter works without a group; shared addresses carry only the filters in use.
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from catalog.models import OST, Member

pytestmark = pytest.mark.usefixtures("article_data")

LIST = reverse("catalog:ost-list")
FACETS = ("group", "member", "show", "type", "network", "language", "role", "agency", "year")
SELECT = re.compile(r'<select name="(\w+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>')


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """The same list is asked for many times here; each answer is built, so its context can be read."""
    settings.PAGE_CACHE_SECONDS = 0


def options(html):
    """{select name: [(value, label, disabled, selected), ...]} of the filter form, the "Any" options left out."""
    found = {}
    for name, body in SELECT.findall(html):
        found[name] = [
            (unescape(value), unescape(label), " disabled" in attrs, " selected" in attrs)
            for value, attrs, label in OPTION.findall(body)
            if value
        ]
    return found


def count_of(label):
    return int(re.search(r"\((\d+)\)$", label)[1])


def results(client, params):
    response = client.get(LIST, params)
    assert response.status_code == 200, params
    return {ost.slug for ost in response.context["paginator"].object_list}


def page(client, params):
    response = client.get(LIST, params)
    assert response.status_code == 200, params
    return response.content.decode()


def test_with_stray_kids_chosen_the_kind_counts_are_the_stray_kids_results_per_kind(client):
    """The issue's example: with Stray Kids selected the list no longer says "Anime (6)"."""
    kinds = {value: label for value, label, _, _ in options(page(client, {"group": "stray-kids"}))["type"]}
    assert kinds == {"k-drama": "K-drama (2)", "anime": "Anime (2)", "web-drama": "Web drama (0)",
                     "animated-series": "Animated series (0)"}
    stray_kids = OST.objects.filter(artist__slug="stray-kids")
    for kind, label in kinds.items():
        assert count_of(label) == stray_kids.filter(show__kind=kind).count()
        assert results(client, {"group": "stray-kids", "type": kind}) == set(
            stray_kids.filter(show__kind=kind).values_list("slug", flat=True)
        )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"group": "stray-kids"},
        {"network": "mbc"},
        {"type": "anime", "language": "ja"},
        {"member": "seungmin"},
        {"q": "love"},
        {"year": "2022", "network": "netflix"},
    ],
)
def test_choosing_an_option_with_count_n_gives_exactly_n_results(client, params):
    """For every option of every facet: its count equals the results of the list with it added (or, for the
    facet's own chosen option, swapped in), and an option counted 0 is disabled unless chosen."""
    found = options(page(client, params))
    assert set(FACETS) <= set(found)
    checked = 0
    for facet in FACETS:
        for value, label, disabled, selected in found[facet]:
            n = count_of(label)
            assert len(results(client, {**params, facet: value})) == n, (facet, value, label)
            assert disabled == (n == 0 and not selected), (facet, value, label)
            checked += 1
    assert checked > 100


def test_mbc_says_what_it_gives(client):
    """The issue's other example: "MBC (2)" gave 0 results. Its count now matches the list it leads to."""
    label = dict((value, label) for value, label, _, _ in options(page(client, {}))["network"])["mbc"]
    n = count_of(label)
    assert n == len(results(client, {"network": "mbc"}))
    networks = options(page(client, {"group": "stray-kids"}))["network"]
    with_stray_kids = {value: (label, disabled) for value, label, disabled, _ in networks}
    assert with_stray_kids["mbc"] == ("MBC (0)", True)


def test_a_chosen_option_that_gives_nothing_is_still_selected_and_enabled(client):
    """Winter with Stray Kids gives no song: her option says (0) but stays chosen and usable."""
    html = page(client, {"group": "stray-kids", "member": "winter"})
    winter = [option for option in options(html)["member"] if option[0] == "winter"]
    assert winter == [("winter", "Winter (0)", False, True)]


def test_the_member_filter_lists_every_group_s_members_without_a_group(client):
    """No group needed: members under an <optgroup> per group, in roster order, each with their OST count."""
    html = page(client, {})
    member_select = SELECT.search(html[html.index('<select name="member"') :])[2]
    groups = re.findall(r'<optgroup label="([^"]+)" data-group="([^"]+)">', member_select)
    assert ("Stray Kids", "stray-kids") in groups and ("aespa", "aespa") in groups
    stray_kids = member_select[member_select.index('data-group="stray-kids"') :].split("</optgroup>")[0]
    names = [label for _, _, label in OPTION.findall(stray_kids)]
    assert names[:7] == ["Bang Chan (2)", "Lee Know (2)", "Changbin (2)", "Hyunjin (2)", "HAN (2)", "Felix (2)",
                         "Seungmin (4)"]
    assert "Pick a group" not in html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"member": "seungmin"}, {"here-always", "close-to-you", "top", "slump"}),
        ({"member": "seungmin", "group": "stray-kids"}, {"here-always", "close-to-you", "top", "slump"}),
        ({"member": "winter"}, {"once-again"}),
        ({"member": "jihoon"}, {"beautiful", "bff-best-friend-forever", "gonna-be-fine"}),
    ],
)
def test_the_member_filter_works_alone_and_with_their_group(client, params, expected):
    assert results(client, params) == expected


def test_a_member_outside_the_chosen_group_gives_no_result_and_says_why(client):
    html = page(client, {"member": "winter", "group": "stray-kids"})
    assert results(client, {"member": "winter", "group": "stray-kids"}) == set()
    assert "Winter has never been a member of Stray Kids, so no OST can match both." in html
    assert "never been a member" not in page(client, {"member": "seungmin", "group": "stray-kids"})


@pytest.mark.parametrize(
    "query, clean",
    [
        ("?q=&group=stray-kids&member=&show=&type=&network=&language=&role=&agency=&year=&ordering=",
         "/osts/?group=stray-kids"),
        ("?q=&group=&member=", "/osts/"),
        ("?q=+&type=anime&ordering=-year&page=", "/osts/?type=anime&ordering=-year"),
        ("?q=love+maybe&member=", "/osts/?q=love+maybe"),
    ],
)
def test_an_address_with_empty_parameters_redirects_to_the_clean_one(client, query, clean):
    """What a GET form sends without JavaScript lands on the address with only the filters in use."""
    response = client.get(LIST + query)
    assert response.status_code == 301
    assert response["Location"] == clean
    assert client.get(clean).status_code == 200


def test_the_show_list_redirects_too(client):
    response = client.get("/shows/?type=anime&network=&year=")
    assert (response.status_code, response["Location"]) == (301, "/shows/?type=anime")


def test_a_clean_address_is_not_redirected_and_its_links_carry_only_what_is_in_use(client):
    """Pagination and removal links keep the filters in use and nothing else."""
    from catalog.views import OSTListView

    OSTListView.paginate_by, before = 2, OSTListView.paginate_by
    try:
        response = client.get(LIST + "?type=anime&ordering=title")
    finally:
        OSTListView.paginate_by = before
    html = response.content.decode()
    assert response.status_code == 200
    assert 'rel="next" href="?type=anime&amp;ordering=title&amp;page=2"' in html
    assert 'href="/osts/?ordering=title" aria-label="Remove filter Kind of show: Anime"' in html
    links = [unescape(link) for link in re.findall(r'href="([^"]*\?[^"]*)"', html)]
    assert len(links) > 5
    for link in links:
        assert not re.search(r"[?&]\w+=(&|$)", link), link


def test_member_page_counts_solo_unit_and_whole_group_songs(client):
    """Seungmin: two solos and two whole-group songs; Jihoon: one unit song and two with the whole group."""
    html = client.get("/members/seungmin/").content.decode()
    assert "Sang on 4 OSTs: <strong>2</strong> solo, <strong>0</strong> in a unit (some of the members) and " \
           "<strong>2</strong> with the whole group." in html
    html = client.get("/members/jihoon/").content.decode()
    assert "Sang on 3 OSTs: <strong>0</strong> solo, <strong>1</strong> in a unit (some of the members) and " \
           "<strong>2</strong> with the whole group." in html
    assert "In a unit, with some of the members" in html
    # The counts agree with the member filter of the list.
    for slug in ("seungmin", "jihoon", "winter"):
        member = Member.objects.get(slug=slug)
        total = int(re.search(r"Sang on (\d+) OST", client.get(member.get_absolute_url()).content.decode())[1])
        assert total == len(results(client, {"member": slug}))


def test_a_member_page_has_the_comment_section(client):
    html = client.get("/members/winter/").content.decode()
    assert 'id="comments"' in html and "Leave a Reply" in html
    assert 'name="target_type" value="member"' in html


def test_a_group_without_songs_is_checked_for_its_members_too(client):
    """Groups with no OST are not among the options, yet a shared link may name one: its roster is looked up."""
    from catalog.tests.factories import make_group, make_member

    group = make_group(name="New Group", slug="new-group")
    member = make_member(group, stage_name="Newbie", slug="newbie")
    assert "never been a member" not in page(client, {"group": group.slug, "member": member.slug})
    assert "Winter has never been a member of New Group" in page(client, {"group": group.slug, "member": "winter"})
    assert results(client, {"group": group.slug, "member": member.slug}) == set()
