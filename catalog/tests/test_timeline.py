"""The years at a glance: /timeline/ counts the article's OSTs per year, by group or by kind of show, and every bar
leads to a list of exactly that many songs; the home page links to each year."""

import html
import json
import re

import pytest
from django.urls import reverse

from catalog.models import OST
from catalog.tests.factories import make_group, make_ost, make_show
from catalog.timeline import MAX_SERIES, build_timeline

# The article's 21 OSTs by release year; five have no known year.
PER_YEAR = {2019: 1, 2020: 5, 2021: 4, 2022: 6}
UNKNOWN = {"let-me-dance", "hey-gabby", "sprinkle-party", "bff-best-friend-forever", "gonna-be-fine"}
BY_GROUP = {
    (2019, "gi-dle"): 1,
    (2020, "stray-kids"): 2, (2020, "tomorrow-x-together"): 2, (2020, "cix"): 1,
    (2021, "stray-kids"): 1, (2021, "tomorrow-x-together"): 1, (2021, "treasure"): 1, (2021, "enhypen"): 1,
    (2022, "stray-kids"): 1, (2022, "enhypen"): 1, (2022, "aespa"): 1, (2022, "itzy"): 1,
    (2022, "secret-number"): 1, (2022, "stayc"): 1,
}
BY_KIND = {
    (2019, "k-drama"): 1, (2020, "k-drama"): 1, (2020, "anime"): 4, (2021, "k-drama"): 2, (2021, "anime"): 2,
    (2022, "k-drama"): 5, (2022, "web-drama"): 1,
}

SEGMENT = re.compile(r'<a class="segment" href="([^"]+)" aria-label="([^"]+)"><title>([^<]+)</title>')
YEAR_LINK = re.compile(r'<a class="timeline-year-link" href="([^"]+)" aria-label="(\d{4}): (\d+) songs? in all">')


def main_of(response):
    assert response.status_code == 200
    text = response.content.decode()
    return text[text.index("<main") : text.index("</main>")]


def chart_of(main):
    return main[main.index('<svg class="timeline-chart"') : main.index("</svg>\n</figure>")]


def listed_slugs(client, url):
    """The OSTs an OST list page shows (every one of ours fits on its first page), and the count it states."""
    main = main_of(client.get(url))
    slugs = re.findall(r'<h3 class="ost-card-title"><a href="/osts/([^/]+)/">', main)
    stated = int(re.search(r'<p class="result-count"[^>]*>(\d+) OST', main)[1])
    return set(slugs), stated


def segments(main):
    """{(year, filter value): (count, url)} from the chart's linked parts."""
    found = {}
    for url, label, title in SEGMENT.findall(chart_of(main)):
        assert html.unescape(label) == html.unescape(title)
        query = dict(pair.split("=") for pair in html.unescape(url).split("?", 1)[1].split("&"))
        count = int(re.search(r": (\d+) songs?$", label)[1])
        value = query.get("group") or query.get("type")
        found[int(query["year"]), value] = (count, html.unescape(url))
    return found


def assert_parts_list_their_songs(client, parts, counts, field):
    """Each bar part states `counts` ({(year, group or kind): n}) and its link lists exactly those OSTs."""
    assert {key: n for key, (n, _url) in parts.items()} == counts
    for (year, value), (n, url) in parts.items():
        slugs, stated = listed_slugs(client, url)
        expected = set(OST.objects.filter(release_year=year, **{field: value}).values_list("slug", flat=True))
        assert stated == n == len(slugs) and slugs == expected, url


@pytest.mark.usefixtures("article_data")
class TestTimelinePage:
    def test_bars_by_group_give_the_article_counts_and_lead_to_lists_of_exactly_those_songs(self, client):
        """Each year's bar and each group's part of it states the article's count, and its link lists exactly those OSTs."""
        main = main_of(client.get("/timeline/"))
        years = {int(year): (int(n), html.unescape(url)) for url, year, n in YEAR_LINK.findall(chart_of(main))}
        assert {year: n for year, (n, _url) in years.items()} == PER_YEAR
        for year, (n, url) in years.items():
            assert url == f"/osts/?year={year}"
            slugs, stated = listed_slugs(client, url)
            assert stated == n and slugs == set(OST.objects.filter(release_year=year).values_list("slug", flat=True))
        assert_parts_list_their_songs(client, segments(main), BY_GROUP, "artist__slug")

    def test_bars_by_kind_of_show_give_the_article_counts_and_lead_to_lists_of_exactly_those_songs(self, client):
        """?by=kind splits the same years by kind of show; each part's link lists exactly its OSTs."""
        main = main_of(client.get("/timeline/?by=kind"))
        assert 'aria-current="page">By kind of show</a>' in main
        assert_parts_list_their_songs(client, segments(main), BY_KIND, "show__kind")

    def test_chart_is_labelled_and_has_a_table_with_the_same_numbers(self, client):
        """The SVG is a labelled group with a title and a description; the table gives every count, the unknown year
        included, and links each number to its list."""
        main = main_of(client.get("/timeline/"))
        chart = chart_of(main)
        assert 'role="group" aria-labelledby="timeline-title" aria-describedby="timeline-desc"' in chart
        assert '<title id="timeline-title">Bar chart: OSTs released each year, by group</title>' in chart
        assert "One bar per year from 2019 to 2022" in chart
        table = main[main.index('<table class="timeline-table">') : main.index("</table>")]
        head = re.findall(r'<th scope="col">([^<]+)</th>', table)
        assert head == ["Group", "2019", "2020", "2021", "2022", "Year not known", "All"]
        rows = {}
        for name, cells in re.findall(r'<tr><th scope="row">.*?<span>([^<]+)</span></span></th>(.*?)</tr>', table):
            rows[html.unescape(name)] = [int(n) for n in re.findall(r">(\d+)<", cells)]
        assert rows["Stray Kids"] == [0, 2, 1, 1, 0, 4]
        assert rows["TREASURE"] == [0, 0, 1, 0, 2, 3]
        assert rows["NMIXX"] == [0, 0, 0, 0, 2, 2]
        assert rows["i-dle"] == [1, 0, 0, 0, 0, 1]
        assert len(rows) == 12
        footer = table[table.index("<tfoot>") :]
        assert [int(n) for n in re.findall(r">(\d+)<", footer)] == [1, 5, 4, 6, 5, 21]
        assert '<a href="/osts/?year=2020&amp;group=stray-kids">2</a>' in table

    def test_songs_without_a_year_are_counted_and_named(self, client):
        """The five songs with no known release year are counted apart, by group, and each is named with a link."""
        main = main_of(client.get("/timeline/"))
        assert "16 songs with a known year; 5 more without one." in main
        section = main[main.index('<section id="year-unknown"') :]
        section = section[: section.index("</section>")]
        assert '<h2 id="unknown-heading">Year not known <span class="count">5</span></h2>' in section
        assert "counted in the table: TREASURE 2, NMIXX 2, EVERGLOW 1." in section
        assert set(re.findall(r'<a href="/osts/([^/]+)/">', section)) == UNKNOWN

    def test_the_split_can_be_chosen_and_a_bad_one_is_explained(self, client):
        """?by=nope shows the chart by group with a message naming the choices; the JSON twin answers 400; an unknown
        format answers 400; the page is in the sitemap and the main navigation."""
        main = main_of(client.get("/timeline/?by=nope<b>"))
        assert "“nope&lt;b&gt;” is not a way to split the timeline: choose by group (?by=group)" in main
        assert "Here it is by group." in main and 'aria-current="page">By group</a>' in main
        assert segments(main)[2020, "cix"][0] == 1
        response = client.get("/timeline/?by=year&format=json")
        assert response.status_code == 400 and "is not a way to split the timeline" in response.json()["errors"]["by"][0]
        assert client.get("/timeline/?format=xml").status_code == 400
        assert 'aria-current="page">By group</a>' in main_of(client.get("/timeline/?by="))
        assert client.get("/").content.decode().count(f'<a href="{reverse("catalog:timeline")}">Years</a>') == 1
        assert "<loc>http://testserver/timeline/</loc>" in client.get("/sitemap-pages.xml").content.decode()

    def test_json_twin_has_the_same_numbers(self, client):
        """?format=json gives each year's count and its parts, each with the list that holds them, and the unknown year."""
        response = client.get("/timeline/?by=kind&format=json")
        assert response["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(response.content)
        assert data["split_by"] == "kind_of_show" and data["count"] == 21
        assert {year["year"]: year["count"] for year in data["years"]} == PER_YEAR
        year_2020 = next(year for year in data["years"] if year["year"] == 2020)
        assert year_2020["kinds_of_show"] == [
            {"kind_of_show": "K-drama", "count": 1, "osts": "http://testserver/osts/?year=2020&type=k-drama"},
            {"kind_of_show": "Anime", "count": 4, "osts": "http://testserver/osts/?year=2020&type=anime"},
        ]
        assert data["year_unknown"]["count"] == 5 and len(data["year_unknown"]["osts"]) == 5
        assert 'href="/timeline/?by=kind&amp;format=json"' in client.get("/timeline/?by=kind").content.decode()


@pytest.mark.usefixtures("article_data")
def test_home_page_browses_by_year(client):
    """The home page links to each year's list, with the count it holds, to the songs without a year and to the timeline."""
    main = main_of(client.get("/"))
    section = main[main.index('<section class="browse-years"') :]
    section = section[: section.index("</section>")]
    links = re.findall(r'<a class="pill" href="/osts/\?year=(\d{4})">\d{4} <span class="count">(\d+)</span>', section)
    assert [(int(year), int(n)) for year, n in links] == sorted(PER_YEAR.items(), reverse=True)
    for year, n in links:
        assert listed_slugs(client, f"/osts/?year={year}")[1] == int(n)
    assert '<a class="pill" href="/timeline/#year-unknown">Year not known <span class="count">5</span></a>' in section
    assert '<a href="/timeline/">The years at a glance →</a>' in section


@pytest.mark.django_db
def test_empty_site_home_shows_one_welcome(client):
    """A new site's home page welcomes with one message instead of a row of empty lists; the timeline says it is empty."""
    main = main_of(client.get("/"))
    assert main.count('class="welcome"') == 1 and "the archive is ready for its first songs" in main
    assert 'class="empty"' not in main
    for heading in ("Latest releases", "Most discussed", "Browse by"):
        assert heading not in main
    timeline = main_of(client.get("/timeline/"))
    assert "No songs are listed yet: the chart appears with the first one." in timeline
    assert "<svg class=\"timeline-chart\"" not in timeline and "<table" not in timeline


@pytest.mark.django_db
def test_small_groups_beyond_the_drawn_ones_share_one_unlinked_part():
    """With more groups than colours, the biggest are drawn and the rest are counted together, never dropped."""
    show = make_show(first_year=2021)
    groups = [make_group(name=f"Group {i:02}") for i in range(MAX_SERIES + 2)]
    for i, group in enumerate(groups):
        for _ in range(2 if i < MAX_SERIES - 1 else 1):
            make_ost(show=show, artist=group, release_year=2021)
    make_ost(show=show, artist=groups[0], release_year=None)
    data = build_timeline("group")
    labels = [entry["label"] for entry in data["series"]]
    assert labels == [f"Group {i:02}" for i in range(MAX_SERIES - 1)] + ["Other groups"]
    other = data["series"][-1]
    assert other["total"] == 3 and other["url"] is None
    (bar,) = data["bars"]
    assert bar["total"] == 2 * (MAX_SERIES - 1) + 3 and sum(s["count"] for s in bar["segments"]) == bar["total"]
    assert bar["segments"][-1]["url"] is None and bar["segments"][0]["url"] == "/osts/?year=2021&group=group-00"
    assert data["unknown"]["total"] == 1 and data["total"] == bar["total"] + 1


@pytest.mark.django_db
def test_years_without_songs_between_others_are_drawn_empty():
    """A gap year is drawn as a row with no songs and no link, so the years keep their places."""
    show = make_show(first_year=2019, last_year=2023)
    make_ost(show=show, release_year=2019)
    make_ost(show=show, release_year=2022)
    data = build_timeline("kind")
    assert [(bar["year"], bar["total"], bar["url"]) for bar in data["bars"]] == [
        (2019, 1, "/osts/?year=2019"), (2020, 0, None), (2021, 0, None), (2022, 1, "/osts/?year=2022"),
    ]


@pytest.mark.usefixtures("article_data")
@pytest.mark.django_db(transaction=True)  # the cached timeline goes stale when the edit commits
def test_a_new_ost_shows_on_the_cached_timeline_at_once(client):
    """The timeline is cached with the lists: an OST added afterwards is counted on the next request."""
    assert "6 songs" in main_of(client.get("/timeline/"))
    assert client.get("/timeline/")["X-Page-Cache"] == "hit"
    make_ost(show=OST.objects.get(slug="star").show, artist=OST.objects.get(slug="star").artist, release_year=2022)
    assert "7 songs" in main_of(client.get("/timeline/"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clicking_a_bar_in_chromium_lands_on_its_filtered_list(live_server, article_data, browser):
    """In Chromium: a click on Stray Kids' part of 2020 opens the list of their two 2020 songs; on a phone the
    keyboard reaches the parts of a bar too, and Enter opens that part's list."""
    for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(live_server.url + "/timeline/")
        page.get_by_role("link", name="Stray Kids, 2020: 2 songs").click()
        page.wait_for_url("**/osts/?year=2020&group=stray-kids")
        assert page.locator(".result-count").inner_text().startswith("2 OSTs")
        titles = page.locator(".ost-card-title a").all_inner_texts()
        assert sorted(titles) == ["SLUMP", "TOP"]

        page.goto(live_server.url + "/timeline/?by=kind")
        page.get_by_role("link", name="2022: 6 songs in all").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "K-drama, 2022: 5 songs"
        page.keyboard.press("Enter")
        page.wait_for_url("**/osts/?year=2022&type=k-drama")
        assert page.locator(".result-count").inner_text().startswith("5 OSTs")
        assert page.locator(".ost-card").count() == 5
        context.close()


@pytest.mark.django_db
def test_a_home_page_without_comments_shows_no_empty_most_discussed(client, article_data):
    """With songs but no comments yet, "Most discussed" stays out; the comment form says there are none."""
    main = main_of(client.get("/"))
    assert "Latest releases" in main and "Most discussed" not in main and 'class="empty"' not in main
    assert "No comments yet" in main
