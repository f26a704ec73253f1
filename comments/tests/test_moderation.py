import pytest
from django.db.models.signals import post_save
from django.test import override_settings

from catalog.tests.factories import make_ost
from comments import moderation
from comments.models import Comment
from comments.threads import build_thread

from .factories import make_comment

pytestmark = pytest.mark.django_db


def new_comment(target=None, **kw):
    """An unsaved comment, as the posting view hands it to moderation.post()."""
    kw.setdefault("author_name", "Ji-woo")
    kw.setdefault("author_email", "jiwoo@example.com")
    kw.setdefault("body", "I want to hear Karina on an anime opening.")
    return Comment(**kw, **({} if target is None else {target._meta.model_name: target}))


def test_a_first_comment_is_held_for_moderation():
    """An email with no approved comment yet: held."""
    assert moderation.initial_status(new_comment()) == Comment.Status.PENDING


def test_an_approved_author_is_published_at_once():
    """An email that already has an approved comment (anywhere, any case): published."""
    make_comment(make_ost(), author_email="JiWoo@Example.com")
    assert moderation.initial_status(new_comment()) == Comment.Status.APPROVED


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH])
def test_comments_that_were_not_approved_do_not_vouch_for_their_author(status):
    """Only an approved comment makes its author known."""
    make_comment(author_email="jiwoo@example.com", status=status)
    assert moderation.initial_status(new_comment()) == Comment.Status.PENDING


def test_more_than_two_links_are_held_whoever_writes():
    """Three links hold even an approved author's comment; two do not."""
    make_comment(author_email="jiwoo@example.com")
    two = "See https://a.example and www.b.example"
    assert moderation.initial_status(new_comment(body=two)) == Comment.Status.APPROVED
    three = two + " and HTTP://c.example"
    assert moderation.initial_status(new_comment(body=three)) == Comment.Status.PENDING


def test_count_links():
    """Links are counted by their http(s):// or www. start."""
    assert moderation.count_links("no links here") == 0
    assert moderation.count_links("http://a.example https://b.example www.c.example") == 3


@override_settings(COMMENTS_MIN_INTERVAL_SECONDS=15)
def test_post_refuses_a_second_comment_from_the_same_ip_within_the_interval():
    """One comment per IP address per interval; the next one is refused with 429."""
    moderation.post(new_comment(ip_address="192.0.2.7"))
    with pytest.raises(moderation.CommentRefused) as refused:
        moderation.post(new_comment(ip_address="192.0.2.7", body="Something else"))
    assert (refused.value.message, refused.value.status) == (moderation.TOO_FAST, 429)
    moderation.post(new_comment(ip_address="192.0.2.8", body="Something else"))


@override_settings(COMMENTS_MIN_INTERVAL_SECONDS=0)
def test_post_refuses_the_same_comment_twice_from_the_same_email_on_the_same_page():
    """Same email, same page, same text: refused as a duplicate (409), whatever the name or case."""
    ost = make_ost()
    moderation.post(new_comment(ost))
    with pytest.raises(moderation.CommentRefused) as refused:
        moderation.post(new_comment(ost, author_name="Other name", author_email="JIWOO@example.com"))
    assert (refused.value.message, refused.value.status) == (moderation.DUPLICATE, 409)
    assert refused.value.message == "Duplicate comment detected; it looks as though you’ve already said that!"


@override_settings(COMMENTS_MIN_INTERVAL_SECONDS=0)
def test_the_same_text_elsewhere_or_by_someone_else_is_not_a_duplicate():
    """Another page, another email, or a trashed earlier copy: not duplicates."""
    ost = make_ost()
    moderation.post(new_comment(ost))
    moderation.post(new_comment(None))
    moderation.post(new_comment(make_ost()))
    moderation.post(new_comment(ost, author_email="other@example.com"))
    Comment.objects.filter(ost=ost).update(status=Comment.Status.TRASH)
    moderation.post(new_comment(ost))
    assert Comment.objects.count() == 5


def test_post_keeps_spam_as_spam():
    """A comment the view marked as spam stays spam even from an approved author."""
    make_comment(author_email="jiwoo@example.com")
    comment = moderation.post(new_comment(status=Comment.Status.SPAM))
    assert comment.status == Comment.Status.SPAM


@pytest.mark.parametrize(
    "action, status",
    [
        (moderation.approve, Comment.Status.APPROVED),
        (moderation.mark_spam, Comment.Status.SPAM),
        (moderation.move_to_trash, Comment.Status.TRASH),
    ],
)
def test_each_moderation_action_changes_only_the_given_comments(action, status):
    """approve / mark_spam / move_to_trash change the comments given, and say how many changed."""
    chosen = [make_comment(status=Comment.Status.PENDING) for _ in range(2)]
    other = make_comment(status=Comment.Status.PENDING)
    assert action(Comment.objects.filter(pk__in=[c.pk for c in chosen])) == 2
    assert {c.status for c in Comment.objects.filter(pk__in=[c.pk for c in chosen])} == {status}
    other.refresh_from_db()
    assert other.status == Comment.Status.PENDING


def test_moderation_actions_tell_listeners():
    """Each changed comment is saved, so post_save listeners (the page cache) hear of it."""
    heard = []
    post_save.connect(lambda instance, **kw: heard.append(instance.pk), sender=Comment, weak=False, dispatch_uid="t")
    try:
        comment = make_comment(status=Comment.Status.PENDING)
        heard.clear()
        moderation.approve(Comment.objects.filter(pk=comment.pk))
    finally:
        post_save.disconnect(sender=Comment, dispatch_uid="t")
    assert heard == [comment.pk]


def test_the_moderation_hash_is_per_comment_and_checked():
    """Only the hash made for a comment shows it; any other is refused."""
    assert moderation.is_valid_moderation_hash(5, moderation.moderation_hash(5))
    assert not moderation.is_valid_moderation_hash(5, moderation.moderation_hash(6))
    assert not moderation.is_valid_moderation_hash(5, "")
    assert not moderation.is_valid_moderation_hash(5, None)


def test_preview_url_of_a_held_comment_carries_its_hash():
    """A held comment's link carries ?unapproved=ID&moderation-hash=HASH#comment-ID; a published one just the anchor."""
    ost = make_ost(slug="song")
    held = make_comment(ost, status=Comment.Status.PENDING)
    assert moderation.preview_url(held) == (
        f"/osts/song/?unapproved={held.pk}&moderation-hash={moderation.moderation_hash(held.pk)}#comment-{held.pk}"
    )
    published = make_comment(None)
    assert moderation.preview_url(published) == f"/#comment-{published.pk}"


def test_build_thread_nests_replies_three_levels_deep():
    """Replies nest under their parent; below the third level they line up at the third, in posting order."""
    top = make_comment()
    second = make_comment(parent=top)
    third = make_comment(parent=second)
    fourth = make_comment(parent=third)
    another_third = make_comment(parent=second)
    fifth = make_comment(parent=fourth)
    [root] = build_thread(Comment.objects.all())
    assert (root, root.depth) == (top, 1)
    [level_two] = root.thread_replies
    assert (level_two, level_two.depth) == (second, 2)
    level_three = level_two.thread_replies
    assert level_three == [third, fourth, another_third, fifth]
    assert [c.depth for c in level_three] == [3, 3, 3, 3]
    assert [c.in_reply_to for c in level_three] == [None, third, None, fourth]
    assert all(c.thread_replies == [] for c in level_three)


def test_build_thread_leaves_out_replies_whose_parent_is_not_shown():
    """A reply to a comment that is not in the list (trashed since) is not shown on its own."""
    top = make_comment()
    hidden = make_comment(status=Comment.Status.TRASH)
    make_comment(parent=hidden)
    assert build_thread(Comment.objects.approved()) == [top]
