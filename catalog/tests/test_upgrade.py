"""Upgrading a site that already has a catalogue: the new migrations only add, and keep search working."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog.filters import search_osts
from catalog.models import OST, Group

BEFORE = [("catalog", "0009_editor_wording")]


@pytest.mark.django_db(transaction=True)
def test_upgrade_keeps_editors_data_and_credits_songs_as_their_group_is_named():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    agency = old.get_model("catalog", "Agency").objects.create(name="Cube Entertainment", slug="cube")
    network = old.get_model("catalog", "Network").objects.create(name="tvN", slug="tvn")
    group = old.get_model("catalog", "Group").objects.create(name="(G)I-DLE", slug="gi-dle", kind="girl", agency=agency)
    show = old.get_model("catalog", "Show").objects.create(
        title="Her Private Life", slug="her-private-life", kind="k-drama", network=network, first_year=2019
    )
    old.get_model("catalog", "OST").objects.create(
        title="Help Me", slug="help-me", show=show, artist=group, placement="ost-part", release_year=2019
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    group = Group.objects.get(slug="gi-dle")
    assert group.name == "(G)I-DLE"  # an editor renames it; the upgrade does not
    ost = OST.objects.get(slug="help-me")
    assert ost.credited_as == "(G)I-DLE"
    group.name = "i-dle"
    group.save()
    ost = OST.objects.select_related("artist").get(slug="help-me")
    assert (ost.credited_name, ost.group_renamed) == ("(G)I-DLE", True)
    # The title search index is up to date after the migrations that rebuild the OST table.
    assert list(search_osts(OST.objects.all(), "Help").values_list("slug", flat=True)) == ["help-me"]
