"""Many readers posting at once through gunicorn's worker processes: no 5xx, every comment stored once."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ostsite.tests.servers import CommentWriters, Gunicorn, manage, site_env, stored_comments

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "gunicorn").exists(), reason="needs the project's .venv")
def test_concurrent_posts_lose_nothing_and_never_fail(tmp_path):
    """12 clients against 4 workers for 5 s on a SQLite file: no 5xx, every accepted comment stored once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    # SQLite is the database that needs the care (WAL, IMMEDIATE, busy timeout), whatever the suite runs on.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'load.sqlite3'}"
    env["CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run(
        [sys.executable, "bench/load_comments.py", "--duration", "5", "--clients", "12", "--osts", "100",
         "--port", "8795"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "5xx answers: 0;" in report
    posted = int(re.search(r"comments posted: (\d+)", report).group(1))
    stored = re.search(r"comments stored: (\d+) rows for (\d+) markers", report)
    assert posted > 20 and int(stored.group(1)) == int(stored.group(2)) == posted, report
    assert "stored twice or more: 0" in report and "accepted but not stored: 0" in report


def test_a_worker_killed_mid_write_loses_and_doubles_nothing(tmp_path, static_root):
    """SIGKILL one of four gunicorn workers twice while 8 readers post comments: every comment answered with a
    redirect is stored exactly once and whole; posts cut off get no answer and are not stored twice; gunicorn
    replaces the worker and the readers go on posting."""
    env = site_env(tmp_path, static_root, COMMENTS_MIN_INTERVAL_SECONDS="0", COMMENTS_MIN_FORM_AGE_SECONDS="0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_article", "-v0")
    paths = ["/", "/osts/once-again/", "/osts/next-level/", "/groups/aespa/", "/shows/our-blues/"]
    killed = []
    with Gunicorn(env, tmp_path, workers=4) as server, CommentWriters(server.port, paths, clients=8, run_id="kill") as writers:
        for _ in range(2):
            time.sleep(3)
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append((victim, time.monotonic()))
        time.sleep(3)
        workers_after = server.worker_pids()
    stored = stored_comments(env, "kill")

    markers = [marker for marker, _, _ in stored]
    assert len(markers) == len(set(markers)), "a comment was stored twice"
    assert set(writers.acknowledged) <= set(markers), "a comment answered with a redirect was lost"
    # Whole rows: each stored comment has the body and email its writer sent.
    for marker, body, email in stored:
        number = marker.split("-")[1]
        assert body == f"Posted while the site was busy {marker}: 이 노래 최고예요!"
        assert email == f"writer{number}@example.com"
    # Nothing but these stored: every row belongs to a post that was made.
    assert set(markers) <= set(writers.acknowledged) | writers.unanswered
    assert len(workers_after) == 4 and not {pid for pid, _ in killed} & set(workers_after)
    assert any(at > killed[-1][1] for at in writers.acknowledged.values()), "no comment accepted after the kill"
    assert not [status for status in writers.statuses if status >= 500]
