"""The page cache is one cache for every server process, kept across restarts, and bounded in size.

Real gunicorn workers on a SQLite file. The cache is the one the settings choose: the on-disk default, or Redis
when REDIS_URL is set (`scripts/test --redis` runs the suite against a throw-away redis-server).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="needs the project's .venv")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def site_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        CACHE_DIR=str(tmp_path / "cache"),
        DEBUG="0",
        SECRET_KEY="test-secret-key-for-a-real-server-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    if "REDIS_URL" in env:
        # A database of its own on the shared test server; emptied so the test starts cold.
        env["REDIS_URL"] = env["REDIS_URL"].rsplit("/", 1)[0] + "/15"
    for command in (
        ["migrate", "-v0"], ["loaddata", "catalog", "-v0"], ["collectstatic", "--noinput", "-v0"],
        ["shell", "-v0", "-c", FLUSH_CACHES],
    ):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=120)
    return env


FLUSH_CACHES = "from django.core.cache import caches; [caches[a].clear() for a in ('default', 'versions')]"


class Server:
    def __init__(self, env, workers=2, port=None):
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [str(GUNICORN), "ostsite.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("gunicorn did not start")

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=20) as response:
            return response.headers.get("X-Page-Cache"), response.read().decode()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def test_workers_share_one_cache_that_outlives_a_restart(site_env):
    """Of eight requests spread over two workers only the first renders the page; an approval made by another
    process shows at once; after a restart the page is still cached."""
    server = Server(site_env)
    try:
        states = [server.get("/osts/win/")[0] for _ in range(8)]
        assert states == ["miss"] + ["hit"] * 7
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-v0", "-c", APPROVE_A_COMMENT], cwd=ROOT, env=site_env, check=True,
            timeout=60,
        )
        state, html = server.get("/osts/win/")
        assert state == "miss" and "Approved in another process" in html
        assert server.get("/osts/win/")[0] == "hit"
    finally:
        server.stop()
    assert pages_stored(site_env) > 0
    # The same address: the host and port are part of a page's key (its canonical URL is absolute).
    server = Server(site_env, port=server.port)
    try:
        assert server.get("/osts/win/")[0] == "hit"
    finally:
        server.stop()


def pages_stored(env):
    """What the configured cache holds, seen from outside the site: keys in Redis, or files on disk."""
    if "REDIS_URL" in env:
        import redis

        return redis.Redis.from_url(env["REDIS_URL"]).dbsize()
    return sum(1 for path in (Path(env["CACHE_DIR"]) / "pages").rglob("*.db"))


APPROVE_A_COMMENT = """
from catalog.models import OST
from comments.models import Comment
Comment.objects.create(ost=OST.objects.get(slug="win"), author_name="Mina", author_email="mina@example.com",
                       body="Approved in another process", status=Comment.Status.APPROVED)
"""


@pytest.mark.skipif("REDIS_URL" in os.environ, reason="Redis's bound is the server's maxmemory")
def test_the_on_disk_cache_stays_within_its_size_bound(site_env):
    """With a 1 MB bound, storing over 2 MB of pages leaves the cache under the bound, and the page cache still
    works (the versions, kept apart from the pages, survive the culling)."""
    site_env["CACHE_MAX_MB"] = "1"
    server = Server(site_env, workers=1)
    try:
        written = 0
        for visit in range(200):
            # Each URL is a page of its own to the cache (the tag is ignored by the page itself).
            state, html = server.get(f"/osts/?utm_source={visit}")
            written += len(html.encode()) if state == "miss" else 0
        assert written > 2 * 2**20
        assert server.get("/groups/")[0] == "miss" and server.get("/groups/")[0] == "hit"
    finally:
        server.stop()
    pages = Path(site_env["CACHE_DIR"]) / "pages"
    size = sum(f.stat().st_size for f in pages.rglob("*") if f.is_file() and not f.name.endswith(("-wal", "-shm")))
    assert size < 1.5 * 2**20, size
