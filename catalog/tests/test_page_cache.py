"""Catalogue pages come from the cache, go stale exactly when what they show changes, and keep forms working.

Invalidation happens when a transaction commits, so these tests commit as the site does (transaction=True).
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import OST, Group, Show
from comments import moderation
from comments.models import Comment
from ostsite import page_cache

pytestmark = [pytest.mark.usefixtures("article_data"), pytest.mark.django_db(transaction=True)]

# A list, a show's OST page, another OST, the group and show pages around it, and the home page.
PAGES = ("/osts/", "/osts/?type=anime", "/osts/win/", "/osts/top/", "/groups/cix/", "/shows/tower-of-god/", "/")


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def warm(client, urls=PAGES):
    for url in urls:
        fetch(client, url)
        assert fetch(client, url)["X-Page-Cache"] == "hit", url


def cache_states(client, urls=PAGES):
    return {url: fetch(client, url)["X-Page-Cache"] for url in urls}


def new_comment(slug="win", email="mina@example.com", **fields):
    return Comment.objects.create(
        ost=OST.objects.get(slug=slug), author_name="Mina", author_email=email, body="Such a bop", **fields
    )


def test_second_request_is_a_cache_hit(client):
    """The same URL is built once and then served from the cache."""
    assert fetch(client, "/osts/?type=anime")["X-Page-Cache"] == "miss"
    assert fetch(client, "/osts/?type=anime")["X-Page-Cache"] == "hit"
    assert fetch(client, "/osts/?type=k-drama")["X-Page-Cache"] == "miss"


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM])
def test_a_held_or_spam_comment_invalidates_nothing(client, status):
    """Nobody sees a held or spam comment on the pages, so every cached page stays a hit."""
    warm(client)
    new_comment(status=status)
    assert set(cache_states(client).values()) == {"hit"}


def test_a_held_comment_posted_through_the_form_invalidates_nothing(client, settings):
    """A first comment, posted by a reader, waits for moderation: the pages stay cached, and its author still
    sees it on their own preview page."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 0
    warm(client)
    reader = Client()
    page = fetch(reader, "/osts/win/").content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    response = reader.post(
        reverse("comments:post"),
        {**fields, "body": "First time here", "author_name": "Jin", "author_email": "jin@example.com"},
    )
    assert response.status_code == 302
    assert Comment.objects.get(body="First time here").status == Comment.Status.PENDING
    assert set(cache_states(client).values()) == {"hit"}
    preview = fetch(reader, response["Location"])
    assert "First time here" in preview.content.decode()
    assert "X-Page-Cache" not in preview and "private" in preview["Cache-Control"]


def test_trashing_a_held_comment_invalidates_nothing(client):
    comment = new_comment()
    warm(client)
    moderation.move_to_trash(Comment.objects.filter(pk=comment.pk))
    assert set(cache_states(client).values()) == {"hit"}


def test_an_approved_comment_shows_on_its_page_and_the_home_page_only(client):
    """Approval changes the OST's comment section and the home page's most discussed list; every other page
    stays cached."""
    comment = new_comment()
    warm(client)
    moderation.approve(Comment.objects.filter(pk=comment.pk))
    states = cache_states(client)
    assert states.pop("/osts/win/") == "miss" and states.pop("/") == "miss"
    assert set(states.values()) == {"hit"}
    assert "Such a bop" in fetch(client, "/osts/win/").content.decode()
    home = fetch(client, "/").content.decode()
    discussed = home[home.index('id="discussed-heading"') :]
    assert 'href="/osts/win/"' in discussed and "1 comment" in discussed


def test_an_approved_comment_on_a_group_page_leaves_the_home_page_cached(client):
    warm(client)
    Comment.objects.create(
        group=Group.objects.get(slug="cix"), author_name="Jin", author_email="jin@example.com",
        body="Love this group", status=Comment.Status.APPROVED,
    )
    states = cache_states(client)
    assert states.pop("/groups/cix/") == "miss"
    assert set(states.values()) == {"hit"}
    assert "Love this group" in fetch(client, "/groups/cix/").content.decode()


def test_trashing_an_approved_comment_takes_it_off_its_page(client):
    comment = new_comment(status=Comment.Status.APPROVED)
    warm(client)
    assert "Such a bop" in fetch(client, "/osts/win/").content.decode()
    moderation.move_to_trash(Comment.objects.filter(pk=comment.pk))
    assert "Such a bop" not in fetch(client, "/osts/win/").content.decode()
    assert cache_states(client, ["/osts/top/", "/osts/"]) == {"/osts/top/": "hit", "/osts/": "hit"}


def test_bulk_moderation_is_one_invalidation(client):
    """Approving comments on two pages at once bumps each page's version once, together."""
    win, top = new_comment("win"), new_comment("top", email="jin@example.com")
    warm(client)
    moderation.approve(Comment.objects.filter(pk__in=[win.pk, top.pk]))
    versions = page_cache.versions(*(page_cache.page_scope(url) for url in ("/osts/win/", "/osts/top/", "/")))
    assert len(set(versions)) == 1
    assert cache_states(client, ["/osts/", "/groups/cix/"]) == {"/osts/": "hit", "/groups/cix/": "hit"}


def test_admin_edit_shows_on_the_next_request(admin_client, client):
    """Renaming a show in the admin updates every cached page that shows it."""
    urls = ("/osts/", "/osts/once-again/", "/shows/our-blues/", "/groups/aespa/")
    warm(client, urls)
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
    for url in urls:
        assert "Our Blues (edited)" in fetch(client, url).content.decode(), url


def test_editing_an_ost_makes_only_the_pages_that_show_it_stale(client):
    """TOP (Stray Kids, Tower of God) renamed: the lists, its page, its group's and show's pages, the other OST of
    its show and its singers' pages go stale; pages about other songs, groups and members stay cached."""
    stale = ["/osts/", "/osts/?type=anime", "/", "/groups/", "/shows/", "/osts/top/", "/groups/stray-kids/",
             "/shows/tower-of-god/", "/osts/slump/", "/members/bang-chan/"]
    kept = ["/osts/win/", "/groups/cix/", "/shows/our-blues/", "/members/winter/"]
    warm(client, stale + kept)
    ost = OST.objects.get(slug="top")
    ost.title = "TOP (edited)"
    ost.save()
    assert cache_states(client, stale) == {url: "miss" for url in stale}
    assert cache_states(client, kept) == {url: "hit" for url in kept}
    for url in stale[:1] + stale[5:]:
        assert "TOP (edited)" in fetch(client, url).content.decode(), url


def test_moving_an_ost_to_another_show_updates_both_show_pages(client):
    warm(client, ["/shows/tower-of-god/", "/shows/black-clover/"])
    ost = OST.objects.get(slug="top")
    ost.show = Show.objects.get(slug="black-clover")
    ost.save()
    assert 'href="/osts/top/"' not in fetch(client, "/shows/tower-of-god/").content.decode()
    assert 'href="/osts/top/"' in fetch(client, "/shows/black-clover/").content.decode()


def test_renaming_a_group_makes_every_page_stale(client):
    """A group's name shows on its OSTs, its members' pages, the lists: such rarer edits invalidate everything."""
    warm(client)
    group = Group.objects.get(slug="cix")
    group.name = "CIX (renamed)"
    group.save()
    assert set(cache_states(client).values()) == {"miss"}


def test_deletion_shows_on_the_next_request(client):
    """A deleted OST disappears from the cached list at once."""
    assert 'href="/osts/star/"' in fetch(client, "/osts/").content.decode()
    OST.objects.get(slug="star").delete()
    assert 'href="/osts/star/"' not in fetch(client, "/osts/").content.decode()
    assert client.get("/osts/star/").status_code == 404


def test_cached_page_gets_a_fresh_csrf_token_and_form_timestamp(client, settings):
    """Two visitors of a cached page each get their own token and time; a comment posted from the cached copy
    is accepted."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 0
    first = Client(enforce_csrf_checks=True)
    first_html = fetch(first, "/osts/win/").content.decode()
    second = Client(enforce_csrf_checks=True)
    page = fetch(second, "/osts/win/")
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    form_fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    first_fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', first_html))
    assert form_fields["csrfmiddlewaretoken"] != first_fields["csrfmiddlewaretoken"]
    assert form_fields["timestamp"] and form_fields["target_type"] == "ost"
    response = second.post(
        reverse("comments:post"),
        {**form_fields, "body": "Posted from a cached page", "author_name": "Jin", "author_email": "jin@example.com"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Comment.objects.filter(body="Posted from a cached page").exists()


def test_personal_pages_are_not_cached(client):
    """A reply link or saved details give a page built for that reader; the shared page stays for the others."""
    approved = new_comment(status=Comment.Status.APPROVED)
    warm(client, ["/osts/win/"])
    reply = fetch(client, f"/osts/win/?replytocom={approved.pk}")
    assert "X-Page-Cache" not in reply and "private" in reply["Cache-Control"]
    saved = Client()
    saved.cookies["comment_author"] = "Jin"
    page = fetch(saved, "/osts/win/")
    assert "X-Page-Cache" not in page
    assert 'value="Jin"' in page.content.decode()
    shared = fetch(client, "/osts/win/")
    assert shared["X-Page-Cache"] == "hit" and 'value="Jin"' not in shared.content.decode()
    assert "Cookie" in shared["Vary"]


def test_page_cache_can_be_switched_off(client, settings):
    """PAGE_CACHE_SECONDS=0 renders every request."""
    settings.PAGE_CACHE_SECONDS = 0
    fetch(client, "/osts/")
    assert "X-Page-Cache" not in fetch(client, "/osts/")


def test_migrate_starts_a_new_site_version(client):
    """A deploy runs migrate: the new code and templates never serve pages the old ones cached."""
    from django.core.management import call_command

    warm(client, ["/osts/"])
    call_command("migrate", verbosity=0)
    assert fetch(client, "/osts/")["X-Page-Cache"] == "miss"


def test_a_lost_version_never_brings_back_older_pages(client):
    """Versions are times: if the versions cache is emptied, every page is rebuilt, none served stale."""
    from django.core.cache import caches

    warm(client, ["/osts/win/"])
    caches["versions"].clear()
    assert fetch(client, "/osts/win/")["X-Page-Cache"] == "miss"


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
    # Only the page's rows are read again: not the count, not the cards' languages and singers.
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


def main_table(sql):
    """The table a query reads, not the tables of its subqueries (the singers' roster order is one)."""
    depth, top_level = 0, []
    for char in sql:
        depth += (char == "(") - (char == ")")
        if depth == 0 and char != ")":
            top_level.append(char)
    return "".join(top_level).split(" FROM ")[1].split()[0]


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
    tables = {main_table(query["sql"]) for query in again}
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
    from catalog.fragments import ost_cards

    osts = list(OST.objects.filter(slug__in=["top", "slump", "win"]).order_by("title"))
    OST.objects.get(slug="top").delete()
    with django_assert_max_num_queries(4):  # the rows with show, network and group, then three prefetches
        cards = list(ost_cards(osts).values())
    assert len(cards) == 2
    assert 'href="/osts/slump/"' in cards[0] and "Tower of God" in cards[0] and "Stray Kids" in cards[0]
    assert 'href="/osts/win/"' in cards[1]


def test_group_and_show_pages_show_a_new_ost_at_once(client, settings):
    """With the page cache off, group and show pages still show a new OST and its count at once."""
    from catalog.tests.factories import make_ost

    settings.PAGE_CACHE_SECONDS = 0

    def count_on(url):
        html = fetch(client, url).content.decode()
        return int(re.search(r'<span class="count">(\d+)</span>', html).group(1)), html

    assert count_on("/groups/stray-kids/")[0] == 4
    assert count_on("/shows/tower-of-god/")[0] == 2
    make_ost(title="Brand New Theme", show=Show.objects.get(slug="tower-of-god"), artist=Group.objects.get(slug="stray-kids"))
    for url, expected in (("/groups/stray-kids/", 5), ("/shows/tower-of-god/", 3)):
        count, html = count_on(url)
        assert count == expected and 'href="/osts/brand-new-theme/"' in html, url


def test_an_approved_comment_on_a_member_page_changes_that_page_only(client):
    """Member pages are cached like the others; a comment approved there makes only that page stale."""
    from catalog.models import Member

    urls = (*PAGES, "/members/winter/")
    warm(client, urls)
    comment = Comment.objects.create(
        member=Member.objects.get(slug="winter"), author_name="Jin", author_email="jin@example.com",
        body="Winter's voice in this drama", status=Comment.Status.PENDING,
    )
    assert set(cache_states(client, urls).values()) == {"hit"}
    moderation.approve(Comment.objects.filter(pk=comment.pk))
    states = cache_states(client, urls)
    assert states.pop("/members/winter/") == "miss"
    assert set(states.values()) == {"hit"}
    assert "Winter&#x27;s voice in this drama" in fetch(client, "/members/winter/").content.decode()
