"""The search reads trigram indexes (SQLite FTS5, PostgreSQL pg_trgm) that must follow every change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import OST
from catalog.tests.factories import make_group, make_member, make_ost, make_show

pytestmark = pytest.mark.django_db


def found(client, q):
    response = client.get(reverse("catalog:ost-list"), {"q": q})
    assert response.status_code == 200
    return {ost.slug for ost in response.context["paginator"].object_list}


@pytest.mark.django_db(transaction=True)  # cached lists go stale on commit
def test_new_renamed_and_deleted_osts_are_found_or_not_at_once(client):
    ost = make_ost(title="Starlight Promise")
    make_ost(title="Another Song")
    assert found(client, "starlight") == {ost.slug}
    assert found(client, "LIGHT prom") == {ost.slug}  # any case, parts of words, every word must match

    ost.title = "Moonlit Promise"
    ost.save()
    assert found(client, "starlight") == set()
    assert found(client, "moonlit") == {ost.slug}

    # A bulk update skips model signals (and so the page cache's version): the database's triggers still see it.
    OST.objects.filter(pk=ost.pk).update(native_title="달빛 약속")
    assert found(client, "달빛 약속") == {ost.slug}

    ost.delete()
    assert found(client, "moonlit") == set()


@pytest.mark.django_db(transaction=True)  # cached lists go stale on commit
def test_names_of_groups_shows_and_members_are_indexed_too(client):
    group = make_group(name="Nebula Nine")
    singer = make_member(group, stage_name="Haewon Kim")
    solo = make_ost(title="Solo Song", artist=group, singers=[singer])
    drama = make_ost(title="Drama Song", show=make_show(title="Winter Orchard"))
    assert found(client, "nebula") == {solo.slug}
    assert found(client, "haewon") == {solo.slug}
    assert found(client, "orchard") == {drama.slug}

    group.name = "Comet Club"
    group.save()
    singer.stage_name = "Yuna"
    singer.save()
    assert found(client, "nebula") == set()
    assert found(client, "comet") == {solo.slug}
    assert found(client, "haewon") == set()
    assert found(client, "yuna") == {solo.slug}


def test_short_words_are_matched_without_the_index(client):
    """A trigram index cannot look up one or two letters; those words still find their OSTs."""
    ost = make_ost(title="Run On", native_title="꿈길")
    make_ost(title="Walk")
    assert found(client, "on") == {ost.slug}
    assert found(client, "꿈길") == {ost.slug}
    assert found(client, "RU") == {ost.slug}


def test_punctuation_and_quotes_are_searched_as_text(client):
    ost = make_ost(title='Love, "Maybe"')
    assert found(client, '"maybe"') == {ost.slug}
    assert found(client, "love,") == {ost.slug}
    assert found(client, 'AND OR NOT "*') == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_on_sqlite_long_words_use_the_fts5_index(client):
    make_ost(title="Starlight Promise")
    with CaptureQueriesContext(connection) as queries:
        found(client, "starlight")
    assert any("catalog_ost_search MATCH" in query["sql"] for query in queries)


def test_a_broad_search_pages_the_same_as_a_narrow_one(client, monkeypatch):
    """A search with many matches walks the date index instead (on SQLite); pages, order and count stay the same."""
    from catalog.views import OSTListView

    show = make_show(title="Moon Garden")
    for n in range(30):
        make_ost(title=f"Moon Song {n:02}", release_year=2000 + n % 7, show=show if n % 3 else make_show())
    make_ost(title="Sun Song")
    urls = [f"/osts/?q=moon&page={page}" + (f"&ordering={order}" if order else "")
            for page in (1, 2) for order in ("", "title", "-year")]
    narrow = {url: client.get(url).content for url in urls}
    assert b"31 OSTs" not in narrow[urls[0]] and b"30 OSTs" in narrow[urls[0]]

    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(OSTListView, "broad_search", 10)
    with CaptureQueriesContext(connection) as queries:
        broad = {url: client.get(url).content for url in urls}
    # SQLite walks the date index when the condition is hidden in a CASE; PostgreSQL keeps its trigram indexes.
    assert any("CASE WHEN" in query["sql"] for query in queries) == (connection.vendor == "sqlite")
    assert broad == narrow
