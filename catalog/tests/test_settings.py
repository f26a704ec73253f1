"""Settings read from the environment: production fails loudly, URLs pick the right backends.

Each case imports the settings in a fresh interpreter, because they are read once at import.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
# Variables the settings read; the tests start from none of them so the developer's shell cannot leak in.
SETTINGS_VARS = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "REDIS_URL",
    "CACHE_DIR",
    "CACHE_MAX_MB",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "TRUSTED_PROXIES",
    "TRUSTED_PROXY_COUNT",
}


def run_python(code, **env):
    """Run `code` in a new interpreter in the project directory, with only `env` among the settings variables."""
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARS}
    clean["DJANGO_SETTINGS_MODULE"] = "ostsite.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_as_json(names, **env):
    """Import ostsite.settings under `env` and return the named settings."""
    code = (
        "import json, ostsite.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str))"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_without_secret_key_fails_clearly():
    """DEBUG=0 with no SECRET_KEY refuses to start, naming the missing variable."""
    result = run_python("import ostsite.settings", DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_production_with_secret_and_hosts_imports():
    """DEBUG=0 with a SECRET_KEY and ALLOWED_HOSTS imports, with exactly those hosts."""
    values = settings_as_json(
        ["DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"],
        DEBUG="0",
        SECRET_KEY="test-secret-" + "x" * 50,
        ALLOWED_HOSTS="ost.example, www.ost.example",
    )
    assert values == {
        "DEBUG": False,
        "SECRET_KEY": "test-secret-" + "x" * 50,
        "ALLOWED_HOSTS": ["ost.example", "www.ost.example"],
    }


def test_production_allows_no_host_by_default():
    """Without ALLOWED_HOSTS, production serves no host rather than every host."""
    values = settings_as_json(["ALLOWED_HOSTS"], DEBUG="0", SECRET_KEY="s" * 50)
    assert values["ALLOWED_HOSTS"] == []


def test_development_defaults_work_without_any_variable():
    """With nothing set, DEBUG is on, a development key exists, and local hosts are allowed."""
    values = settings_as_json(["DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"])
    assert values["DEBUG"] is True
    assert values["SECRET_KEY"].startswith("django-insecure-")
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]


def test_database_url_for_postgresql():
    """A postgres:// DATABASE_URL becomes a PostgreSQL connection with persistent connections and health checks."""
    values = settings_as_json(
        ["DATABASES"], DATABASE_URL="postgres://ost:s3cret@db.internal:5433/ostsite", CONN_MAX_AGE="120"
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("ostsite", "ost", "s3cret")
    assert (database["HOST"], database["PORT"]) == ("db.internal", 5433)
    assert database["CONN_MAX_AGE"] == 120
    assert database["CONN_HEALTH_CHECKS"] is True
    assert "init_command" not in database.get("OPTIONS", {})


def test_database_url_for_sqlite_file(tmp_path):
    """A sqlite:/// URL names the file, and gets the concurrency OPTIONS."""
    path = tmp_path / "site.sqlite3"
    values = settings_as_json(["DATABASES"], DATABASE_URL=f"sqlite:///{path}")
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(path)
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_connection_uses_wal_and_busy_timeout(tmp_path):
    """A real connection to a SQLite file runs in WAL mode, waits 20 s for locks and begins IMMEDIATE."""
    code = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    pragmas = {}
    for name in ("journal_mode", "busy_timeout", "synchronous"):
        cursor.execute(f"PRAGMA {name}")
        pragmas[name] = cursor.fetchone()[0]
print(json.dumps({"pragmas": pragmas, "transaction_mode": connection.transaction_mode}))
"""
    result = run_python(code, DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    # synchronous=NORMAL is 1; it is safe with WAL and much faster than FULL.
    assert values["pragmas"] == {"journal_mode": "wal", "busy_timeout": 20000, "synchronous": 1}
    assert values["transaction_mode"] == "IMMEDIATE"

