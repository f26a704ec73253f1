"""Upgrade tests: a database taken back to an earlier migration, one song saved there, then migrated to today."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.text import slugify


def a_song_saved_at(migration, group_name, song_title, show_title, year):
    """Migrate the test database back to the catalog's `migration`, save one OST (with its group, show, agency and
    network) through the models of that time, then migrate to the latest state again."""
    before = [("catalog", migration)]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    agency = old.get_model("catalog", "Agency").objects.create(name="An Agency", slug="an-agency")
    network = old.get_model("catalog", "Network").objects.create(name="tvN", slug="tvn")
    group = old.get_model("catalog", "Group").objects.create(
        name=group_name, slug=slugify(group_name), kind="girl", agency=agency
    )
    show = old.get_model("catalog", "Show").objects.create(
        title=show_title, slug=slugify(show_title), kind="k-drama", network=network, first_year=year
    )
    old.get_model("catalog", "OST").objects.create(
        title=song_title, slug=slugify(song_title), show=show, artist=group, placement="ost-part", release_year=year
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

