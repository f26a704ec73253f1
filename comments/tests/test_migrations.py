"""comments/0003: member pages take comments; the comments already stored keep their pages."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from catalog.models import Member
from comments.models import Comment

BEFORE = [("comments", "0002_home_page_comment_index")]


@pytest.mark.django_db(transaction=True)
def test_comments_keep_their_pages_and_member_pages_take_them_after_the_upgrade():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # Only the comments go back: the catalogue stays as it is now.
    catalog_now = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "catalog"]
    old = executor.loader.project_state(BEFORE + catalog_now).apps
    group = old.get_model("catalog", "Group").objects.create(
        name="aespa", slug="aespa", kind="girl",
        agency=old.get_model("catalog", "Agency").objects.create(name="SM Entertainment", slug="sm"),
    )
    old_comment = old.get_model("comments", "Comment")
    old_comment.objects.create(group=group, author_name="A", author_email="a@example.com", body="On the group")
    old_comment.objects.create(author_name="B", author_email="b@example.com", body="On the home page")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Comment.objects.get(body="On the group").target.slug == "aespa"
    assert list(Comment.objects.on_home_page().values_list("body", flat=True)) == ["On the home page"]
    winter = Member.objects.create(stage_name="Winter", slug="winter")
    Comment.objects.create(member=winter, author_name="C", author_email="c@example.com", body="On Winter's page")
    assert Comment.objects.for_target(winter).get().body == "On Winter's page"
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(
            member=winter, group_id=group.pk, author_name="D", author_email="d@example.com", body="Two pages"
        )
