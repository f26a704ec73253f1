"""Trigram indexes for the site search, so a word is found inside names without reading every row.

SQLite: an FTS5 table with the trigram tokenizer beside each searched table, kept in step by triggers
(so bulk inserts and raw SQL are covered too); `catalog.filters.containing` queries it.
PostgreSQL: pg_trgm GIN indexes on UPPER(column), the expression Django's `icontains` compares.
"""

from django.db import migrations

SEARCHED = {
    "catalog_ost": ["title", "native_title", "alternative_titles"],
    "catalog_show": ["title", "original_title", "alternative_titles"],
    "catalog_group": ["name", "native_name", "alternative_names"],
    "catalog_member": ["stage_name", "native_name"],
}


def sqlite_statements(table, columns):
    index = f"{table}_search"
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    insert = f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {index}({index}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({names}, content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table, columns in SEARCHED.items():
            for statement in sqlite_statements(table, columns):
                schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, columns in SEARCHED.items():
            for column in columns:
                schema_editor.execute(
                    f"CREATE INDEX {table}_{column}_trgm ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
                )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, columns in SEARCHED.items():
        if vendor == "sqlite":
            for trigger in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER {table}_search_{trigger}")
            schema_editor.execute(f"DROP TABLE {table}_search")
        elif vendor == "postgresql":
            for column in columns:
                schema_editor.execute(f"DROP INDEX {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_group_order_ci"),
    ]

    operations = [migrations.RunPython(create, drop)]
