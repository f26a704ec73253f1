"""`manage.py backup` and `restore`: a consistent copy of the SQLite database taken while the site runs,
and putting it back. Each command runs in its own process on its own SQLite file, as an operator runs it."""

import shutil
import sqlite3
import time

import pytest

from .servers import CommentWriters, Gunicorn, manage, site_env, stored_comments

ADD_COMMENT = """
from catalog.models import OST
from comments.models import Comment
Comment.objects.create(ost=OST.objects.get(slug="once-again"), author_name="Min-ji", author_email="m@example.com",
                       body="{body}", status="approved")
"""
COUNTS = "from catalog.models import OST; from comments.models import Comment; print(OST.objects.count(), Comment.objects.count())"


@pytest.fixture(scope="module")
def article_site(tmp_path_factory):
    """A SQLite file with the article's catalogue and one comment, made once for the module."""
    workdir = tmp_path_factory.mktemp("article-site")
    env = site_env(workdir)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_article", "-v0")
    manage(env, "shell", "-v", "0", "-c", ADD_COMMENT.format(body="Kept in the backup"))
    return workdir / "db.sqlite3"


@pytest.fixture
def site(article_site, tmp_path):
    """A copy of that site for one test."""
    shutil.copyfile(article_site, tmp_path / "db.sqlite3")
    return site_env(tmp_path)


def other_database(env, tmp_path, name):
    return {**env, "DATABASE_URL": f"sqlite:///{tmp_path / name}"}


def test_a_backup_restores_into_a_new_database(site, tmp_path):
    """backup, then restore into a fresh file: the catalogue and the comment are there, and the file is one whole."""
    backup = tmp_path / "backups" / "first.sqlite3"
    taken = manage(site, "backup", str(backup))
    assert "Backing up" in taken.stdout and "21 OSTs" in taken.stdout and f"checked: {backup}" in taken.stdout
    assert sorted(p.name for p in backup.parent.iterdir()) == ["first.sqlite3"]  # no -wal, no .partial
    fresh = other_database(site, tmp_path, "fresh.sqlite3")
    restored = manage(fresh, "restore", str(backup), "--no-input")
    assert "Restored: 21 OSTs, 16 shows, 12 groups, 1 comments, 0 accounts." in restored.stdout
    assert manage(fresh, "shell", "-v", "0", "-c", COUNTS).stdout.split() == ["21", "1"]


def test_restore_replaces_everything_saved_since_the_backup(site, tmp_path):
    """A comment written after the backup is gone once the backup is restored over the live database."""
    backup = tmp_path / "b.sqlite3"
    manage(site, "backup", str(backup))
    manage(site, "shell", "-v", "0", "-c", ADD_COMMENT.format(body="Written after the backup"))
    manage(site, "shell", "-v", "0", "-c", "from catalog.models import OST; OST.objects.filter(slug='once-again').delete()")
    manage(site, "restore", str(backup), "--no-input")
    assert manage(site, "shell", "-v", "0", "-c", COUNTS).stdout.split() == ["21", "1"]


def test_restore_asks_first_and_changes_nothing_without_a_yes(site, tmp_path):
    """Without --no-input it says what it replaces with what, and anything but "yes" changes nothing."""
    backup = tmp_path / "b.sqlite3"
    manage(site, "backup", str(backup))
    manage(site, "shell", "-v", "0", "-c", ADD_COMMENT.format(body="Written after the backup"))
    refused = manage(site, "restore", str(backup), input="no\n", check=False)
    assert refused.returncode == 1
    assert "This replaces everything in" in refused.stdout and "(21 OSTs, 16 shows, 12 groups, 2 comments" in refused.stdout
    assert "with the backup" in refused.stdout and "1 comments" in refused.stdout
    assert "Nothing was changed." in refused.stderr
    assert manage(site, "shell", "-v", "0", "-c", COUNTS).stdout.split() == ["21", "2"]
    manage(site, "restore", str(backup), input="yes\n")
    assert manage(site, "shell", "-v", "0", "-c", COUNTS).stdout.split() == ["21", "1"]


def test_a_backup_never_overwrites_a_file(site, tmp_path):
    """An existing file is refused with a message and left as it was."""
    existing = tmp_path / "keep.sqlite3"
    existing.write_text("an older backup")
    result = manage(site, "backup", str(existing), check=False)
    assert result.returncode == 1
    assert f"{existing} already exists: choose a new name" in result.stderr
    assert existing.read_text() == "an older backup"


@pytest.mark.parametrize("content", [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200])
def test_restoring_a_file_that_is_not_a_backup_changes_nothing(site, tmp_path, content):
    """An empty, foreign or broken file is refused with a clear message; the live database is untouched."""
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    result = manage(site, "restore", str(bad), "--no-input", check=False)
    assert result.returncode == 1
    assert f"{bad} is not a" in result.stderr and "Nothing was changed" in result.stderr.replace("nothing", "Nothing")
    assert manage(site, "shell", "-v", "0", "-c", COUNTS).stdout.split() == ["21", "1"]


def test_a_missing_backup_is_named(site, tmp_path):
    result = manage(site, "restore", str(tmp_path / "nope.sqlite3"), "--no-input", check=False)
    assert result.returncode == 1 and "There is no file" in result.stderr


def test_on_postgresql_the_commands_point_to_pg_dump(tmp_path):
    """These commands copy SQLite files; on PostgreSQL they say to use pg_dump and pg_restore, before connecting."""
    env = site_env(tmp_path, database_url="postgres://nobody@127.0.0.1:1/nothing")
    for command in (["backup"], ["restore", str(tmp_path / "x.sqlite3"), "--no-input"]):
        result = manage(env, *command, check=False)
        assert result.returncode == 1
        assert "Back PostgreSQL up with pg_dump and restore it with pg_restore" in result.stderr


def test_a_backup_taken_during_comment_writes_holds_every_comment_acknowledged_before_it(tmp_path, static_root):
    """Gunicorn with 4 workers and 8 readers posting comments through the form; a backup is taken meanwhile.
    Restored into a new database, it holds every comment that was answered with a redirect before the backup
    started, each exactly once, and every comment in it is whole."""
    env = site_env(tmp_path, static_root, COMMENTS_MIN_INTERVAL_SECONDS="0", COMMENTS_MIN_FORM_AGE_SECONDS="0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_article", "-v0")
    paths = ["/", "/osts/once-again/", "/osts/next-level/", "/groups/aespa/", "/shows/our-blues/"]
    backup = tmp_path / "during-load.sqlite3"
    with Gunicorn(env, tmp_path, workers=4) as server, CommentWriters(server.port, paths, clients=8, run_id="bk") as writers:
        time.sleep(4)
        started = time.monotonic()
        taken = manage(env, "backup", str(backup))
        time.sleep(2)
    acknowledged_before = {marker for marker, at in writers.acknowledged.items() if at < started}
    restored = other_database(env, tmp_path, "restored.sqlite3")
    manage(restored, "restore", str(backup), "--no-input")
    in_backup = stored_comments(restored, "bk")
    in_live = stored_comments(env, "bk")

    assert "checked" in taken.stdout
    assert len(acknowledged_before) >= 20, writers.statuses
    markers = [marker for marker, _, _ in in_backup]
    assert len(markers) == len(set(markers))  # each once
    assert acknowledged_before <= set(markers)
    # Whole rows: the backup holds exactly what the live database holds for those comments.
    live = {marker: (body, email) for marker, body, email in in_live}
    assert all(live[marker] == (body, email) for marker, body, email in in_backup)
    # The site kept taking comments while the backup was made.
    assert any(at > started for at in writers.acknowledged.values())
    with sqlite3.connect(backup) as conn:
        # The CHECK constraints call functions only Django's connections define; the structure is what counts here.
        conn.execute("PRAGMA ignore_check_constraints = ON")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
