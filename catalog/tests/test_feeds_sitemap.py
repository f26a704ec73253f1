"""Feed readers and crawlers can use the feeds, sitemap.xml and robots.txt."""

from datetime import timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
from django.utils import timezone

from catalog.models import OST, Group, Member, Show
from catalog.tests.factories import make_ost
from comments.models import Comment

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
FEEDS = ["/feeds/osts.rss", "/feeds/osts.atom", "/feeds/comments.rss", "/feeds/comments.atom"]


def parse_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, f"{url}: {feed.get('bozo_exception')}"
    return feed


def comment(target=None, **kw):
    kw.setdefault("status", Comment.Status.APPROVED)
    fields = {"author_name": "Mina", "author_email": "mina.secret@example.com", "body": "Love it", **kw}
    if target is not None:
        fields[target._meta.model_name] = target
    return Comment.objects.create(**fields)


@pytest.mark.usefixtures("article_data")
class TestFeeds:
    def test_feeds_parse_without_errors(self, client):
        """feedparser reads all four feeds with no bozo error, RSS 2.0 and Atom 1.0."""
        comment(OST.objects.first())
        versions = {url: parse_feed(client, url).version for url in FEEDS}
        assert versions == {
            "/feeds/osts.rss": "rss20",
            "/feeds/osts.atom": "atom10",
            "/feeds/comments.rss": "rss20",
            "/feeds/comments.atom": "atom10",
        }

    def test_new_osts_come_first(self, client):
        """The newest OST by created_at heads the feed, with an absolute link to its page."""
        newest = make_ost(title="Brand New Song", slug="brand-new-song", artist=Group.objects.get(slug="aespa"))
        OST.objects.filter(pk=newest.pk).update(created_at=timezone.now() + timedelta(days=1))
        for url in FEEDS[:2]:
            entry = parse_feed(client, url).entries[0]
            assert entry.title.startswith("Brand New Song – aespa")
            assert entry.link == "http://testserver/osts/brand-new-song/"

    def test_comment_feeds_show_approved_comments_and_never_emails(self, client):
        """Approved comments only, with the author's name and the page link; no email anywhere in the feed."""
        ost = OST.objects.get(slug="once-again")
        shown = comment(ost, body="Winter sings <3 & more")
        comment(ost, body="Held back", status=Comment.Status.PENDING)
        comment(ost, body="Buy pills", status=Comment.Status.SPAM)
        comment(None, body="Home page comment")
        for url in FEEDS[2:]:
            response = client.get(url)
            assert b"mina.secret" not in response.content and b"@example.com" not in response.content
            entries = parse_feed(client, url).entries
            bodies = " ".join(entry.summary for entry in entries)
            assert "Held back" not in bodies and "Buy pills" not in bodies
            by_link = {entry.link: entry for entry in entries}
            entry = by_link[f"http://testserver/osts/once-again/#comment-{shown.pk}"]
            assert entry.title == "Mina on ONCE AGAIN" and entry.author == "Mina"
            assert "<p>Winter sings &lt;3 &amp; more</p>" == entry.summary
            assert "Mina on the home page" in {entry.title for entry in entries}

    def test_control_characters_cannot_break_the_feeds(self, client):
        """Characters XML cannot hold (a comment body with \\x0b, a title with \\x01) are dropped, not a 500."""
        comment(OST.objects.first(), body="vertical\x0btab", author_name="Bell\x07")
        make_ost(title="Odd\x01title", slug="odd-title")
        for url in FEEDS:
            parse_feed(client, url)


@pytest.mark.usefixtures("article_data")
class TestSitemap:
    def test_every_loc_answers_200(self, client):
        """The index and each section parse as XML; every <loc> is absolute and its page answers 200."""
        response = client.get("/sitemap.xml")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
        index = ElementTree.fromstring(response.content)
        sections = [loc.text for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS)]
        assert len(sections) == 5
        locs = []
        for section in sections:
            urlset = ElementTree.fromstring(client.get(urlsplit(section).path).content)
            for url in urlset.findall("sm:url", SITEMAP_NS):
                locs.append(url.find("sm:loc", SITEMAP_NS).text)
                assert url.find("sm:lastmod", SITEMAP_NS) is not None
        assert all(loc.startswith("http://testserver/") for loc in locs)
        for loc in locs:
            assert client.get(urlsplit(loc).path).status_code == 200, loc
        paths = {urlsplit(loc).path for loc in locs}
        expected = {"/", "/osts/", "/groups/", "/shows/", "/timeline/"}
        for model in (OST, Group, Member, Show):
            expected |= {obj.get_absolute_url() for obj in model.objects.all()}
        assert paths == expected and len(locs) == len(expected)

    def test_lastmod_is_the_rows_updated_at(self, client):
        """An OST's <lastmod> is its updated_at date."""
        ost = OST.objects.get(slug="once-again")
        urlset = ElementTree.fromstring(client.get("/sitemap-osts.xml").content)
        lastmods = {
            urlsplit(url.find("sm:loc", SITEMAP_NS).text).path: url.find("sm:lastmod", SITEMAP_NS).text
            for url in urlset.findall("sm:url", SITEMAP_NS)
        }
        assert lastmods[ost.get_absolute_url()] == ost.updated_at.date().isoformat()

    def test_sitemap_cost_does_not_grow_with_the_catalogue(self, client, django_assert_max_num_queries):
        """Each section is one query for its rows (plus the count the paginator asks for)."""
        with django_assert_max_num_queries(2):
            client.get("/sitemap-members.xml")


def test_robots_txt_points_at_the_sitemap(client, db):
    """robots.txt disallows /admin/ and names the sitemap by its absolute URL."""
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
