"""Backups of a SQLite database taken with SQLite's online backup API while the site runs, and restoring one.

The backup is copied in one step, inside one read transaction of the live database: with the WAL journal the
site's writers go on meanwhile, and the copy is the database as it was at one moment, with every transaction
committed before that moment and none after. (Copying a few pages at a time would restart whenever a writer
changes the database, which under steady comment traffic might never end.) A plain file copy could catch a
write half done and leave out what is still in the -wal file.
"""

import os
import sqlite3
import time
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    pass


# Tables whose rows a person can recognise, to say what a backup and the live database hold.
SUMMARY_TABLES = {"catalog_ost": "OSTs", "catalog_show": "shows", "catalog_group": "groups",
                  "comments_comment": "comments", "auth_user": "accounts"}


def require_sqlite():
    if connection.vendor != "sqlite":
        raise BackupError(
            f"This site's database is {connection.display_name}, and these commands copy SQLite files. "
            "Back PostgreSQL up with pg_dump and restore it with pg_restore (see the README's Backups section)."
        )


def database_name():
    return str(connection.settings_dict["NAME"])


def backup(destination, starting=lambda: None):
    """Copy the live database into a new file `destination`; returns (bytes, seconds).

    `starting()` is called once the destination is known to be free, just before the copy begins.
    """
    require_sqlite()
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose a new name, so that no backup is overwritten.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    starting()
    partial = destination.with_name(destination.name + ".partial")
    started = time.monotonic()
    connection.ensure_connection()
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
        check = quick_check(target)
        if check != "ok":
            raise BackupError(f"The copy failed SQLite's check ({check}); nothing was kept.")
        # A backup is one self-contained file, whatever journal the live database uses.
        target.execute("PRAGMA journal_mode=DELETE")
    except BaseException:
        target.close()
        partial.unlink(missing_ok=True)
        raise
    target.close()
    # Only a complete, checked copy ever carries the name asked for.
    os.replace(partial, destination)
    return destination.stat().st_size, time.monotonic() - started


def quick_check(conn):
    """SQLite's check of a file's structure. Its CHECK constraints are left out: some call functions that only
    Django's connections define (a year taken from a date), and the rows passed them when they were saved."""
    conn.execute("PRAGMA ignore_check_constraints = ON")
    return conn.execute("PRAGMA quick_check").fetchone()[0]


def open_backup(path):
    """A read-only connection to the backup at `path`, checked to be a SQLite database of this site."""
    require_sqlite()
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        check = quick_check(source)
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        source.close()
        raise BackupError(f"{path} is not a SQLite database ({error}); nothing was changed.") from None
    if check != "ok" or "django_migrations" not in tables:
        source.close()
        problem = f"it fails SQLite's check ({check})" if check != "ok" else "it holds no Django tables"
        raise BackupError(f"{path} is not a backup of this site: {problem}. Nothing was changed.")
    return source


def summary(conn):
    """"21 OSTs, 16 shows, 12 groups, 3 comments, 1 accounts" for a sqlite3 connection."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    parts = [f"{conn.execute(f'SELECT count(*) FROM {table}').fetchone()[0]:,} {label}"
             for table, label in SUMMARY_TABLES.items() if table in tables]
    return ", ".join(parts) or "no data"


def live_summary():
    require_sqlite()
    connection.ensure_connection()
    return summary(connection.connection)


def restore(source):
    """Replace the whole live database with the backup open on `source` (from open_backup); returns seconds.

    Written through the backup API in one step, which holds the write lock throughout: the site's processes see
    the old database or the restored one, never a mixture.
    """
    require_sqlite()
    started = time.monotonic()
    connection.ensure_connection()
    source.backup(connection.connection)
    return time.monotonic() - started
