"""Every change has a history with the differences and a one-click undo; deleted entries come back whole."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains
from reversion.models import Version

from catalog.models import OST, Credit, Group, Member, Membership

from .admin_forms import form_data, post_form
from .factories import make_group, make_member, make_ost

pytestmark = pytest.mark.django_db


def url(name, obj, *args):
    return reverse(f"admin:catalog_{obj._meta.model_name}_{name}", args=[obj.pk, *args])


def history(obj):
    """The entry's history, newest first: (comment, username or None)."""
    versions = Version.objects.get_for_object(obj).select_related("revision__user").order_by("-pk")
    return [(v.revision.comment, v.revision.user.username if v.revision.user else None) for v in versions]


def edit_notes(client, ost, notes):
    response = post_form(client, url("change", ost), {"notes": notes})
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.mark.usefixtures("article_data")
class TestFixtureHistory:
    @pytest.mark.parametrize("model", [Group, Member, Membership, OST, Credit])
    def test_rows_loaded_from_the_fixtures_start_with_an_entry(self, model):
        """Every row the fixture loaded has a first history entry saying where it came from."""
        for obj in model.objects.all():
            assert history(obj)[-1] == ("First version, loaded from the fixtures.", None), obj

    def test_loading_again_never_overwrites_an_editors_history(self, admin_client):
        """Loading the fixture again adds no entry to a row that has a history, and keeps the editor's ones."""
        once_again = OST.objects.get(slug="once-again")
        edit_notes(admin_client, once_again, "Checked against the album credits.")
        before = history(once_again)
        call_command("loaddata", "catalog", verbosity=0)
        assert history(once_again) == before
        assert before[0] == ("Changed Notes.", "admin")

    def test_an_osts_first_entry_holds_its_credits(self):
        """Undoing back to the fixture's version of TOP would bring back its nine 3RACHA credits."""
        top = OST.objects.get(slug="top")
        first = Version.objects.get_for_object(top).get()
        credits = first.revision.version_set.filter(content_type__model="credit")
        assert credits.count() == top.credits.count() == 9


@pytest.mark.usefixtures("article_data")
def test_history_shows_what_changed(admin_client):
    """The history lists the edit, and its comparison shows the old and the new notes side by side."""
    once_again = OST.objects.get(slug="once-again")
    old_notes = once_again.notes
    edit_notes(admin_client, once_again, "A duet by Winter and Ningning.")
    page = admin_client.get(url("history", once_again))
    assertContains(page, "Changed Notes.")
    assertContains(page, "First version, loaded from the fixtures.")
    compare_url = page.context["action_list"][0]["compare_url"]
    comparison = admin_client.get(compare_url)
    assert [item["field"].name for item in comparison.context["compare_data"]] == ["notes"]
    html = comparison.content.decode()
    assert "<del>" in html and "<ins>" in html
    assert "aespa&#x27;s" in html or "aespa's" in html  # Words only the old notes had.
    assert old_notes.startswith("A duet by aespa's")


@pytest.mark.usefixtures("article_data")
def test_one_click_undo_puts_back_fields_singers_and_credits(admin_client):
    """Undoing an edit restores the notes, the singers and a deleted credit, and is itself an entry."""
    top = OST.objects.get(slug="top")
    credit = top.credits.first()
    data = form_data(admin_client.get(url("change", top)))
    data["notes"] = "Rewritten."
    data["placement"] = OST.Placement.ENDING
    data["credits-0-DELETE"] = "on"
    from .admin_forms import as_post

    assert admin_client.post(url("change", top), as_post(data)).status_code == 302
    assert not Credit.objects.filter(pk=credit.pk).exists()
    latest = Version.objects.get_for_object(top).order_by("-pk").first()
    response = admin_client.post(url("undo", top, latest.pk), follow=True)
    top.refresh_from_db()
    assert top.notes.startswith("The Tower of God opening")
    assert top.placement == OST.Placement.OPENING
    assert Credit.objects.filter(pk=credit.pk).exists()
    assert top.credits.count() == 9
    assertContains(response, "Undone: “TOP” is back as it was before the change of")
    assert history(top)[0][0].startswith("Undid the change of")


@pytest.mark.usefixtures("article_data")
def test_undo_brings_back_singers(admin_client):
    """Replacing Ningning by Karina on ONCE AGAIN, then undoing it, gives Winter and Ningning back."""
    once_again = OST.objects.get(slug="once-again")
    karina, winter = Member.objects.get(slug="karina"), Member.objects.get(slug="winter")
    assert post_form(admin_client, url("change", once_again), {"singers": [karina.pk, winter.pk]}).status_code == 302
    latest = Version.objects.get_for_object(once_again).order_by("-pk").first()
    admin_client.post(url("undo", once_again, latest.pk))
    assert set(once_again.singers.values_list("slug", flat=True)) == {"winter", "ningning"}


def test_an_undo_that_would_break_a_rule_is_refused(admin_client):
    """If the older version breaks a rule today, the undo is refused with the reason and nothing changes."""
    group = make_group(name="Lumen", debut_date=datetime.date(2020, 1, 1))
    ara = make_member(group=group, stage_name="Ara")
    song = make_ost(title="Night Bus", artist=group, release_year=2022)
    call_command("createinitialrevisions", "catalog", verbosity=0)
    assert post_form(admin_client, url("change", song), {"singers": [ara.pk]}).status_code == 302
    assert post_form(admin_client, url("change", song), {"singers": []}).status_code == 302
    # Then Ara is found to have left in 2021: undoing the last change would make her a singer of a 2022 song.
    Membership.objects.filter(member=ara).update(status=Membership.Status.FORMER, left_on=datetime.date(2021, 3, 1))
    latest = Version.objects.get_for_object(song).order_by("-pk").first()
    response = admin_client.post(url("undo", song, latest.pk), follow=True)
    assertContains(response, "This change cannot be undone: Ara left Lumen on 1 March 2021, before this song came out.")
    assert song.singers.count() == 0


def test_only_the_latest_change_is_undone_in_one_click(admin_client):
    """An older entry offers "Go back to this version", and its undo is refused rather than discarding later edits."""
    song = make_ost(title="Night Bus")
    call_command("createinitialrevisions", "catalog", verbosity=0)
    edit_notes(admin_client, song, "First edit.")
    edit_notes(admin_client, song, "Second edit.")
    older = Version.objects.get_for_object(song).order_by("-pk")[1]
    response = admin_client.post(url("undo", song, older.pk), follow=True)
    assertContains(response, "Only the latest change can be undone in one click.")
    song.refresh_from_db()
    assert song.notes == "Second edit."
    page = admin_client.get(url("history", song))
    assert [bool(entry.get("undo_url")) for entry in page.context["action_list"]] == [True, False, False]


def test_undo_answers_only_to_post(admin_client):
    """Following a link cannot undo anything."""
    song = make_ost()
    call_command("createinitialrevisions", "catalog", verbosity=0)
    edit_notes(admin_client, song, "Edited.")
    latest = Version.objects.get_for_object(song).order_by("-pk").first()
    assert admin_client.get(url("undo", song, latest.pk)).status_code == 405


@pytest.mark.usefixtures("article_data")
def test_a_deleted_ost_comes_back_with_singers_languages_and_credits(admin_client):
    """Deleting TOP and recovering it from "Recover deleted OSTs" brings back its languages, credits, sources and all."""
    top = OST.objects.get(slug="top")
    languages = set(top.languages.values_list("code", flat=True))
    credits = set(top.credits.values_list("member__slug", "role"))
    sources = set(top.sources.values_list("url", "supports"))
    assert len(sources) == 4
    assert admin_client.post(url("delete", top), {"post": "yes"}).status_code == 302
    assert not OST.objects.filter(slug="top").exists() and not Credit.objects.filter(ost_id=top.pk).exists()

    recover_list = admin_client.get(reverse("admin:catalog_ost_recoverlist"))
    assertContains(recover_list, "TOP")
    version = Version.objects.get_deleted(OST).get(object_id=str(top.pk))
    recover_url = reverse("admin:catalog_ost_recover", args=[version.pk])
    response = post_form(admin_client, recover_url)
    assert response.status_code == 302
    restored = OST.objects.get(slug="top")
    assert set(restored.languages.values_list("code", flat=True)) == languages == {"ja", "ko", "en"}
    assert set(restored.credits.values_list("member__slug", "role")) == credits
    assert set(restored.sources.values_list("url", "supports")) == sources
    assert restored.sung_by_whole_group


@pytest.mark.usefixtures("article_data")
def test_a_deleted_duet_comes_back_with_its_singers(admin_client):
    """ONCE AGAIN, deleted and recovered, is sung by Winter and Ningning again."""
    once_again = OST.objects.get(slug="once-again")
    admin_client.post(url("delete", once_again), {"post": "yes"})
    version = Version.objects.get_deleted(OST).get(object_id=str(once_again.pk))
    post_form(admin_client, reverse("admin:catalog_ost_recover", args=[version.pk]))
    assert set(OST.objects.get(slug="once-again").singers.values_list("slug", flat=True)) == {"winter", "ningning"}


@pytest.mark.usefixtures("article_data")
def test_the_history_page_costs_the_same_queries_however_long_the_history(admin_client, django_assert_max_num_queries):
    """The history page reads its versions with their revisions and editors in one query."""
    once_again = OST.objects.get(slug="once-again")
    edit_notes(admin_client, once_again, "Edit 1.")
    with CaptureQueriesContext(connection) as short:
        assert admin_client.get(url("history", once_again)).status_code == 200
    short_count = len(short)  # Read now: Django keeps only the last 9000 queries, and the edits below run many.
    for n in range(2, 12):
        edit_notes(admin_client, once_again, f"Edit {n}.")
    with django_assert_max_num_queries(short_count):
        response = admin_client.get(url("history", once_again))
    assert len(response.context["action_list"]) == 12


@pytest.mark.usefixtures("article_data")
def test_saving_an_ost_records_one_entry(admin_client, django_assert_max_num_queries):
    """Saving through the admin records the OST with its credits as one entry: a handful of inserts, not one per row."""
    top = OST.objects.get(slug="top")
    data = form_data(admin_client.get(url("change", top)))
    from .admin_forms import as_post

    with CaptureQueriesContext(connection) as saving:
        admin_client.post(url("change", top), as_post(data) | {"notes": ["Once more."]})
    inserts = [q["sql"] for q in saving.captured_queries if q["sql"].startswith('INSERT INTO "reversion_')]
    assert len(inserts) == 2  # One revision, and its versions in one statement.
