"""Moderation is recorded in each comment's history, and a trashed comment goes back to the status it had."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from reversion.models import Version

from comments.models import Comment

from .factories import make_comment

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def act(client, action, *comments):
    return client.post(CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in comments]}, follow=True)


def history(comment):
    versions = Version.objects.get_for_object(comment).select_related("revision__user").order_by("pk")
    return [
        (v.revision.comment, v.field_dict["status"], v.revision.user.username if v.revision.user else None)
        for v in versions
    ]


def status(comment):
    return Comment.objects.get(pk=comment.pk).status


def test_each_moderation_is_an_entry_with_the_status_before_it(admin_client):
    """Approving a held comment records how it was, then who approved it."""
    comment = make_comment(status="pending")
    act(admin_client, "approve", comment)
    assert history(comment) == [
        ("As it was before moderation.", "pending", None),
        ("Approved.", "approved", "admin"),
    ]


@pytest.mark.parametrize("before", ["pending", "approved", "spam"])
def test_a_trashed_comment_is_restored_to_the_status_it_had(admin_client, before):
    """Trash, then "Restore from the trash": the comment is held, published or spam again, as it was."""
    comment = make_comment(status=before)
    act(admin_client, "move_to_trash", comment)
    assert status(comment) == "trash"
    response = act(admin_client, "restore_from_trash", comment)
    assert "1 comment(s) restored from the trash." in response.content.decode()
    assert status(comment) == before
    assert history(comment)[-1] == ("Restored from the trash.", before, "admin")


def test_restoring_skips_comments_not_in_the_trash(admin_client):
    """Restoring a selection touches only the trashed comments in it."""
    trashed, published = make_comment(status="approved"), make_comment(status="approved")
    act(admin_client, "move_to_trash", trashed)
    response = act(admin_client, "restore_from_trash", trashed, published)
    assert "1 comment(s) restored from the trash." in response.content.decode()
    assert [status(trashed), status(published)] == ["approved", "approved"]


def test_a_status_changed_on_the_form_is_recorded_and_undone(admin_client):
    """Trashing a comment from its form records the status before, and one click on Undo brings it back."""
    from catalog.tests.admin_forms import post_form

    comment = make_comment(status="approved")
    change_url = reverse("admin:comments_comment_change", args=[comment.pk])
    assert post_form(admin_client, change_url, {"status": "trash"}).status_code == 302
    assert [entry[1] for entry in history(comment)] == ["approved", "trash"]
    latest = Version.objects.get_for_object(comment).order_by("-pk").first()
    admin_client.post(reverse("admin:comments_comment_undo", args=[comment.pk, latest.pk]))
    assert status(comment) == "approved"


def test_the_history_page_lists_moderation(admin_client):
    """The comment's history page says what each moderator did."""
    comment = make_comment(status="pending")
    act(admin_client, "mark_spam", comment)
    page = admin_client.get(reverse("admin:comments_comment_history", args=[comment.pk]))
    html = page.content.decode()
    assert "Marked as spam." in html and "As it was before moderation." in html
