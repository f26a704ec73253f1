"""The README's test command: `scripts/test --postgres` takes its flag anywhere on the line."""

import os
import re
import subprocess

from .servers import ROOT


def test_the_postgres_flag_works_after_pytest_arguments():
    """The flag last: the run is on a throw-away PostgreSQL server, and every other argument reached pytest."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PYTEST_")}
    result = subprocess.run(
        ["scripts/test", "ostsite/tests/test_client_ip.py", "-q", "-k", "from_the_environment", "--postgres"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "with-postgres: PostgreSQL" in result.stderr
    assert re.search(r"\b1 passed, \d+ deselected", result.stdout), result.stdout
