"""Every page has its own title and description, a clean canonical URL, social-card tags; errors have branded pages."""

from urllib.parse import urlsplit

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import include, path, set_script_prefix

from catalog.models import OST, Group, Member, Show
from catalog.tests.factories import make_group, make_ost
from catalog.tests.html import read_page

BASE = "http://testserver"


def sitemap_paths(client):
    """Every page the sitemap lists, as paths."""
    from xml.etree import ElementTree

    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ElementTree.fromstring(client.get("/sitemap.xml").content)
    paths = []
    for section in index.findall("sm:sitemap/sm:loc", ns):
        urlset = ElementTree.fromstring(client.get(urlsplit(section.text).path).content)
        paths += [urlsplit(loc.text).path for loc in urlset.findall("sm:url/sm:loc", ns)]
    return paths


@pytest.mark.usefixtures("article_data")
class TestHeads:
    def test_titles_and_descriptions_are_unique(self, client):
        """No two pages in the sitemap share a <title> or a meta description."""
        titles, descriptions = {}, {}
        paths = sitemap_paths(client)
        assert len(paths) == 5 + OST.objects.count() + Group.objects.count() + Member.objects.count() + Show.objects.count()
        for page_path in paths:
            page = read_page(client.get(page_path))
            (description,) = page.meta["description"]
            assert page.title.endswith(" · Idol OST Archive") and len(page.title) > len(" · Idol OST Archive")
            assert description.strip()
            assert page.title not in titles, f"{page_path} and {titles.get(page.title)} share a title"
            assert description not in descriptions, f"{page_path} and {descriptions.get(description)} share a description"
            titles[page.title], descriptions[description] = page_path, page_path

    def test_every_page_has_a_canonical_url_and_social_tags(self, client):
        """Absolute canonical link, og:url equal to it, og/twitter title and description as the page's own."""
        for page_path in sitemap_paths(client):
            page = read_page(client.get(page_path))
            (canonical,) = [link["href"] for link in page.link("canonical")]
            assert canonical == BASE + page_path
            assert page.meta["og:url"] == [canonical]
            assert page.meta["og:title"] == page.meta["twitter:title"] == [page.title.removesuffix(" · Idol OST Archive")]
            assert page.meta["og:description"] == page.meta["twitter:description"] == page.meta["description"]
            assert page.meta["og:site_name"] == ["Idol OST Archive"] and page.meta["twitter:card"] == ["summary"]
            assert page.meta["og:type"][0] in {"website", "music.song", "profile", "video.tv_show"}

    def test_canonical_drops_tracking_and_reply_parameters(self, client):
        """utm_*, fbclid and ?replytocom= never reach the canonical URL of a detail page."""
        page = read_page(client.get("/osts/once-again/?utm_source=x&fbclid=abc&replytocom=3"))
        assert page.link("canonical")[0]["href"] == BASE + "/osts/once-again/"

    def test_filtered_list_keeps_its_valid_filters(self, client):
        """Valid filters stay (in the form's order, as written in URLs); search, sort, bad values and junk go."""
        page = read_page(client.get("/osts/?utm_campaign=x&year=2022&q=aespa&ordering=title&type=anime&group=nope"))
        assert page.link("canonical")[0]["href"] == BASE + "/osts/?type=anime&year=2022"
        page = read_page(client.get("/osts/?year=02022&language=ja&page=1"))
        assert page.link("canonical")[0]["href"] == BASE + "/osts/?language=ja&year=2022"
        page = read_page(client.get("/shows/?network=tvn&foo=bar"))
        assert page.link("canonical")[0]["href"] == BASE + "/shows/?network=tvn"

    def test_later_pages_keep_their_number_and_their_own_title(self, client, db):
        """Page 2 of a list is its own page: canonical with ?page=2 and "(page 2)" in the title."""
        for i in range(30):
            make_ost(title=f"Extra {i}", slug=f"extra-{i}")
        first, second = read_page(client.get("/osts/")), read_page(client.get("/osts/?page=2&utm_medium=x"))
        assert second.link("canonical")[0]["href"] == BASE + "/osts/?page=2"
        assert second.title != first.title and "(page 2)" in second.title
        assert second.meta["description"] != first.meta["description"]

    def test_pages_advertise_their_feeds(self, client):
        """RSS and Atom alternates for new OSTs and comments, in the head and in the footer."""
        response = client.get("/")
        alternates = {(link["type"], link["href"]) for link in read_page(response).link("alternate")}
        assert alternates == {
            ("application/rss+xml", "/feeds/osts.rss"),
            ("application/atom+xml", "/feeds/osts.atom"),
            ("application/rss+xml", "/feeds/comments.rss"),
            ("application/atom+xml", "/feeds/comments.atom"),
        }
        footer = response.content.decode().split('<footer class="site-footer">')[1]
        for href in ("/feeds/osts.rss", "/feeds/osts.atom", "/feeds/comments.rss", "/feeds/comments.atom"):
            assert f'href="{href}"' in footer


def test_pictures_become_og_images(client, db):
    """A group with a picture shares it as an absolute og:image; an OST falls back to its show's or group's picture."""
    group = make_group(name="Pictured", image="groups/pictured.png")
    ost = make_ost(artist=group)
    for url in (group.get_absolute_url(), ost.get_absolute_url()):
        page = read_page(client.get(url))
        assert page.meta["og:image"] == [BASE + "/media/groups/pictured.png"] == page.meta["twitter:image"]
        assert page.meta["og:image:alt"]
    assert "og:image" not in read_page(client.get(ost.show.get_absolute_url())).meta


@pytest.mark.usefixtures("article_data")
def test_404_page_helps_the_reader_on(client):
    """A missing page answers 404 with the site's frame, a search box and links to the lists, and no canonical."""
    response = client.get("/osts/no-such-song/")
    assert response.status_code == 404
    html = response.content.decode()
    page = read_page(response)
    assert page.h1 == "We couldn’t find that page" and page.title == "Page not found · Idol OST Archive"
    assert 'name="q"' in html and 'id="notfound-q"' in html
    for href in ('href="/osts/"', 'href="/groups/"', 'href="/shows/"'):
        assert href in html
    assert not page.link("canonical") and page.meta["robots"] == ["noindex"]


def test_500_page_renders_without_request_or_database(django_assert_num_queries, db):
    """500.html needs no context processor and no query: it renders from an empty context."""
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong" in html and 'action="/osts/"' in html and 'href="/groups/"' in html


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken_view), path("", include("ostsite.urls"))]


@override_settings(ROOT_URLCONF=__name__)
def test_server_errors_show_the_branded_500_page(db):
    """An exception in a view gives status 500 and our page, not Django's bare one."""
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_links_follow_the_script_prefix_of_each_request(db, settings):
    """Page URLs are reversed once per process (catalog.models.fixed_url and detail_page_url), keyed on the
    script prefix: a site mounted under /fans/ links there, and the same process still links to / after."""
    settings.PAGE_CACHE_SECONDS = 0  # the test client's request.path leaves the prefix out, so both share a key
    ost = make_ost(title="Prefix Song", slug="prefix-song")
    client = Client()
    # As the WSGI handler sets it from SCRIPT_NAME (the test client does not).
    set_script_prefix("/fans/")
    try:
        mounted = client.get("/osts/prefix-song/").content.decode()
    finally:
        set_script_prefix("/")
    assert 'href="/fans/osts/"' in mounted and 'href="/fans/feeds/' in mounted
    assert f'href="/fans{ost.show.get_absolute_url()}"' in mounted
    at_root = client.get("/osts/prefix-song/").content.decode()
    assert 'href="/osts/"' in at_root and 'href="/fans/' not in at_root
