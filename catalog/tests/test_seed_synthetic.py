"""seed_synthetic: a deterministic synthetic catalogue in realistic proportions."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from catalog.models import OST, Agency, Cameo, Credit, Group, Member, Membership, Show
from comments.models import Comment

from .factories import make_group

N_OSTS = 300


def seed(osts=N_OSTS, seed=7, **options):
    out = StringIO()
    call_command("seed_synthetic", osts=osts, seed=seed, stdout=out, **options)
    return out.getvalue()


def empty_catalogue():
    for model in (Comment, Credit, Cameo, OST, Show, Membership, Member, Group, Agency):
        model.objects.all().delete()


def snapshot():
    return {
        "osts": list(OST.objects.order_by("slug").values_list("slug", "title", "native_title", "placement")),
        "groups": list(Group.objects.order_by("slug").values_list("slug", "name")),
        "members": list(Member.objects.order_by("slug").values_list("slug", "stage_name")),
        "shows": list(Show.objects.order_by("slug").values_list("slug", "title", "kind")),
        "comments": sorted(Comment.objects.values_list("body", "status")),
    }


@pytest.fixture
def synthetic(db):
    seed(verbosity=0)


def test_proportions(synthetic):
    """One group per 20 OSTs, one show per 6, about 7 members a group and one comment per 2 OSTs."""
    assert OST.objects.count() == N_OSTS
    assert Group.objects.count() == N_OSTS // 20
    assert Show.objects.count() == N_OSTS // 6
    members_per_group = Membership.objects.count() / Group.objects.count()
    assert 5.5 <= members_per_group <= 8.5
    assert 0.35 * N_OSTS <= Comment.objects.count() <= 0.65 * N_OSTS


def test_rosters_hold_4_to_12_members_some_former(synthetic):
    """Every roster has 4-12 members; there are former members, most with a leaving date."""
    sizes = Group.objects.annotate(n=Count("memberships")).values_list("n", flat=True)
    assert min(sizes) >= 4 and max(sizes) <= 12
    formers = Membership.objects.filter(status=Membership.Status.FORMER)
    assert formers.filter(left_on__isnull=False).exists()
    assert not Membership.objects.filter(status=Membership.Status.CURRENT, left_on__isnull=False).exists()


def test_every_kind_of_show_and_singer_line_up(synthetic):
    """All four kinds of show, and whole-group, subset and solo songs, are present."""
    assert set(Show.objects.values_list("kind", flat=True)) == set(Show.Kind.values)
    singer_counts = Counter(
        OST.objects.filter(sung_by_whole_group=False).annotate(n=Count("singers")).values_list("n", flat=True)
    )
    assert OST.objects.filter(sung_by_whole_group=True).exists()
    assert singer_counts[1] > 0 and any(n >= 2 for n in singer_counts)
    assert 0 not in singer_counts, "a song not sung by the whole group lists its singers"


def test_languages_placements_credits_cameos(synthetic):
    """OSTs carry languages and placements; some have credits; some idols appear in shows."""
    assert not OST.objects.filter(languages__isnull=True).exists()
    assert OST.objects.filter(show__kind=Show.Kind.ANIME, languages__code="ja").exists()
    assert {OST.Placement.OST_PART, OST.Placement.OPENING, OST.Placement.ENDING} <= set(
        OST.objects.values_list("placement", flat=True)
    )
    assert Credit.objects.exists() and Cameo.objects.exists()


def test_comments_everywhere_approved_and_pending(synthetic):
    """Comments land on OSTs, shows, groups and the home page, some approved and some pending."""
    comments = Comment.objects.all()
    assert comments.filter(ost__isnull=False).exists()
    assert comments.filter(show__isnull=False).exists()
    assert comments.filter(group__isnull=False).exists()
    assert comments.on_home_page().exists()
    assert set(comments.values_list("status", flat=True)) == {Comment.Status.APPROVED, Comment.Status.PENDING}


def test_singers_were_in_the_group_at_release(synthetic):
    """Listed singers belong to the artist's line-up when the song came out."""
    links = OST.singers.through.objects.select_related("ost")
    for link in links:
        assert (
            Membership.objects.filter(group=link.ost.artist_id, member=link.member_id).at_release_of(link.ost).exists()
        ), link.ost


def test_slugs_unique_and_usable_in_urls(synthetic):
    """Slugs are unique per model and every detail URL resolves."""
    for model in (OST, Group, Member, Show):
        slugs = list(model.objects.values_list("slug", flat=True))
        assert len(slugs) == len(set(slugs)) and all(slugs)
    assert Member.objects.first().get_absolute_url().startswith("/members/")


def test_same_seed_same_data(db):
    """The same seed gives the same titles, slugs, names and comments; another seed does not."""
    seed(verbosity=0)
    first = snapshot()
    empty_catalogue()
    seed(verbosity=0)
    assert snapshot() == first
    empty_catalogue()
    seed(seed=8, verbosity=0)
    assert snapshot()["osts"] != first["osts"]


def test_sung_by_finds_solo_subset_and_whole_group_songs(synthetic):
    """OST.objects.sung_by(member) works on the synthetic data, for each way of singing."""
    solo = OST.objects.annotate(n=Count("singers")).filter(sung_by_whole_group=False, n=1).first()
    soloist = solo.singers.get()
    assert solo in OST.objects.sung_by(soloist)

    whole = OST.objects.filter(sung_by_whole_group=True).first()
    current = whole.artist.memberships.filter(status=Membership.Status.CURRENT).first().member
    assert whole in OST.objects.sung_by(current)

    outsider = Member.objects.exclude(memberships__group=whole.artist).first()
    assert whole not in OST.objects.sung_by(outsider)


def test_search_is_case_insensitive_in_latin_and_hangul(synthetic):
    """icontains finds Latin titles in any case and Hangul titles, on SQLite and PostgreSQL alike."""
    ost = OST.objects.exclude(native_title="").filter(native_title__regex=r"[가-힣]").first()
    assert ost in OST.objects.filter(title__icontains=ost.title.upper())
    assert ost in OST.objects.filter(native_title__icontains=ost.native_title[:2])


def test_reports_time_and_peak_memory(db):
    """At verbosity 1 the command says how long it took and its peak RSS."""
    output = seed(osts=40, verbosity=1)
    assert "Seeded 40 OSTs in" in output
    assert "peak RSS" in output and "MB" in output


def test_shows_progress_at_the_default_verbosity(db):
    """At verbosity 1 each batch of OSTs and each step prints a line, before the summary."""
    lines = seed(osts=60, batch_size=25, verbosity=1).splitlines()
    batches = [line.rsplit(" (", 1)[0].strip() for line in lines if line.endswith(" s)") and "OSTs" in line]
    assert batches == ["25 / 60 OSTs", "50 / 60 OSTs", "60 / 60 OSTs"]
    steps = [line.rsplit(" (", 1)[0].strip() for line in lines if line.startswith("  ")]
    assert steps[:3] == ["3 groups", f"{Member.objects.count()} members", "10 shows"]
    assert steps[-2:] == [f"{Comment.objects.exclude(ost__isnull=False).count()} comments on show, group and home pages",
                          "planner statistics (ANALYZE)"]
    assert lines[-1].startswith("Seeded 60 OSTs in")
    assert "peak RSS" not in "".join(lines[:-1]), "memory figures are for -v2"


def test_silent_at_verbosity_0(db):
    """verbosity 0 prints nothing."""
    assert seed(osts=40, verbosity=0) == ""


def test_refuses_a_catalogue_that_has_data(db):
    """It only fills an empty catalogue, and says what is in the way."""
    make_group()
    with pytest.raises(CommandError, match="empty catalogue"):
        seed(osts=40, verbosity=0)
    assert not OST.objects.exists()


def test_small_batches_give_the_same_data(db):
    """The batch size only changes how rows are sent, not what is created."""
    seed(osts=60, verbosity=0)
    first = snapshot()
    empty_catalogue()
    seed(osts=60, verbosity=0, batch_size=7)
    assert snapshot() == first
