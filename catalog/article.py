"""The article's catalogue (fixtures/catalog.json): what a new site starts with, and what a reset goes back to.

Used by the `seed_article` command (which scripts/serve runs on every start) and `reset_to_article`.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

FIXTURE = "catalog"
# Erased by a reset: the catalogue and the comments on its pages. Accounts, sessions and sign-in records stay.
ERASED_APPS = ("catalog", "comments")


def erased_models():
    return [model for label in ERASED_APPS for model in apps.get_app_config(label).get_models()]


def counts():
    """{"OSTs": 21, "shows": 16, ...}: the rows a reset would erase, per kind, leaving out the empty ones."""
    found = {str(model._meta.verbose_name_plural): model.objects.count() for model in erased_models()}
    return {name: n for name, n in found.items() if n}


def describe(found):
    return ", ".join(f"{n:,} {name}" for name, n in found.items())


def load_if_empty():
    """Load the article's catalogue when nothing of the catalogue is stored; returns what was found instead.

    One transaction, which takes the write lock first, so two starts at once cannot both load it.
    """
    with transaction.atomic():
        found = counts()
        if not found:
            call_command("loaddata", FIXTURE, verbosity=0)
    return found


def reset():
    """Erase the catalogue and every comment, then load the article's catalogue, in one transaction.

    The tables are emptied with the database's own flush statements (a large catalogue would take minutes to
    delete row by row); loading the fixture then tells the page caches that the catalogue changed.
    """
    tables = [model._meta.db_table for model in erased_models()]
    tables += [field.remote_field.through._meta.db_table for model in erased_models()
               for field in model._meta.local_many_to_many if field.remote_field.through._meta.auto_created]
    with transaction.atomic():
        # Foreign keys of rows written earlier in an enclosing transaction are checked now: PostgreSQL refuses to
        # TRUNCATE a table with such checks still pending.
        connection.check_constraints(table_names=tables)
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, reset_sequences=True))
        call_command("loaddata", FIXTURE, verbosity=0)
