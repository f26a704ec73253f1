"""Moderating fast: the dashboard's queue, one-click buttons on each row, and replies as the site."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects
from reversion.models import Version

from catalog.tests.factories import make_ost
from comments.models import Comment

from .factories import make_comment

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:index")


def moderate_url(comment, action, next_url=DASHBOARD):
    return f"{reverse('admin:comments_comment_moderate', args=[comment.pk, action])}?next={next_url}"


def test_the_dashboard_lists_the_waiting_comments_with_their_buttons(admin_client):
    """"Comments awaiting moderation (2)", each with Approve, Spam and Trash buttons and a reply link."""
    song = make_ost(title="Night Bus")
    waiting = [make_comment(song, status="pending", author_name=name) for name in ("Min-ji", "Hae-won")]
    make_comment(song, author_name="Published")
    html = admin_client.get(DASHBOARD).content.decode()
    assert "Comments awaiting moderation (2)" in html
    for comment in waiting:
        for action, label in (("approve", "Approve"), ("spam", "Spam"), ("trash", "Trash")):
            url = moderate_url(comment, action).replace("&", "&amp;")
            assert f'action="{url}"' in html
            assert f'aria-label="{label} the comment by {comment.author_name}"' in html
    assert "Published" not in html


def test_approving_from_the_dashboard_comes_back_to_it_and_is_recorded(admin_client):
    """One click publishes the comment, returns to the dashboard and leaves an entry in its history."""
    comment = make_comment(make_ost(), status="pending", author_name="Min-ji")
    response = admin_client.post(moderate_url(comment, "approve"))
    assertRedirects(response, DASHBOARD, fetch_redirect_response=False)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED
    follow = admin_client.get(DASHBOARD)
    assertContains(follow, "The comment by Min-ji: approved.")
    assertContains(follow, "Comments awaiting moderation (0)")
    assert Version.objects.get_for_object(comment).order_by("-pk").first().revision.comment == "Approved."


@pytest.mark.parametrize("action, status", [("spam", "spam"), ("trash", "trash")])
def test_spam_and_trash_buttons(admin_client, action, status):
    comment = make_comment(status="pending")
    admin_client.post(moderate_url(comment, action))
    assert Comment.objects.get(pk=comment.pk).status == status


def test_each_changelist_row_has_its_buttons(admin_client):
    """In the list, each row's buttons post the list's form to their own address and come back to the list."""
    comment = make_comment(status="pending", author_name="Min-ji")
    html = admin_client.get(reverse("admin:comments_comment_changelist")).content.decode()
    changelist = reverse("admin:comments_comment_changelist")
    url = moderate_url(comment, "approve", changelist).replace("&", "&amp;")
    assert f'formaction="{url}" formmethod="post" aria-label="Approve the comment by Min-ji">Approve</button>' in html
    response = admin_client.post(moderate_url(comment, "approve", changelist), {"action": "", "index": "0"})
    assertRedirects(response, changelist)


def test_moderation_buttons_need_a_post_a_known_action_and_a_local_return(admin_client):
    """A link cannot moderate; an unknown action is refused; a return address elsewhere is ignored."""
    comment = make_comment(status="pending")
    assert admin_client.get(moderate_url(comment, "approve")).status_code == 405
    assert admin_client.post(moderate_url(comment, "delete")).status_code == 403
    response = admin_client.post(moderate_url(comment, "approve", "https://elsewhere.example/"))
    assertRedirects(response, reverse("admin:comments_comment_changelist"))
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED


def test_the_dashboard_costs_the_same_queries_for_many_waiting_comments(admin_client, django_assert_max_num_queries):
    """The queue selects each comment's page with it: no query per row."""
    make_comment(make_ost(), status="pending")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(DASHBOARD)
    for _ in range(15):
        make_comment(make_ost(), status="pending")
    with django_assert_max_num_queries(len(few)):
        admin_client.get(DASHBOARD)


def test_an_editor_replies_as_the_site(admin_client, settings):
    """The reply is published at once under the site's name, below the comment, on the same page."""
    song = make_ost(title="Night Bus")
    comment = make_comment(song, author_name="Min-ji", body="Is there a live version?")
    reply_url = reverse("admin:comments_comment_reply", args=[comment.pk])
    page = admin_client.get(reply_url)
    assertContains(page, "Reply to Min-ji as Idol OST Archive")
    response = admin_client.post(reply_url, {"body": "Yes: it was sung live at the year-end show."})
    assertRedirects(response, reverse("admin:comments_comment_change", args=[comment.pk]))
    reply = Comment.objects.get(parent=comment)
    assert (reply.author_name, reply.status, reply.ost, reply.body) == (
        settings.SITE_NAME, Comment.Status.APPROVED, song, "Yes: it was sung live at the year-end show."
    )
    assert Version.objects.get_for_object(reply).get().revision.comment == "Replied as the site."


def test_replying_to_a_waiting_comment_approves_it(admin_client):
    """A reply shows only under a published comment, so answering a held one publishes it too."""
    comment = make_comment(make_ost(), status="pending")
    admin_client.post(reverse("admin:comments_comment_reply", args=[comment.pk]), {"body": "Thank you!"})
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED


def test_an_empty_reply_is_refused(admin_client):
    comment = make_comment()
    response = admin_client.post(reverse("admin:comments_comment_reply", args=[comment.pk]), {"body": ""})
    assertContains(response, "This field is required.")
    assert not Comment.objects.filter(parent=comment).exists()
