"""Concurrent write load: many readers browsing and posting comments at once, for a bounded time.

    .venv/bin/python bench/load_comments.py                           # SQLite (a temporary file)
    scripts/with-postgres .venv/bin/python bench/load_comments.py     # PostgreSQL

It migrates the database named by DATABASE_URL (a fresh temporary SQLite file when unset), seeds a small
synthetic catalogue, and starts gunicorn with 4 workers on 127.0.0.1 (DEBUG=0). Then, for 30 seconds,
32 client threads each loop: GET a page (home, OST list, OST, show or group page), and on pages with a
comment form, half the time POST a comment through it as a browser would — the CSRF cookie and token and
the form's signed timestamp from the GET — and follow the redirect. The per-IP rate limit and minimum
form age are relaxed for the run (COMMENTS_MIN_INTERVAL_SECONDS=0, COMMENTS_MIN_FORM_AGE_SECONDS=0): every
client comes from 127.0.0.1.

Every comment body carries a unique marker. Afterwards the script counts the rows in the database and
checks that each accepted comment (a redirect answer) was stored exactly once. It prints requests, 5xx
answers, comments accepted, refused and stored, duplicates and latencies, and exits 1 on any 5xx answer,
lost or duplicated comment.

Options: --duration SECONDS (30)  --clients N (32)  --workers N (4)  --osts N (catalogue size, 2000)
         --post-ratio P (0.5)  --port N (first port tried, 8780)  --no-seed (use the catalogue as it is)
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from run import HOST, Gunicorn, free_port, log, manage, site_env

FORM_FIELDS = re.compile(r'name="(csrfmiddlewaretoken|timestamp|target_type|target_id)" value="([^"]*)"')

PICK_PAGES = """
import json, random
from catalog.models import OST, Group, Show
rng = random.Random(1)
def some(model, k):
    slugs = list(model.objects.order_by("pk").values_list("slug", flat=True)[:2000])
    return [model(slug=slug).get_absolute_url() for slug in rng.sample(slugs, min(k, len(slugs)))]
print(json.dumps({"osts": some(OST, 60), "shows": some(Show, 20), "groups": some(Group, 20)}))
"""

COUNT_STORED = """
import json, re
from collections import Counter
from comments.models import Comment
rows = Comment.objects.filter(body__contains="[load-RUN-").values_list("body", "status")
markers = Counter(re.search(r"\\[load-RUN-[0-9-]+\\]", body)[0] for body, _status in rows)
print(json.dumps({"markers": markers, "statuses": Counter(status for _body, status in rows)}))
"""


class Client(threading.Thread):
    """One reader: a keep-alive connection, a cookie jar, and a loop of browse and post until the deadline."""

    def __init__(self, number, port, pages, deadline, post_ratio, run_id, stats):
        super().__init__(daemon=True)
        self.number, self.port, self.pages, self.deadline = number, port, pages, deadline
        self.post_ratio, self.run_id, self.stats = post_ratio, run_id, stats
        self.rng = random.Random(number)
        self.cookies = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.sequence = 0

    def request(self, kind, method, path, body=None):
        headers = {"Host": HOST, "User-Agent": f"load-comments/{self.number}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.stats.record(kind, None, time.perf_counter() - started, error=repr(error))
            return None, b""
        self.stats.record(kind, response.status, time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response, content

    def run(self):
        while time.monotonic() < self.deadline:
            path = self.pick_page()
            response, content = self.request("GET page", "GET", path)
            if response is None or response.status != 200:
                continue
            fields = dict(FORM_FIELDS.findall(content.decode("utf-8", "replace")))
            if "target_type" in fields and self.rng.random() < self.post_ratio:
                self.post(fields)

    def pick_page(self):
        roll = self.rng.random()
        if roll < 0.1:
            return "/"
        if roll < 0.2:
            return "/osts/?page=" + str(self.rng.randint(1, 5))
        kind = "osts" if roll < 0.7 else ("shows" if roll < 0.85 else "groups")
        return self.rng.choice(self.pages[kind])

    def post(self, fields):
        self.sequence += 1
        marker = f"[load-{self.run_id}-{self.number}-{self.sequence}]"
        body = urlencode({
            **fields,
            "body": f"Posted under load {marker}: 이 노래 최고예요!",
            "author_name": f"Load tester {self.number}",
            "author_email": f"load{self.number}@example.com",
            "author_url": "",
            "comment_hp": "",
        })
        response, _content = self.request("POST comment", "POST", "/comments/post/", body)
        if response is None:
            self.stats.comment(marker, "no answer")
            return
        if response.status in (302, 303):
            self.stats.comment(marker, "accepted")
            location = urlsplit(response.getheader("Location"))
            self.request("GET after post", "GET", location.path + (f"?{location.query}" if location.query else ""))
        else:
            self.stats.comment(marker, f"refused {response.status}")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {}
        self.statuses = Counter()
        self.errors = Counter()
        self.comments = {}

    def record(self, kind, status, seconds, error=None):
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds * 1e3)
            self.statuses[status] += 1
            if error:
                self.errors[error] += 1

    def comment(self, marker, outcome):
        with self.lock:
            self.comments[marker] = outcome


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--osts", type=int, default=2000)
    parser.add_argument("--post-ratio", type=float, default=0.5)
    parser.add_argument("--port", type=int, default=8780)
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ostsite-load-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'db.sqlite3'}"
    engine = database_url.split(":", 1)[0]
    env = site_env(
        database_url, workdir / "static", COMMENTS_MIN_INTERVAL_SECONDS="0", COMMENTS_MIN_FORM_AGE_SECONDS="0"
    )
    run_id = secrets.token_hex(4)
    server = None
    try:
        log(f"{engine}: migrate, seed_synthetic --osts {args.osts}, collectstatic")
        manage(env, "migrate", "--noinput", "-v0")
        if not args.no_seed:
            manage(env, "seed_synthetic", "--osts", str(args.osts), "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        pages = json.loads(manage(env, "shell", "-v", "0", "-c", PICK_PAGES))

        port = free_port(args.port)
        log(f"gunicorn ({args.workers} workers) on {HOST}:{port}; {args.clients} clients for {args.duration} s")
        server = Gunicorn(env, port, args.workers)
        stats = Stats()
        deadline = time.monotonic() + args.duration
        started = time.monotonic()
        clients = [Client(n, port, pages, deadline, args.post_ratio, run_id, stats) for n in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - started
        server.stop()
        server = None

        stored = json.loads(manage(env, "shell", "-v", "0", "-c", COUNT_STORED.replace("RUN", run_id)))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    outcomes = Counter(stats.comments.values())
    accepted = {marker for marker, outcome in stats.comments.items() if outcome == "accepted"}
    stored_markers = Counter(stored["markers"])
    duplicates = {marker: n for marker, n in stored_markers.items() if n > 1}
    lost = accepted - stored_markers.keys()
    unexpected = stored_markers.keys() - set(stats.comments)
    requests = sum(stats.statuses.values())
    server_errors = sum(n for status, n in stats.statuses.items() if status is not None and status >= 500)
    no_answer = stats.statuses[None]

    lines = [
        f"Comment load test on {engine}: {args.clients} clients, gunicorn with {args.workers} workers, {elapsed:.1f} s",
        f"- requests: {requests:,} ({requests / elapsed:,.0f}/s); statuses: "
        + ", ".join(f"{status}: {n:,}" for status, n in sorted(stats.statuses.items(), key=lambda kv: str(kv[0]))),
        f"- 5xx answers: {server_errors}; requests without an answer: {no_answer}",
        f"- comments posted: {len(stats.comments):,}; accepted (redirect): {len(accepted):,}; not accepted: "
        + (", ".join(f"{outcome}: {n:,}" for outcome, n in sorted(outcomes.items()) if outcome != "accepted") or "0"),
        f"- comments stored: {sum(stored_markers.values()):,} rows for {len(stored_markers):,} markers "
        f"({', '.join(f'{s}: {n:,}' for s, n in stored['statuses'].items())}); "
        f"accepted but not stored: {len(lost)}; stored twice or more: {len(duplicates)}; "
        f"stored but not accepted: {len(unexpected)}",
    ]
    for kind, values in sorted(stats.latencies.items()):
        lines.append(
            f"- {kind}: {len(values):,} requests, p50 {percentile(values, 50):,.0f} ms, "
            f"p99 {percentile(values, 99):,.0f} ms, max {max(values):,.0f} ms"
        )
    for error, n in stats.errors.most_common(5):
        lines.append(f"- client error ×{n}: {error}")
    print("\n".join(lines))
    failed = server_errors or no_answer or lost or duplicates or not accepted
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
