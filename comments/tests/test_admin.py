import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.tests.factories import make_ost
from comments import moderation
from comments.models import Comment

from .factories import make_comment

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def statuses(*comments):
    return [Comment.objects.get(pk=c.pk).status for c in comments]


def test_the_changelist_heads_with_counts_per_status(admin_client):
    """"All (6) | Awaiting moderation (3) | Approved (2) | Spam (1) | Trash (0)", each a filter link."""
    for status, n in [("pending", 3), ("approved", 2), ("spam", 1)]:
        for _ in range(n):
            make_comment(status=status)
    html = admin_client.get(CHANGELIST).content.decode()
    assert '<strong aria-current="page">All (6)</strong>' in html
    assert '<a href="?status__exact=pending">Awaiting moderation (3)</a>' in html
    assert '<a href="?status__exact=approved">Approved (2)</a>' in html
    assert '<a href="?status__exact=spam">Spam (1)</a>' in html
    assert '<a href="?status__exact=trash">Trash (0)</a>' in html


def test_the_moderation_queue_lists_held_comments_only(admin_client):
    """Filtered by status, the list shows that status alone, and the status filter shows counts."""
    make_comment(status="pending", body="Held one")
    make_comment(body="Published one")
    response = admin_client.get(CHANGELIST, {"status__exact": "pending"})
    html = response.content.decode()
    assert [c.body for c in response.context["cl"].result_list] == ["Held one"]
    assert '<strong aria-current="page">Awaiting moderation (1)</strong>' in html
    assert "Approved (1)" in html


@pytest.mark.parametrize(
    "action, status, message",
    [
        ("approve", Comment.Status.APPROVED, "2 comment(s) approved."),
        ("mark_spam", Comment.Status.SPAM, "2 comment(s) marked as spam."),
        ("move_to_trash", Comment.Status.TRASH, "2 comment(s) moved to the trash."),
    ],
)
def test_bulk_actions_change_the_selected_comments(admin_client, action, status, message):
    """Approve, mark as spam and move to trash act on the selected comments and say how many."""
    chosen = [make_comment(status="pending") for _ in range(2)]
    other = make_comment(status="pending")
    response = admin_client.post(
        CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in chosen]}, follow=True
    )
    assert message in response.content.decode()
    assert statuses(*chosen) == [status, status]
    assert statuses(other) == [Comment.Status.PENDING]


@pytest.mark.parametrize("action", ["approve", "mark_spam", "move_to_trash"])
def test_the_admin_actions_use_the_moderation_functions(admin_client, monkeypatch, action):
    """One state change, one function: each action hands the selection to comments.moderation."""
    calls = []
    monkeypatch.setattr(moderation, action, lambda comments: calls.append(list(comments)) or len(calls[-1]))
    comment = make_comment(status="pending")
    admin_client.post(CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [comment.pk]})
    assert calls == [[comment]]


@pytest.mark.parametrize(
    "query", ["Hae-won", "haewon@fans.example", "198.51.100.23", "Karina on an anime opening"]
)
def test_search_by_name_email_ip_and_text(admin_client, query):
    """The search box finds comments by name, email, IP address and text."""
    make_comment(
        author_name="Hae-won",
        author_email="haewon@fans.example",
        ip_address="198.51.100.23",
        body="I want Karina on an anime opening.",
    )
    make_comment(author_name="Someone else", ip_address="198.51.100.99")
    response = admin_client.get(CHANGELIST, {"q": query})
    assert [c.author_name for c in response.context["cl"].result_list] == ["Hae-won"]


def test_each_row_links_to_the_comment_on_its_page(admin_client):
    """The "On page" column links to the comment's anchor; a held one through its moderation-hash link."""
    ost = make_ost(title="Drama Song", slug="drama-song")
    published = make_comment(ost)
    held = make_comment(None, status="pending")
    html = admin_client.get(CHANGELIST).content.decode()
    assert f'<a href="/osts/drama-song/#comment-{published.pk}">Drama Song</a>' in html
    preview = moderation.preview_url(held).replace("&", "&amp;")
    assert f'<a href="{preview}">Home page</a>' in html


def test_the_changelist_costs_the_same_queries_for_many_comments(admin_client, django_assert_max_num_queries):
    """The page column does not query per row (the targets are selected with the comments)."""
    make_comment(make_ost())
    admin_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(CHANGELIST)
    for _ in range(20):
        make_comment(make_ost())
    with django_assert_max_num_queries(len(few)):
        admin_client.get(CHANGELIST)


def test_the_change_form_opens(admin_client):
    """An editor can open a comment to edit it; IP and user agent are read-only."""
    comment = make_comment(ip_address="192.0.2.1", user_agent="Agent")
    response = admin_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert response.status_code == 200
    assert 'name="ip_address"' not in response.content.decode()


@pytest.mark.parametrize("page, second", [("ost", "show"), ("member", "group")])
def test_a_comment_on_two_pages_is_refused_in_words(admin_client, page, second):
    """Putting a comment on two pages at once (an OST and a show; a member and a group) is refused on those fields;
    no constraint name shows."""
    from catalog.tests.admin_forms import field_errors, post_form
    from catalog.tests.factories import make_group, make_member, make_show

    factories = {"ost": make_ost, "member": make_member, "show": make_show, "group": make_group}
    comment = make_comment(factories[page]())
    response = post_form(
        admin_client, reverse("admin:comments_comment_change", args=[comment.pk]), {second: factories[second]().pk}
    )
    message = "A comment belongs on one page: keep one of the OST, show, group or member and clear the others."
    assert field_errors(response, page) == [message]
    assert field_errors(response, second) == [message]
    assert "comment_on_at_most_one_page" not in response.content.decode()
    assert getattr(Comment.objects.get(pk=comment.pk), f"{second}_id") is None


@pytest.mark.parametrize("other", ["ost", "show", "group"])
def test_the_database_refuses_a_comment_on_a_member_and_another_page(other):
    """The check constraint, not only the form: a member and any other page together are refused."""
    from django.db import IntegrityError, transaction

    from catalog.tests.factories import make_group, make_member, make_show

    target = {"ost": make_ost, "show": make_show, "group": make_group}[other]()
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(
            member=make_member(), **{other: target}, author_name="A", author_email="a@example.com", body="Hi"
        )
    comment = Comment.objects.create(member=make_member(), author_name="A", author_email="a@example.com", body="Hi")
    assert comment.target.comments.get() == comment
    assert Comment.objects.on_home_page().count() == 0


def test_a_comment_on_a_member_page_links_there_from_the_queue(admin_client):
    from catalog.tests.factories import make_member

    member = make_member(stage_name="Winter", slug="winter")
    make_comment(member, status="pending")
    html = admin_client.get(CHANGELIST).content.decode()
    assert 'href="/members/winter/?unapproved=' in html and ">Winter</a>" in html
