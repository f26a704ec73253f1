"""The database goes away under load and comes back: what readers get meanwhile, and whether the site recovers.

    scripts/with-postgres .venv/bin/python bench/db_outage.py      # stops and restarts that PostgreSQL server

It migrates the database named by DATABASE_URL, loads the article's catalogue (seed_article), and starts gunicorn
with 4 workers (DEBUG=0, the production defaults: CONN_MAX_AGE=60 with health checks). Eight reader threads
request pages as fast as they are answered: searches with a word of their own (pages no cache holds, so each
needs the database), OST pages, lists and /healthz. One more reader posts a comment every half second through
a form loaded before the outage. After --before seconds the script stops PostgreSQL (`pg_ctl stop -m fast`,
through the cluster directory scripts/with-postgres exports), waits --outage seconds, starts it again with the
same options and keeps the load on for --after seconds.

It prints, for each phase, the answers by status; whether every answer during the outage was the site's own
503 page ("We’ll be back in a moment", or the comment given back in its form) with Retry-After, never a 500 or
a traceback; the time from the restart to the first page answered from the database again and to the moment
every worker answers normally; and exits 1 when the site answered a 500, showed a traceback, or did not
recover. Options: --before 5 --outage 8 --after 15 --workers 4 --clients 8 --port 8830
"""

import argparse
import http.client
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from run import HOST, Gunicorn, free_port, log, manage, site_env

PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl"
FORM_FIELDS = re.compile(r'name="(csrfmiddlewaretoken|timestamp|target_type|target_id)" value="([^"]*)"')
BACK_SOON = "We’ll be back in a moment"
GIVEN_BACK = "The archive cannot reach its database just now"


def as_postgres(*args):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *args], check=True, capture_output=True, text=True)


class Cluster:
    def __init__(self, datadir):
        self.datadir = datadir
        # The server's own command line, to start it again exactly as scripts/with-postgres did.
        words = shlex.split(Path(datadir, "postmaster.opts").read_text())
        self.options = shlex.join(words[1:])

    def stop(self):
        as_postgres(PG_CTL, "-D", self.datadir, "-m", "fast", "-w", "stop")

    def start(self):
        as_postgres(PG_CTL, "-D", self.datadir, "-l", str(Path(self.datadir) / "server.log"), "-w", "-o",
                    self.options, "start")


class Answers:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []  # (time, kind, status, verdict)

    def add(self, kind, status, verdict):
        with self.lock:
            self.rows.append((time.monotonic(), kind, status, verdict))


def fetch(port, method, path, body=None, cookies=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Host": HOST}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def verdict(status, headers, html):
    if "Traceback" in html:
        return "traceback"
    if status == 503:
        ours = (BACK_SOON in html or GIVEN_BACK in html) and headers.get("Retry-After")
        return "our 503 page" if ours or html == "database unavailable\n" else "other 503"  # the latter: /healthz
    return "ok" if status < 400 else str(status)


def reader(number, port, answers, stop):
    paths = ["/osts/once-again/", "/osts/", "/groups/", "/shows/", "/healthz"]
    n = 0
    while not stop.is_set():
        n += 1
        path = f"/osts/?q=w{number}x{n}" if n % 2 else paths[n // 2 % len(paths)]
        kind = "search" if n % 2 else "page"
        try:
            response, html = fetch(port, "GET", path)
        except (OSError, http.client.HTTPException) as error:
            answers.add(kind, None, f"no answer ({type(error).__name__})")
            continue
        answers.add(kind, response.status, verdict(response.status, response.headers, html))


def poster(port, answers, stop, run_id):
    """Posts comments from a form loaded before the outage (its token and timestamp stay valid)."""
    response, html = fetch(port, "GET", "/osts/once-again/")
    cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";")[0]
    fields = dict(FORM_FIELDS.findall(html))
    n = 0
    while not stop.is_set():
        n += 1
        body = urlencode({**fields, "body": f"During the outage test [{run_id}-{n}]", "author_name": "Tester",
                          "author_email": f"tester{n}@example.com", "author_url": "", "comment_hp": ""})
        try:
            response, html = fetch(port, "POST", "/comments/post/", body, cookies)
        except (OSError, http.client.HTTPException) as error:
            answers.add("comment", None, f"no answer ({type(error).__name__})")
        else:
            kept = f"[{run_id}-{n}]" in html if response.status == 503 else None
            answers.add("comment", response.status,
                        verdict(response.status, response.headers, html) + ("" if kept in (None, True) else ", text lost"))
        stop.wait(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=float, default=5)
    parser.add_argument("--outage", type=float, default=8)
    parser.add_argument("--after", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8830)
    args = parser.parse_args()
    datadir = os.environ.get("WITH_POSTGRES_DATADIR")
    if not datadir or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Run it under scripts/with-postgres, which says where its PostgreSQL cluster lives.")
    cluster = Cluster(datadir)

    workdir = Path(tempfile.mkdtemp(prefix="ostsite-outage-"))
    env = site_env(os.environ["DATABASE_URL"], workdir / "static", COMMENTS_MIN_INTERVAL_SECONDS="0",
                   COMMENTS_MIN_FORM_AGE_SECONDS="0", CACHE_DIR=str(workdir / "cache"))
    server = None
    answers, stop = Answers(), threading.Event()
    try:
        log("migrate, seed_article, collectstatic")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_article", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        port = free_port(args.port)
        server = Gunicorn(env, port, args.workers)
        run_id = secrets.token_hex(3)
        threads = [threading.Thread(target=reader, args=(n, port, answers, stop)) for n in range(args.clients)]
        threads.append(threading.Thread(target=poster, args=(port, answers, stop, run_id)))
        for thread in threads:
            thread.start()
        time.sleep(args.before)
        log("stopping PostgreSQL")
        stopped = time.monotonic()
        cluster.stop()
        time.sleep(args.outage)
        log("starting PostgreSQL again")
        cluster.start()
        restarted = time.monotonic()
        time.sleep(args.after)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stop.set()
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    phases = {"before": [], "outage": [], "after": []}
    for at, kind, status, result in answers.rows:
        phase = "before" if at < stopped else "outage" if at < restarted else "after"
        phases[phase].append((at, kind, status, result))
    lines = [f"Database outage under load: PostgreSQL stopped for {args.outage:.0f} s; gunicorn with "
             f"{args.workers} workers, {args.clients} readers and one comment poster"]
    for phase, rows in phases.items():
        counts = Counter((kind, status, result) for _, kind, status, result in rows)
        listing = "; ".join(f"{kind} {status} {result}: {n}" for (kind, status, result), n in sorted(counts.items(), key=str))
        lines.append(f"- {phase}: {len(rows)} answers — {listing}")
    after = phases["after"]
    first_ok = next((at for at, kind, status, _ in after if kind == "search" and status == 200), None)
    # Recovered: from this answer on, every page and search is answered normally.
    failing = [at for at, kind, status, _ in after if kind in ("search", "page") and status != 200]
    all_ok = max(failing) if failing else restarted
    recovered = first_ok is not None and all_ok < after[-1][0] - 2 if after else False
    lines.append(
        f"- first search answered from the database again {first_ok - restarted:.2f} s after the restart; "
        f"every answer normal from {all_ok - restarted:.2f} s after the restart" if first_ok else
        "- the site did not answer a search from the database after the restart"
    )
    bad = [row for rows in phases.values() for row in rows
           if row[3] in ("traceback", "other 503") or row[3].startswith("500") or "text lost" in row[3]]
    lines.append(f"- 500s, tracebacks, foreign 503 pages or comments lost: {len(bad)}")
    print("\n".join(lines))
    sys.exit(0 if recovered and not bad else 1)


if __name__ == "__main__":
    main()
