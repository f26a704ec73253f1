"""The catalogue as data: CSV and JSON downloads of the lists, and JSON twins of the detail pages."""

import csv
import html
import io
import re

import pytest
from django.urls import reverse

from catalog.tests.html import PageReader
from catalog.tests.test_filters import BAD_FILTERS

pytestmark = pytest.mark.usefixtures("article_data")

OST_LIST = reverse("catalog:ost-list")


def download_csv(client, path, params):
    response = client.get(path, {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def page_slugs(client, params):
    """Every OST the HTML list shows for these parameters, page after page."""
    slugs, page = [], 1
    while True:
        response = client.get(OST_LIST, {**params, "page": page})
        slugs += [ost.slug for ost in response.context["osts"]]
        if not response.context["page_obj"].has_next():
            return slugs
        page += 1


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"type": "anime", "language": "ja"}, {"forget-me-not", "top", "slump", "beautiful", "everlasting-shine"}),
        ({"network": "netflix", "year": "2022"}, {"once-again", "star", "love-maybe"}),
        ({"member": "seungmin", "ordering": "title"}, {"here-always", "close-to-you", "top", "slump"}),
        ({"group": "treasure"}, {"beautiful", "bff-best-friend-forever", "gonna-be-fine"}),
        ({}, None),
    ],
)
def test_csv_round_trip_gives_the_filtered_list(client, params, expected):
    """A filtered list downloaded as CSV holds exactly the page's OSTs, in the page's order, one row each."""
    rows = download_csv(client, OST_LIST, params)
    slugs = [row["url"].rstrip("/").rsplit("/", 1)[1] for row in rows]
    assert slugs == page_slugs(client, params)
    if expected is not None:
        assert set(slugs) == expected
    else:
        assert len(slugs) == 21


def test_csv_rows_carry_the_facts(client):
    """A row says what the card says: group, singers in line-up order, show, place, year, languages."""
    rows = download_csv(client, OST_LIST, {"show": "our-blues"})
    once_again = next(row for row in rows if row["title"] == "ONCE AGAIN")
    assert once_again["group"] == "aespa"
    assert once_again["singers"] == "Winter; Ningning"
    assert once_again["show"] == "Our Blues"
    assert once_again["kind_of_show"] == "K-drama"
    assert once_again["release_year"] == "2022"
    assert once_again["url"] == "http://testserver/osts/once-again/"


def test_json_list_matches_the_csv(client):
    """The JSON download has the same OSTs as the CSV, with the filters in use and the licence."""
    params = {"type": "anime", "language": "ja"}
    data = client.get(OST_LIST, {**params, "format": "json"}).json()
    assert data["count"] == 5
    assert data["filters"] == params
    assert data["licence"]["name"] == "CC BY 4.0"
    assert [ost["url"] for ost in data["osts"]] == [row["url"] for row in download_csv(client, OST_LIST, params)]


@pytest.mark.parametrize("params, field", BAD_FILTERS)
def test_bad_parameters_get_the_forms_messages(client, params, field):
    """An export with a bad filter is a 400 carrying the same messages the page shows, in both formats."""
    page = client.get(OST_LIST, params)
    messages = [str(m) for m in page.context["filter"].errors[field]]
    assert messages
    as_json = client.get(OST_LIST, {**params, "format": "json"})
    assert as_json.status_code == 400
    assert as_json.json() == {"errors": {field: messages}}
    as_csv = client.get(OST_LIST, {**params, "format": "csv"})
    assert as_csv.status_code == 400
    text = as_csv.content.decode()
    label = page.context["filter"].form.fields[field].label
    for message in messages:
        assert f"{label}: {message}" in text


def test_unknown_format_is_a_400(client):
    for path, fmt in [(OST_LIST, "xml"), ("/osts/top/", "csv"), ("/groups/stray-kids/", "pdf")]:
        response = client.get(path, {"format": fmt})
        assert response.status_code == 400
        assert "not offered in that format" in response.content.decode()


def test_show_list_downloads_with_its_filters(client):
    rows = download_csv(client, reverse("catalog:show-list"), {"type": "animated-series"})
    page = client.get(reverse("catalog:show-list"), {"type": "animated-series"})
    assert {row["title"] for row in rows} == {show.title for show in page.context["shows"]}
    assert [row["title"] for row in rows] == ["Gabby's Dollhouse"]
    bad = client.get(reverse("catalog:show-list"), {"year": "soon", "format": "json"})
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["year"]


def test_ost_json_twin(client):
    """The OST page as data: the same singers the page marks, its languages and the show."""
    page = client.get("/osts/top/").context
    data = client.get("/osts/top/", {"format": "json"}).json()
    assert data["title"] == "TOP"
    assert data["group"]["name"] == "Stray Kids"
    assert data["show"]["title"] == "Tower of God"
    assert [s["name"] for s in data["singers"]] == [
        m.member.stage_name for m in page["lineup"] if m.member_id in page["singer_ids"]
    ]
    assert len(data["singers"]) == 8
    assert {lang["code"] for lang in data["languages"]} == {lang.code for lang in page["ost"].languages.all()}


def test_group_member_and_show_json_twins(client):
    group = client.get("/groups/treasure/", {"format": "json"}).json()
    assert {ost["url"].rsplit("/", 2)[1] for ost in group["osts"]} == {
        "beautiful", "bff-best-friend-forever", "gonna-be-fine"
    }
    assert "Bang Yedam" in {m["name"] for m in group["members"]}
    member = client.get("/members/seungmin/", {"format": "json"}).json()
    assert {ost["url"].rsplit("/", 2)[1] for ost in member["osts_sung"]} == {
        "here-always", "close-to-you", "top", "slump"
    }
    assert member["groups"][0]["name"] == "Stray Kids"
    show = client.get("/shows/our-blues/", {"format": "json"}).json()
    assert {ost["url"].rsplit("/", 2)[1] for ost in show["osts"]} == {"once-again", "star"}
    assert show["network"] == "tvN"


@pytest.mark.parametrize(
    "path, types",
    [
        ("/osts/?group=treasure", {"text/csv", "application/json"}),
        ("/shows/", {"text/csv", "application/json"}),
        ("/osts/top/", {"application/json"}),
        ("/groups/treasure/", {"application/json"}),
        ("/members/seungmin/", {"application/json"}),
        ("/shows/our-blues/", {"application/json"}),
    ],
)
def test_pages_link_their_data(client, path, types):
    """Each page names its data in the head and links it visibly; the links answer with that data."""
    content = client.get(path).content.decode()
    reader = PageReader()
    reader.feed(content)
    alternates = {link["type"]: link["href"] for link in reader.links
                  if link.get("rel") == "alternate" and link.get("type") in ("text/csv", "application/json")}
    assert set(alternates) == types
    data_links = re.search(r'<p class="data-links">(.*?)</p>', content).group(1)
    visible = {kind: html.unescape(href) for href, kind in re.findall(r'<a href="([^"]+)" type="([^"]+)"', data_links)}
    assert visible == alternates
    for content_type, href in alternates.items():
        answer = client.get(href if href.startswith("/") else path.split("?")[0] + href)
        assert answer.status_code == 200
        assert answer["Content-Type"].startswith(content_type)
    if "text/csv" in types and "group=treasure" in path:
        assert "group=treasure" in alternates["text/csv"] and "format=csv" in alternates["text/csv"]


@pytest.mark.parametrize(
    "url, queries",
    [
        # The OSTs with their show, network and group; their languages; their singers; their listen links.
        ("/osts/?format=csv", 4),
        # And the chosen group (the download builds no filter options).
        ("/osts/?group=treasure&type=web-drama&format=csv", 5),
        ("/shows/?type=anime&format=json", 2),
        ("/osts/top/?format=json", 6),
        ("/groups/treasure/?format=json", 3),
        ("/members/seungmin/?format=json", 5),
        ("/shows/our-blues/?format=json", 5),
    ],
)
def test_export_query_counts(client, django_assert_num_queries, url, queries):
    """Exports read a fixed number of queries (test_queries checks they do not grow with the catalogue); served
    again, they come from the page cache."""
    client.get("/osts/?q=warm-up")  # the site-wide filter options, built once per catalogue change
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"
