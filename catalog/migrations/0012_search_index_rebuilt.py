"""The SQLite search index (migration 0006) again, for tables whose triggers a later migration dropped.

On SQLite, Django alters a table by copying it to a new one, which drops the table's triggers: after 0009 the OST
and show indexes were no longer kept up to date, so a search for an OST title found nothing. This makes every
index and its triggers again and refills it from its table. It can run any number of times; run it again (or add
a migration like it) after any migration that alters a searched table.
"""

import importlib

from django.db import migrations

search_indexes = importlib.import_module("catalog.migrations.0006_search_indexes")


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, columns in search_indexes.SEARCHED.items():
        for trigger in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_{trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}_search")
        for statement in search_indexes.sqlite_statements(table, columns):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_group_names_and_release_dates"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
