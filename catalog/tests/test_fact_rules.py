"""Wrong facts are refused before they are saved, with a message on the field to correct, through the admin forms."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.models import OST, Credit, Group, Member, Membership, Show

from .admin_forms import as_post, field_errors, form_data, post_form
from .factories import make_group, make_member, make_ost, make_show

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:catalog_{obj._meta.model_name}_change", args=[obj.pk])


def member(slug):
    return Member.objects.get(slug=slug)


def ost(slug):
    return OST.objects.get(slug=slug)


def refused(response):
    """The form came back (nothing saved) instead of redirecting."""
    return response.status_code == 200 and response.context["adminform"].form.is_bound


@pytest.mark.usefixtures("article_data")
class TestOSTRules:
    def test_a_singer_from_another_group_is_refused(self, admin_client):
        """Karina of aespa as a singer of a STAYC song: refused on the singers, the song unchanged."""
        star = ost("star")
        response = post_form(admin_client, change_url(star), {
            "sung_by_whole_group": None, "singers": [member("karina").pk],
        })
        assert refused(response)
        assert field_errors(response, "singers") == ["Karina is not a member of STAYC."]
        assert star.singers.count() == 0 and OST.objects.get(pk=star.pk).sung_by_whole_group

    def test_a_singer_who_had_left_is_refused(self, admin_client):
        """Soojin left (G)I-DLE in August 2021: she cannot sing a (G)I-DLE song released in 2022."""
        help_me = ost("help-me")
        response = post_form(admin_client, change_url(help_me), {
            "sung_by_whole_group": None, "singers": [member("soojin").pk],
            "release": "2022-03-01",
        })
        assert refused(response)
        assert "Soojin left (G)I-DLE on 14 August 2021, before this song came out." in field_errors(response, "singers")

    def test_a_former_member_may_sing_a_song_of_unknown_date(self, admin_client):
        """Bang Yedam has left TREASURE; "Gonna Be Fine" has no known release date, so he stays a singer."""
        gonna_be_fine = ost("gonna-be-fine")
        response = post_form(admin_client, change_url(gonna_be_fine), {"notes": "Checked."})
        assert response.status_code == 302
        assert "bang-yedam" in set(gonna_be_fine.singers.values_list("slug", flat=True))

    def test_whole_group_and_singers_exclude_each_other(self, admin_client):
        """Ticking "whole group" while listing singers is refused with a message saying which to change."""
        once_again = ost("once-again")
        response = post_form(admin_client, change_url(once_again), {"sung_by_whole_group": "on"})
        assert refused(response)
        assert field_errors(response, "singers") == [
            "Leave the singers empty when the whole group sang it, or untick “Sung by the whole group”."
        ]
        assert not OST.objects.get(pk=once_again.pk).sung_by_whole_group

    def test_a_release_before_the_groups_debut_is_refused(self, admin_client):
        """STAYC debuted on 12 November 2020: a release in March 2020 is refused on the release field."""
        response = post_form(admin_client, change_url(ost("star")), {
            "release": "2020-03-01",
        })
        assert refused(response)
        errors = field_errors(response, "release")
        assert errors == ["STAYC debuted on 12 November 2020; this song cannot have come out before that."]
        assert OST.objects.get(slug="star").released_on == datetime.date(2022, 5, 15)

    def test_a_release_far_from_the_shows_years_is_refused(self, admin_client):
        """Our Blues aired in 2022: an aespa song for it released in 2020 is refused."""
        response = post_form(admin_client, change_url(ost("once-again")), {
            "release": "2020",
        })
        assert refused(response)
        errors = field_errors(response, "release")
        assert errors == [
            "Our Blues aired in 2022; a song from 2020 is more than a year away from that. Check the date, or the show."
        ]

    def test_a_place_in_the_soundtrack_is_taken_once(self, admin_client):
        """A second "OST Part 10" of Our Blues is refused, naming the song that has it."""
        response = post_form(admin_client, change_url(ost("star")), {"placement_number": "10"})
        assert refused(response)
        assert field_errors(response, "placement_number") == [
            "Our Blues already has OST Part 10: “ONCE AGAIN”. Choose another number."
        ]

    def test_a_credit_for_someone_outside_the_group_is_refused(self, admin_client):
        """A lyrics credit on a Stray Kids song for aespa's Karina is refused on that credit row."""
        top = ost("top")
        url = change_url(top)
        data = form_data(admin_client.get(url))
        row = int(data["credits-TOTAL_FORMS"])
        data.update({
            f"credits-{row}-member": str(member("karina").pk),
            f"credits-{row}-role": Credit.Role.LYRICS,
            f"credits-{row}-ost": str(top.pk),
        })
        data["credits-TOTAL_FORMS"] = str(row + 1)
        response = admin_client.post(url, as_post(data))
        assert response.status_code == 200
        assert field_errors(response, "member", "credits", row) == ["Karina is not a member of Stray Kids."]
        assert not top.credits.filter(member__slug="karina").exists()


def test_a_year_and_a_date_that_disagree_are_refused():
    """A typed year of 2019 is never overwritten by a 2024 date: the two are refused together."""
    song = make_ost(release_year=2019, released_on=None, show=make_show(first_year=2024))
    song.released_on = datetime.date(2024, 3, 1)
    with pytest.raises(ValidationError) as refusal:
        song.full_clean()
    assert refusal.value.message_dict["release_year"] == [
        "The release date is in 2024 but the release year says 2019. Correct one of them."
    ]


def test_a_date_alone_gives_the_year():
    """A release date with no year fills the year in; nothing typed is replaced."""
    song = make_ost(release_year=None, released_on=datetime.date(2022, 5, 1))
    assert song.release_year == 2022


def show_form(show, **changes):
    return {
        "title": show.title,
        "slug": show.slug,
        "kind": show.kind,
        "network": show.network.pk,
        **changes,
    }


def test_a_show_that_ends_before_it_starts_is_refused(admin_client):
    """Premiered 2019, ended 2018, 0 episodes: each mistake is named on its own field, nothing saved."""
    show = make_show(title="Night Signal", first_year=2019)
    response = post_form(admin_client, change_url(show), {
        "first_year": "2019", "last_year": "2018",
        "premiered_on": "2019-03-01", "ended_on": "2018-05-01", "episodes": "0",
    })
    assert refused(response)
    assert field_errors(response, "ended_on") == ["The show cannot end before it premiered on 1 March 2019."]
    assert field_errors(response, "last_year") == ["The last year cannot come before the first year, 2019."]
    assert field_errors(response, "episodes") == [
        "A show has at least one episode. Leave this empty if the count is not known."
    ]
    show.refresh_from_db()
    assert (show.last_year, show.ended_on, show.episodes) == (None, None, None)


def test_show_years_out_of_order_are_refused(admin_client):
    """A last year before the first year is refused on the last year."""
    show = make_show(title="Night Signal", first_year=2019)
    response = post_form(admin_client, change_url(show), {"last_year": "2018"})
    assert field_errors(response, "last_year") == ["The last year cannot come before the first year, 2019."]


def test_a_show_year_and_date_that_disagree_are_refused(admin_client):
    """A premiere in 2020 with a first year of 2019 is refused on the first year."""
    show = make_show(title="Night Signal", first_year=2019)
    response = post_form(admin_client, change_url(show), {"premiered_on": "2020-01-10"})
    assert field_errors(response, "first_year") == [
        "The premiere date is in 2020 but the first year says 2019. Correct one of them."
    ]


def test_a_leaving_date_for_a_current_member_is_refused_in_words(admin_client):
    """The membership row says what to do; the constraint's name never appears."""
    group = make_group(name="Lumen", debut_date=datetime.date(2020, 1, 1))
    make_member(group=group, stage_name="Ara")
    url = change_url(group)
    response = post_form(admin_client, url, {"memberships-0-left_on": "2021-01-01"})
    assert response.status_code == 200
    assert field_errors(response, "left_on", "memberships", 0) == [
        "Only a former member has a leaving date. Choose “Former member”, or clear the date."
    ]
    html = response.content.decode()
    assert "left_on_only_for_former_members" not in html and "Constraint" not in html
    assert Membership.objects.get().left_on is None


def test_leaving_before_the_debut_is_refused(admin_client):
    """A former member cannot have left before the group debuted."""
    group = make_group(name="Lumen", debut_date=datetime.date(2020, 1, 1))
    make_member(group=group, stage_name="Ara")
    response = post_form(admin_client, change_url(group), {
        "memberships-0-status": Membership.Status.FORMER, "memberships-0-left_on": "2019-06-01",
    })
    assert field_errors(response, "left_on", "memberships", 0) == [
        "Lumen debuted on 1 January 2020, so nobody can have left the group before then."
    ]


def test_constraint_messages_are_in_words():
    """When only the database rules are checked, their messages are editors' words, not constraint names."""
    show = make_show(first_year=2020)
    show.first_year, show.last_year = 2020, 2019
    with pytest.raises(ValidationError) as refusal:
        show.validate_constraints()
    assert refusal.value.messages == ["A show's last year cannot come before its first year."]


@pytest.mark.parametrize(
    "update",
    [
        lambda: Show.objects.update(episodes=0),
        lambda: Show.objects.update(last_year=1990),
        lambda: OST.objects.update(release_year=1999),
        lambda: Membership.objects.update(left_on=datetime.date(2021, 1, 1)),
    ],
    ids=["no-episodes", "years-out-of-order", "year-against-date", "left-on-current"],
)
def test_the_database_is_the_last_line(update):
    """Rows written around the validation are still refused by the database's constraints."""
    group = make_group()
    make_member(group=group)
    make_ost(artist=group, released_on=datetime.date(2022, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        update()


def test_the_same_place_twice_is_refused_by_the_database():
    """Two "OST Part 4" rows of one show cannot both be stored, even around the validation."""
    show = make_show()
    make_ost(show=show, placement_number=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_ost(show=show, placement_number=4)


@pytest.mark.usefixtures("article_data")
def test_every_fixture_fact_passes_the_rules():
    """Each group, member, membership, show, OST and credit of the article passes every rule."""
    for model in (Group, Member, Membership, Show, OST, Credit):
        for obj in model.objects.all():
            obj.full_clean()
    for song in OST.objects.prefetch_related("singers"):
        song.validate_singers(song.singers.all())
