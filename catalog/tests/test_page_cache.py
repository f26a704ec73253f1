"""Catalogue pages come from the cache, yet never show stale content and keep comment forms working."""

import re

import pytest
from django.urls import reverse

from catalog.models import OST, Group, Show
from comments.models import Comment

pytestmark = pytest.mark.usefixtures("article_data")


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_second_request_is_a_cache_hit(client):
    """The same URL is built once and then served from the cache."""
    assert fetch(client, "/osts/?type=anime")["X-Page-Cache"] == "miss"
    assert fetch(client, "/osts/?type=anime")["X-Page-Cache"] == "hit"
    assert fetch(client, "/osts/?type=k-drama")["X-Page-Cache"] == "miss"


def test_admin_edit_shows_on_the_next_request(admin_client, client):
    """Renaming a show in the admin updates every cached page that shows it."""
    for url in ("/osts/", "/osts/once-again/", "/shows/our-blues/", "/groups/aespa/"):
        fetch(client, url)
        assert fetch(client, url)["X-Page-Cache"] == "hit"
    show = Show.objects.get(slug="our-blues")
    response = admin_client.post(
        reverse("admin:catalog_show_change", args=[show.pk]),
        {
            **{f: getattr(show, f) or "" for f in ("title", "original_title", "slug", "kind", "country", "first_year")},
            "title": "Our Blues (edited)",
            "network": show.network_id,
            "also_on": [n.pk for n in show.also_on.all()],
            "cameos-TOTAL_FORMS": 0, "cameos-INITIAL_FORMS": 0,
            "catalog-source-content_type-object_id-TOTAL_FORMS": 0,
            "catalog-source-content_type-object_id-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    for url in ("/osts/", "/osts/once-again/", "/shows/our-blues/", "/groups/aespa/"):
        assert "Our Blues (edited)" in fetch(client, url).content.decode(), url


def test_deletion_shows_on_the_next_request(client):
    """A deleted OST disappears from the cached list at once."""
    assert 'href="/osts/star/"' in fetch(client, "/osts/").content.decode()
    OST.objects.get(slug="star").delete()
    assert 'href="/osts/star/"' not in fetch(client, "/osts/").content.decode()
    assert client.get("/osts/star/").status_code == 404


def test_new_approved_comment_shows_on_the_next_request(client):
    """Approving a comment updates the cached OST page and the list's comment count."""
    fetch(client, "/osts/win/")
    fetch(client, "/osts/")
    comment = Comment.objects.create(
        ost=OST.objects.get(slug="win"), author_name="Mina", author_email="mina@example.com", body="Such a bop"
    )
    assert "Such a bop" not in fetch(client, "/osts/win/").content.decode()
    comment.status = Comment.Status.APPROVED
    comment.save()
    assert "Such a bop" in fetch(client, "/osts/win/").content.decode()
    assert "1 comment" in fetch(client, "/osts/").content.decode()


def test_cached_page_gets_a_fresh_csrf_token_and_form_timestamp(client, settings):
    """Two visitors of a cached page each get a working token; a comment posted from the cached copy is accepted."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 0
    from django.test import Client

    first = Client(enforce_csrf_checks=True)
    fetch(first, "/osts/win/")
    second = Client(enforce_csrf_checks=True)
    page = fetch(second, "/osts/win/")
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    assert "\x00" not in html
    form_fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    response = second.post(
        reverse("comments:post"),
        {
            **form_fields,
            "body": "Posted from a cached page",
            "author_name": "Jin",
            "author_email": "jin@example.com",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Comment.objects.filter(body="Posted from a cached page").exists()


def test_personal_pages_are_not_cached(client):
    """A reply link or saved details give a page built for that reader."""
    fetch(client, "/osts/win/")
    assert "X-Page-Cache" not in fetch(client, "/osts/win/?replytocom=1")
    client.cookies["comment_author"] = "Jin"
    page = fetch(client, "/osts/win/")
    assert "X-Page-Cache" not in page
    assert 'value="Jin"' in page.content.decode()


def test_page_cache_can_be_switched_off(client, settings):
    """PAGE_CACHE_SECONDS=0 renders every request."""
    settings.PAGE_CACHE_SECONDS = 0
    fetch(client, "/osts/")
    assert "X-Page-Cache" not in fetch(client, "/osts/")


def test_every_server_process_sees_the_same_version(client):
    """An edit made in one process invalidates pages in another (which has its own local cache)."""
    from django.core.cache import cache

    from catalog.cache import catalogue_version

    fetch(client, "/osts/")
    before = catalogue_version()
    cache.clear()  # another worker: nothing of this process's memory
    assert catalogue_version() == before
    Show.objects.filter(slug="our-blues").get().save()
    assert catalogue_version() != before
    assert fetch(client, "/osts/")["X-Page-Cache"] == "miss"


def test_migrate_starts_a_new_catalogue_version(client):
    """A deploy runs migrate: the new code and templates never serve pages the old ones cached."""
    from django.core.management import call_command

    fetch(client, "/osts/")
    assert fetch(client, "/osts/")["X-Page-Cache"] == "hit"
    call_command("migrate", verbosity=0)
    assert fetch(client, "/osts/")["X-Page-Cache"] == "miss"


def test_version_lives_in_the_shared_cache_when_there_is_one(settings):
    """With a shared cache (CACHE_URL), the version is kept there and bumped there."""
    from catalog.cache import bump_catalogue_version, catalogue_version

    settings.CATALOGUE_VERSION_FILE = None
    before = catalogue_version()
    assert catalogue_version() == before
    bump_catalogue_version()
    assert catalogue_version() != before


def result_count(html):
    return int(re.search(r'class="result-count" role="status">(\d+) OST', html).group(1))


def test_cards_and_counts_are_reused_until_the_catalogue_changes(client, settings):
    """With the page cache off, a list still reuses its cards and its count, and still shows every change."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0
    url = "/osts/?type=anime"
    with CaptureQueriesContext(connection) as first:
        before = fetch(client, url).content.decode()
    with CaptureQueriesContext(connection) as second:
        assert fetch(client, url).content.decode() == before
    # Only the page's rows are read again: not the count, not the cards' languages, singers and comments.
    assert len(first) > 5
    assert [query["sql"].split(" FROM ")[1].split()[0] for query in second] == ['"catalog_ost"']
    assert result_count(before) == 6

    ost = OST.objects.get(slug="win")
    ost.title = "WIN (renamed)"
    ost.save()
    assert "WIN (renamed)" in fetch(client, url).content.decode()

    OST.objects.get(slug="top").delete()
    after = fetch(client, url).content.decode()
    assert result_count(after) == 5
    assert 'href="/osts/top/"' not in after


def test_lineups_and_soundtracks_are_reused_until_the_catalogue_changes(client, settings):
    """With the page cache off, an OST page reuses its group's lineup, its show's other networks and other OSTs,
    and still shows every change to them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Member

    settings.PAGE_CACHE_SECONDS = 0
    fetch(client, "/osts/top/")
    with CaptureQueriesContext(connection) as again:
        html = fetch(client, "/osts/top/").content.decode()
    tables = {query["sql"].split(" FROM ")[1].split()[0] for query in again}
    assert '"catalog_membership"' not in tables
    assert '<a href="/osts/slump/">SLUMP</a>' in html

    slump = OST.objects.get(slug="slump")
    slump.title = "SLUMP (renamed)"
    slump.save()
    assert '<a href="/osts/slump/">SLUMP (renamed)</a>' in fetch(client, "/osts/top/").content.decode()

    show = Show.objects.get(slug="tower-of-god")
    show.also_on.add(show.network.__class__.objects.create(name="Anime Channel Test", slug="anime-channel-test"))
    for url in ("/osts/top/", "/shows/tower-of-god/"):
        assert "Anime Channel Test" in fetch(client, url).content.decode()

    member = Member.objects.get(slug="bang-chan")
    member.stage_name = "Bang Chan (renamed)"
    member.save()
    for url in ("/osts/top/", "/groups/stray-kids/"):
        assert "Bang Chan (renamed)" in fetch(client, url).content.decode()


def test_a_card_is_made_from_a_bare_row_and_not_for_an_ost_deleted_meanwhile(django_assert_max_num_queries):
    """A list page reads only its OSTs' own rows; their cards' related rows are fetched in one go, and an OST
    deleted between the page's query and its cards just has no card."""
    from catalog.cache import ost_cards

    osts = list(OST.objects.filter(slug__in=["top", "slump", "win"]).order_by("title"))
    OST.objects.get(slug="top").delete()
    with django_assert_max_num_queries(4):  # the rows with show, network and group, then three prefetches
        cards = ost_cards(osts)
    assert len(cards) == 2
    assert 'href="/osts/slump/"' in cards[0] and "Tower of God" in cards[0] and "Stray Kids" in cards[0]
    assert 'href="/osts/win/"' in cards[1]


def test_group_and_show_pages_reuse_their_counts_and_soundtrack_until_the_catalogue_changes(client, settings):
    """With the page cache off, a group page takes its OST count from the site-wide counts and a show page its
    OSTs from the show's cached soundtrack: neither counts again, and both show a new OST at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.tests.factories import make_ost

    settings.PAGE_CACHE_SECONDS = 0

    def count_on(url):
        html = fetch(client, url).content.decode()
        return int(re.search(r'<span class="count">(\d+)</span>', html).group(1)), html

    for url in ("/groups/stray-kids/", "/shows/tower-of-god/"):
        fetch(client, url)
        with CaptureQueriesContext(connection) as again:
            fetch(client, url)
        assert not [query for query in again if "COUNT(" in query["sql"]], url
    assert count_on("/groups/stray-kids/")[0] == 4
    assert count_on("/shows/tower-of-god/")[0] == 2

    make_ost(title="Brand New Theme", show=Show.objects.get(slug="tower-of-god"), artist=Group.objects.get(slug="stray-kids"))
    for url, expected in (("/groups/stray-kids/", 5), ("/shows/tower-of-god/", 3)):
        count, html = count_on(url)
        assert count == expected and 'href="/osts/brand-new-theme/"' in html, url
