"""Real server processes for tests of behaviour across processes: a production-like site run by gunicorn,
its management commands in their own processes, and readers posting comments through the real form."""

import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
# The settings' environment variables a developer's shell may hold; a test site starts from none of them.
SITE_VARS = {"CACHE_DIR", "REDIS_URL", "DATABASE_URL", "TRUSTED_PROXIES", "TRUSTED_PROXY_COUNT", "PORT"}


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def site_env(workdir, static_root=None, database_url=None, **extra):
    """A production-like site (DEBUG=0) on plain HTTP at 127.0.0.1, its SQLite file and state in `workdir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in SITE_VARS}
    env.update(
        DATABASE_URL=database_url or f"sqlite:///{workdir / 'db.sqlite3'}",
        DEBUG="0",
        SECRET_KEY="test-only-" + "k" * 50,
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        CACHE_DIR=str(workdir / "cache"),
        MEDIA_ROOT=str(workdir / "media"),
        PYTHONUNBUFFERED="1",
    )
    if static_root is not None:
        env["STATIC_ROOT"] = str(static_root)
    env.update(extra)
    return env


def manage(env, *args, input=None, check=True, timeout=300):
    """`manage.py ARGS` in its own process; the CompletedProcess (stdout and stderr as text)."""
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, input=input, capture_output=True, text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


class Gunicorn:
    """`gunicorn ostsite.wsgi` with N sync workers; its access log names the worker (pid) that answered.

    With max_requests=1 every worker exits after one answer, so each request meets a new process.
    """

    def __init__(self, env, workdir, workers=4, max_requests=0):
        self.port = free_port()
        self.access_log = workdir / f"access-{self.port}.log"
        self.error_log = workdir / f"error-{self.port}.log"
        output = self.error_log.open("ab")
        self.process = subprocess.Popen(
            [str(GUNICORN), "ostsite.wsgi", "--workers", str(workers), "--bind", f"{HOST}:{self.port}",
             "--timeout", "60", "--max-requests", str(max_requests), "--access-logfile", str(self.access_log),
             "--access-logformat", '%(p)s "%(r)s" %(s)s', "--error-logfile", str(self.error_log)],
            cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=output,
        )
        output.close()
        deadline = time.monotonic() + 60
        while len(self.worker_pids()) < workers or not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"gunicorn did not start:\n{self.error_log.read_text()}")
            time.sleep(0.2)

    def answers(self):
        try:
            return bool(get(self.port, "/healthz")[0])
        except OSError:
            return False

    def worker_pids(self):
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                if re.search(rf"^PPid:\s+{self.process.pid}$", status.read_text(), re.M):
                    pids.append(int(status.parent.name))
            except OSError:
                continue
        return sorted(pids)

    def answered(self):
        """(worker pid, request line, status) for every request answered so far."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [(int(m[1]), m[2], int(m[3])) for m in map(re.compile(r'<(\d+)> "(.*)" (\d+)').fullmatch, lines) if m]

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def get(port, path, headers=None, timeout=30):
    """(status, headers, body text) of one GET on a new connection."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


class Browser:
    """A minimal HTTP reader with a cookie jar: GET pages and POST forms as a browser would, one connection each."""

    def __init__(self, port, source_address=HOST):
        self.port, self.source_address = port, source_address
        self.cookies = {}

    def request(self, method, path, fields=None):
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60, source_address=(self.source_address, 0))
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        return self.request("POST", path, fields)


HIDDEN_FIELDS = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_fields(html):
    return dict(HIDDEN_FIELDS.findall(html))


class CommentWriters:
    """Reader threads that load a page and post a comment through its form, again and again, until stopped.

    Each comment's body carries a unique marker. `acknowledged` maps the marker of every comment answered with a
    redirect to the time.monotonic() at which the answer arrived; `unanswered` holds the markers of posts whose
    connection broke before an answer (a killed worker).
    """

    def __init__(self, port, paths, clients=8, run_id="load"):
        self.port, self.paths, self.run_id = port, paths, run_id
        self.lock = threading.Lock()
        self.acknowledged, self.refused, self.unanswered = {}, {}, set()
        self.statuses = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.write, args=(n,), daemon=True) for n in range(clients)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def write(self, number):
        # Each reader has an address of its own (Linux answers all of 127/8), as real readers would.
        browser = Browser(self.port, source_address=f"127.0.{number // 250}.{number % 250 + 2}")
        sequence = 0
        while not self.stopping.is_set():
            path = self.paths[sequence % len(self.paths)]
            sequence += 1
            marker = f"[{self.run_id}-{number}-{sequence}]"
            try:
                status, _, html = browser.get(path)
                with self.lock:
                    self.statuses.append(status)
                if status != 200:
                    continue
                fields = {
                    **hidden_fields(html),
                    "body": f"Posted while the site was busy {marker}: 이 노래 최고예요!",
                    "author_name": f"Writer {number}",
                    "author_email": f"writer{number}@example.com",
                    "author_url": "",
                    "comment_hp": "",
                }
                status, _, _ = browser.post("/comments/post/", fields)
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.unanswered.add(marker)
                continue
            with self.lock:
                self.statuses.append(status)
                if status in (302, 303):
                    self.acknowledged[marker] = time.monotonic()
                else:
                    self.refused[marker] = status


COUNT_MARKERS = """
import json, re
from collections import Counter
from comments.models import Comment
rows = Comment.objects.filter(body__contains="[RUN-").values_list("body", "author_email")
print(json.dumps([[re.search(r"\\[RUN-[0-9]+-[0-9]+\\]", body)[0], body, email] for body, email in rows]))
"""


def stored_comments(env, run_id):
    """[marker, body, author email] of every stored comment of the run, read by `manage.py shell`."""
    import json

    return json.loads(manage(env, "shell", "-v", "0", "-c", COUNT_MARKERS.replace("RUN", run_id)).stdout)
