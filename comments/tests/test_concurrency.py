"""Many readers posting at once through gunicorn's worker processes: no 5xx, every comment stored once."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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
