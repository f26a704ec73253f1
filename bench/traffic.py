"""Realistic traffic: readers browsing the whole site while comments arrive and an editor saves now and then.

    .venv/bin/python bench/traffic.py                      # both set-ups, 1,000 and 100,000 OSTs: 15-20 minutes
    .venv/bin/python bench/traffic.py --setup embedded --sizes 1000 --duration 10    # quick: about 2 minutes
    scripts/with-postgres scripts/with-redis .venv/bin/python bench/traffic.py --setup postgres-redis
    .venv/bin/python bench/traffic.py --render                         # rewrite the report from saved figures

For each set-up and catalogue size it seeds a fresh database (migrate, then `seed_synthetic --osts N`) and
serves it with gunicorn (3 sync workers, DEBUG=0, 127.0.0.1 only, OSTSITE_BENCH=1 for /bench/trivial).
The readers' pages are every page sitemap.xml lists, the home page, and the list pages readers reach
(/osts/, /groups/ and /shows/ with page numbers, the filters the site links to, searches, filter-form
submissions: bench/traffic_site.py). Their popularity is Zipf-like (weight 1/rank^s, s = 1) over a shuffled
ranking with the home page and the three lists at its head; a seeded random stream of requests is drawn
from it, and wrk (bench/traffic.lua, -t2 -c16) takes the requests in order.

The stream first warms the site (--warm seconds), then three phases are measured, --duration seconds each:
  a  browsing only;
  b  browsing while comments arrive at about one a second through the real form, each from its own
     127.x.y.z address so the per-address rate limit holds: new readers (held for moderation), returning
     readers (approved at once: they already have an approved comment) and spam (the honeypot filled in).
     Each reader GETs the page (CSRF token, signed time) just before the phase, as one reads before writing;
     the POSTs to /comments/post/ then go out once a second inside the phase, past the minimum form age;
  c  as b, plus an editor saving an OST every 20-30 s through the ORM, in a long-running process with the
     site's environment (bench/traffic_site.py editor), so the model's signals fire as in the admin.
The trivial view /bench/trivial is measured just before and just after, through the same Lua script.

Each phase is reported as requests/s, its ratio to the trivial view, the page-cache hit ratio (X-Page-Cache
response headers), the share of its requests for a URL already requested earlier in the stream, p50 and
p99 (wrk's latency percentiles), errors, the writes and their outcomes, the gunicorn workers' largest
VmRSS and the cache's size (CACHE_DIR on disk for the default cache, used_memory for Redis). Throughput per
second is charted with the writes marked (an SVG per set-up and size). The figures go to
docs/benchmarks/traffic-<setup>.json and the report to the first section of docs/benchmarks.md, between
markers: bench/run.py's single-URL report below it is kept.

Set-ups: "embedded" is SQLite and the default cache from the settings (CACHE_DIR a fresh directory);
"postgres-redis" needs DATABASE_URL and REDIS_URL (scripts/with-postgres and scripts/with-redis export
them) and creates a database per size on that server; "both" runs the embedded one, then runs itself again
under scripts/with-postgres scripts/with-redis.

Needs wrk (`apt-get install -y wrk`) and the project's virtualenv.
"""

import argparse
import html.parser
import http.client
import http.cookies
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from bisect import bisect
from concurrent.futures import ThreadPoolExecutor
from itertools import accumulate
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from run import (
    BASE_DIR, HOST, PYTHON, TRAFFIC_BEGIN, TRAFFIC_END, Gunicorn, benchmarks_document, free_port, log, machine,
    manage, ms, per_second, seed_database, site_env, wrk_figures, wrk_output,
)

BENCH_DIR = Path(__file__).resolve().parent
LUA = BENCH_DIR / "traffic.lua"
SITE_HELPER = [PYTHON, str(BENCH_DIR / "traffic_site.py")]
SETUPS = {
    "embedded": "SQLite + default cache",
    "postgres-redis": "PostgreSQL + Redis",
}
PHASES = {
    "a": "browsing",
    "b": "+ comments",
    "c": "+ comments + editor",
}
# The pages every visit can start from, at the head of the popularity ranking.
HEAD = ["/", "/osts/", "/groups/", "/shows/"]
# The comment form refuses forms sent back sooner than this after the page was served (the setting's default).
MIN_FORM_AGE = 2.0
COMMENT_KINDS = {"new": 0.5, "returning": 0.3, "spam": 0.2}
EXPECTED = {"new": "held", "returning": "approved", "spam": "spam"}
REMARKS = [
    "This song stays in my head all week.", "The bridge gives me chills every time.",
    "Found the show because of this track.", "Their voices fit this scene so well.",
    "I keep coming back to this page for the lineup.", "Please add the full credits when you can.",
]
COMMENTER_DOMAIN = "readers.example"


# The request stream ---------------------------------------------------------------------------------------


class Stream:
    """A seeded, endless stream of paths drawn with Zipf-like popularity, consumed in order by wrk runs.

    wrk's threads take every n-th line of what a run is given and stop wherever the run's time ends, so
    after a run the lines each thread sent are removed and the others stay first in line for the next run.
    """

    def __init__(self, ranking, seed, exponent):
        self.ranking = ranking
        self.rng = random.Random(seed)
        self.cumulative = list(accumulate(1 / rank**exponent for rank in range(1, len(ranking) + 1)))
        self.pending = []
        self.seen = set()

    def take(self, n):
        if len(self.pending) < n:
            self.pending += self.rng.choices(self.ranking, cum_weights=self.cumulative, k=n - len(self.pending))
        return self.pending[:n]

    def consume(self, lines, sent, threads):
        """Remove what each thread sent; return how many requests that was and how many were for a URL
        requested earlier in the stream (this run's earlier lines included)."""
        taken = set()
        for k, n in enumerate(sent):
            taken.update(list(range(k, len(lines), threads))[:n])
        repeats = 0
        for i in sorted(taken):
            repeats += lines[i] in self.seen
            self.seen.add(lines[i])
        self.pending = [line for i, line in enumerate(lines) if i not in taken] + self.pending[len(lines):]
        return {"requests_sent": len(taken), "seen_before": repeats / len(taken) if taken else 0.0,
                "distinct_so_far": len(self.seen)}

    def pick(self, rng, pattern):
        """A path matching `pattern`, drawn with the same popularity (readers comment where readers are)."""
        while True:
            path = self.ranking[bisect(self.cumulative, rng.random() * self.cumulative[-1])]
            if re.fullmatch(pattern, path):
                return path


def fetch(url):
    with urllib.request.urlopen(url, timeout=600) as response:
        return response.read()


def sitemap_paths(server):
    """Every page sitemap.xml lists, following its index, as paths."""
    namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    paths = []
    index = ET.fromstring(fetch(server.url("/sitemap.xml")))
    for section in index.findall("sm:sitemap/sm:loc", namespace):
        parts = urlsplit(section.text.strip())
        urlset = ET.fromstring(fetch(server.url(urlunsplit(("", "", parts.path, parts.query, "")))))
        for loc in urlset.findall("sm:url/sm:loc", namespace):
            parts = urlsplit(loc.text.strip())
            paths.append(urlunsplit(("", "", parts.path, parts.query, "")))
    return paths


def ranking_of(paths, seed):
    rest = sorted(set(paths) - set(HEAD))
    random.Random(seed).shuffle(rest)
    return HEAD + rest


# wrk ------------------------------------------------------------------------------------------------------


class Ticker:
    """Says every few seconds how far a long step has gone."""

    def __init__(self, label, duration, extra=lambda: ""):
        self.label, self.duration, self.extra = label, duration, extra
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        started = time.monotonic()
        every = 10 if self.duration >= 30 else 5
        while not self.stopped.wait(every):
            elapsed = time.monotonic() - started
            if elapsed < self.duration:
                log(f"{self.label}: {elapsed:.0f} s / {self.duration} s{self.extra()}")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()


def drive(server, lines, duration, workdir, label, threads=2, connections=16, extra=lambda: "", repeat=False):
    """One wrk run over `lines`; wrk's figures plus the Lua script's counts, per thread and merged.

    `repeat`: the lines are meant to be taken again and again (the trivial view's one URL)."""
    stream_file = workdir / "stream.txt"
    stream_file.write_text("\n".join(lines) + "\n")
    started = time.time()
    with Ticker(label, duration, extra):
        output = wrk_output(server.url("/"), duration, threads, connections, script=LUA,
                            script_args=(stream_file, threads))
    finished = time.time()
    figures = wrk_figures(output, label)
    per_thread = json.loads(re.search(r"^TRAFFIC (.*)$", output, re.M)[1])
    merged = {"statuses": {}, "page_cache": {}, "per_second": {}, "hits_per_second": {}}
    for thread in per_thread:
        for key, counts in merged.items():
            for name, n in thread[key].items():
                counts[name] = counts.get(name, 0) + n
    hits, misses = merged["page_cache"].get("hit", 0), merged["page_cache"].get("miss", 0)
    wraps = sum(thread["wraps"] for thread in per_thread)
    if wraps and not repeat:
        log(f"warning: {label}: wrk came to the end of the stream it was given {wraps} time(s) and started it again")
    figures.update(
        merged,
        started=started,
        finished=finished,
        sent=[thread["sent"] for thread in per_thread],
        wraps=wraps,
        hit_ratio=hits / (hits + misses) if hits + misses else None,
    )
    return figures


def trivial(server, duration, workdir, label):
    server.wait_until_idle()
    run = drive(server, ["/bench/trivial"] * 2, duration, workdir, label, repeat=True)
    log(f"{label}: {run['rps']:,.0f} req/s")
    return run


# Writers: readers' comments and an editor's saves ---------------------------------------------------------


class CommentForm(html.parser.HTMLParser):
    """The fields of the page's comment form, with the values the page gave them."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("action") or "").split("#")[0].endswith("/comments/post/"):
            self.inside = True
        elif self.inside and tag == "input" and attrs.get("name") and attrs.get("type") not in ("checkbox", "submit"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self.inside and tag == "textarea" and attrs.get("name"):
            self.fields[attrs["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def reader_address(n):
    """The n-th reader's own loopback address (Linux answers all of 127/8): 127.1.0.1, 127.1.0.2, …"""
    return f"127.{1 + n // 65025 % 254}.{n // 255 % 255}.{1 + n % 255}"


def http_request(port, address, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=300, source_address=(address, 0))
    try:
        connection.request(method, path, body=body, headers={"User-Agent": "bench/traffic.py", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def outcome_of(status, location):
    """What the redirect after a post says became of the comment."""
    if status != 302:
        return f"refused ({status})"
    if "unapproved=" in location:
        return "held"
    if location.endswith("#comments"):
        return "spam"
    if "#comment-" in location:
        return "approved"
    return f"redirected to {location}"


class Commenters:
    """Readers posting comments through the page's form, about `rate` a second, each from its own address.

    Each reader loads the page (its form carries the CSRF token and the signed time it was served) before
    the phase starts, as a reader writes for a while before sending; the posts themselves are then sent on
    time, one every 1/rate seconds, all inside the measured phase.
    """

    def __init__(self, port, stream, returning_emails, seed, run_id):
        self.port = port
        self.stream = stream
        self.returning_emails = returning_emails
        self.rng = random.Random(seed)
        self.run_id = run_id
        self.count = 0
        self.records = []
        self.lock = threading.Lock()
        self.threads = []

    def load_forms(self, phase, count):
        """`count` readers each with the page they comment on loaded: their comments to post."""
        readers = []
        for _ in range(count):
            kind = self.rng.choices(list(COMMENT_KINDS), weights=COMMENT_KINDS.values())[0]
            n, self.count = self.count, self.count + 1
            readers.append({
                "phase": phase, "n": n, "kind": kind, "address": reader_address(n),
                "path": self.stream.pick(self.rng, r"/|/(osts|shows|groups)/[^/?]+/"),
                "email": self.rng.choice(self.returning_emails) if kind == "returning" else f"{kind}{n}@{COMMENTER_DOMAIN}",
                "remark": self.rng.choice(REMARKS),
            })
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(self.load_form, readers))

    def load_form(self, reader):
        reader["get_at"] = time.time()
        try:
            status, headers, body = http_request(self.port, reader["address"], "GET", reader["path"])
        except (OSError, http.client.HTTPException) as error:
            reader["form_error"] = f"{type(error).__name__}: {error}"
            return reader
        reader["served"] = time.time()
        form = CommentForm()
        form.feed(body.decode())
        if status != 200 or "timestamp" not in form.fields:
            reader["form_error"] = f"no form ({status})"
            return reader
        cookies = http.cookies.SimpleCookie()
        for header in headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        reader["cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
        n, kind = reader["n"], reader["kind"]
        reader["fields"] = {
            **form.fields,
            "author_name": f"{kind.title()} reader {n}",
            "author_email": reader["email"],
            "author_url": "",
            "body": f"{reader['remark']} [bench {self.run_id}-{n}]",
            "comment_hp": f"Cheap followers at https://spam.example/{n}" if kind == "spam" else "",
        }
        return reader

    def run(self, readers, start, rate):
        """Post the readers' comments one every 1/rate seconds from `start` (each in its own thread, as a
        slow answer to one must not hold up the next)."""
        for i, reader in enumerate(readers):
            at = max(start + 0.5 + i / rate, reader.get("served", 0) + MIN_FORM_AGE + 0.3)
            time.sleep(max(0.0, at - time.time()))
            thread = threading.Thread(target=self.post, args=(reader,))
            thread.start()
            self.threads.append(thread)

    def wait(self):
        for thread in self.threads:
            thread.join()
        self.threads = []

    def post(self, reader):
        record = {key: reader[key] for key in ("phase", "n", "kind", "path", "address", "get_at")}
        record["posted_at"] = time.time()
        try:
            if "form_error" in reader:
                record.update(status=None, outcome=reader["form_error"])
                return
            status, headers, _ = http_request(
                self.port, reader["address"], "POST", "/comments/post/", body=urlencode(reader["fields"]),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": reader["cookie"]},
            )
            record.update(status=status, location=headers.get("Location", ""))
            record["outcome"] = outcome_of(status, record["location"])
        except (OSError, http.client.HTTPException) as error:
            record.update(status=None, outcome=f"{type(error).__name__}: {error}")
        finally:
            record["at"] = time.time()
            with self.lock:
                self.records.append(record)


class Editor:
    """An editor saving OSTs through the ORM, in a long-running process with the site's environment."""

    def __init__(self, env, stream, seed):
        self.process = subprocess.Popen(
            [*SITE_HELPER, "editor"], cwd=BASE_DIR, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("the editor process did not start")
        self.stream = stream
        self.rng = random.Random(seed)
        self.records = []

    def save(self, phase):
        path = self.stream.pick(self.rng, r"/osts/[^/?]+/")
        self.process.stdin.write(unquote(path.split("/")[2]) + "\n")
        self.process.stdin.flush()
        record = json.loads(self.process.stdout.readline())
        record.update(at=time.time(), path=path, phase=phase)
        self.records.append(record)
        return record

    def run(self, phase, start, end, interval):
        """Save now and then: first a third of the way in (at most one interval), then every interval."""
        at = start + min((end - start) / 3, interval[0])
        while at < end - 1:
            time.sleep(max(0.0, at - time.time()))
            self.save(phase)
            at += self.rng.uniform(*interval)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


# One set-up and size --------------------------------------------------------------------------------------


def postgres(url, *statements):
    """Run SQL statements outside a transaction (CREATE and DROP DATABASE) on the server of `url`."""
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as connection:\n"
        "    for statement in sys.argv[2:]:\n"
        "        connection.execute(statement)\n"
    )
    subprocess.run([PYTHON, "-c", code, url, *statements], check=True)


def fresh_postgres_database(url, name):
    """A new, empty database `name` on the server of `url`; returns its URL."""
    postgres(url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def redis_cli(url, *args):
    return subprocess.run(["redis-cli", "-u", url, *args], check=True, capture_output=True, text=True).stdout


def cache_bytes(env):
    if "REDIS_URL" in env:
        return int(re.search(r"^used_memory:(\d+)", redis_cli(env["REDIS_URL"], "info", "memory"), re.M)[1])
    return sum(path.stat().st_size for path in Path(env["CACHE_DIR"]).rglob("*") if path.is_file())


def bench_size(setup, size, args, workdir):
    label = f"[{setup} {size:,}]"
    sizedir = workdir / f"{setup}-{size}"
    sizedir.mkdir(parents=True, exist_ok=True)
    extra = {
        # The lead's shared default cache keeps its files here; a fresh directory, so each run starts empty.
        "CACHE_DIR": str(sizedir / "cache"),
    }
    if setup == "postgres-redis":
        database_url = fresh_postgres_database(os.environ["DATABASE_URL"], f"ostsite_traffic_{size}")
        extra["REDIS_URL"] = os.environ["REDIS_URL"]
        redis_cli(extra["REDIS_URL"], "flushdb")
    else:
        database_url = f"sqlite:///{sizedir / 'db.sqlite3'}"
    Path(extra["CACHE_DIR"]).mkdir()
    env = site_env(database_url, workdir / "static", **extra)
    result = {"setup": setup, "size": size, "seeding": seed_database(env, label, size, args.seed)}
    manage(env, "collectstatic", "--noinput", "-v0")
    log(f"{label} listing list pages (filters counted with the site's filter sets)")
    prepared = json.loads(subprocess.run(
        [*SITE_HELPER, "prepare", "--seed", str(args.seed)], cwd=BASE_DIR, env=env, check=True,
        capture_output=True, text=True,
    ).stdout)
    result.update(database=prepared["database"], counts=prepared["counts"])
    if "REDIS_URL" in env:
        result["redis"] = re.search(r"^redis_version:(\S+)", redis_cli(env["REDIS_URL"], "info", "server"), re.M)[1]

    port = free_port(args.port)
    log(f"{label} gunicorn ({args.workers} workers) on {HOST}:{port}")
    server = Gunicorn(env, port, args.workers)
    editor = None
    try:
        log(f"{label} reading sitemap.xml")
        sitemap = sitemap_paths(server)
        ranking = ranking_of([*sitemap, *prepared["list_pages"]], args.seed)
        result["population"] = {"sitemap": len(sitemap), "list_pages": len(prepared["list_pages"]),
                                "urls": len(ranking)}
        log(f"{label} {len(ranking):,} URLs: {len(sitemap):,} from the sitemap, "
            f"{len(prepared['list_pages']):,} list pages")
        stream = Stream(ranking, args.seed, args.zipf)
        editor = Editor(env, stream, args.seed)
        commenters = Commenters(port, stream, prepared["returning_emails"], args.seed, f"{setup}-{size}")

        result["trivial_before"] = trivial(server, args.trivial, sizedir, f"{label} trivial view, before")
        # Enough lines that wrk never runs out, even at the trivial view's speed.
        def lines_for(duration):
            return stream.take(int(result["trivial_before"]["rps"] * duration * 1.3) + 1000)

        server.wait_until_idle()
        lines = lines_for(args.warm)
        warm = drive(server, lines, args.warm, sizedir, f"{label} warm-up")
        warm.update(stream.consume(lines, warm["sent"], 2))
        result["warm"] = warm
        log(f"{label} warm-up: {warm['requests_sent']:,} requests, {warm['rps']:,.0f} req/s, "
            f"page-cache hits {percent(warm['hit_ratio'])}")

        result["phases"] = []
        for name, title in PHASES.items():
            readers = []
            if name in ("b", "c"):
                server.wait_until_idle()
                count = int((args.duration - 1) * args.comment_rate)
                log(f"{label} phase {name}: {count} readers load the page they will comment on")
                readers = commenters.load_forms(name, count)
            server.wait_until_idle()
            # The first comments go out half a second in: their forms must be old enough by then.
            served = [reader["served"] for reader in readers if "served" in reader]
            time.sleep(max(0.0, max(served, default=0) + MIN_FORM_AGE + 0.3 - 0.8 - time.time()))
            lines = lines_for(args.duration)
            writers = []
            start = time.time() + 0.3
            end = start + args.duration
            comments_before = len(commenters.records)
            if readers:
                writers.append(threading.Thread(target=commenters.run, args=(readers, start, args.comment_rate)))
            if name == "c":
                writers.append(threading.Thread(target=editor.run, args=(name, start, end, args.editor_interval)))
            for writer in writers:
                writer.start()
            run = drive(
                server, lines, args.duration, sizedir, f"{label} phase {name}",
                extra=lambda: f" ({len(commenters.records) - comments_before} comments posted)" if name != "a" else "",
            )
            for writer in writers:
                writer.join()
            commenters.wait()
            run.update(stream.consume(lines, run["sent"], 2))
            run.update(name=name, title=title, rss=server.worker_rss_mb(), cache_bytes=cache_bytes(env),
                       load=os.getloadavg()[0])
            result["phases"].append(run)
            log(f"{label} phase {name} ({title}): {run['rps']:,.0f} req/s "
                f"({run['rps'] / result['trivial_before']['rps']:.3f}× trivial), page-cache hits "
                f"{percent(run['hit_ratio'])}, seen before {percent(run['seen_before'])}, "
                f"p50 {ms(run['p50'])} ms, p99 {ms(run['p99'])} ms")

        result["trivial_after"] = trivial(server, args.trivial, sizedir, f"{label} trivial view, after")
        result["comments"] = sorted(commenters.records, key=lambda record: record["n"])
        result["saves"] = editor.records
        stored = json.loads(subprocess.run(
            [*SITE_HELPER, "tally", f"{setup}-{size}"], cwd=BASE_DIR, env=env, check=True,
            capture_output=True, text=True,
        ).stdout)
        for record in result["comments"]:
            record["stored"] = stored.get(str(record["n"]))
        result["rss"] = server.worker_rss_mb()
    finally:
        if editor:
            editor.close()
        server.stop()
        if setup == "postgres-redis":
            postgres(os.environ["DATABASE_URL"], f"DROP DATABASE IF EXISTS ostsite_traffic_{size}")
    return result


# Report ---------------------------------------------------------------------------------------------------


def percent(value):
    return "n/a" if value is None else f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.1%}"


def megabytes(n):
    if n == 0:
        return "0"
    return f"{n / 1e6:,.1f} MB" if n < 1e9 else f"{n / 1e9:,.2f} GB"


def trivial_rps(result):
    return (result["trivial_before"]["rps"] + result["trivial_after"]["rps"]) / 2


def phase_writes(result, phase):
    comments = [c for c in result["comments"] if c["phase"] == phase["name"]]
    saves = [s for s in result["saves"] if s["phase"] == phase["name"]]
    cells = []
    if comments:
        outcomes = {}
        for comment in comments:
            outcomes[comment["outcome"]] = outcomes.get(comment["outcome"], 0) + 1
        detail = ", ".join(f"{n} {name}" for name, n in sorted(outcomes.items()))
        cells.append(f"{len(comments)} comments ({detail})")
    if saves:
        cells.append(f"{len(saves)} OST save{'s' if len(saves) > 1 else ''}")
    return "; ".join(cells) or "none"


def table(saved):
    lines = [
        "| Set-up | OSTs | Phase | req/s | × trivial | page-cache hits | seen before | p50 ms | p99 ms | errors "
        "| writes | workers' RSS (max) | cache size |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for run in saved:
        for result in run["results"]:
            for phase in result["phases"]:
                lines.append(
                    f"| {SETUPS[result['setup']]} | {result['size']:,} | {phase['name']}: {phase['title']} "
                    f"| {per_second(phase['rps'])} | {phase['rps'] / trivial_rps(result):.3f} "
                    f"| {percent(phase['hit_ratio'])} | {percent(phase['seen_before'])} "
                    f"| {ms(phase['p50'])} | {ms(phase['p99'])} | {phase['errors']} "
                    f"| {phase_writes(result, phase)} | {max(phase['rss']['workers']):.0f} MB "
                    f"| {megabytes(phase['cache_bytes'])} |"
                )
    return lines


def notes(run):
    info, options = run["machine"], run["options"]
    lines = [
        f"**{SETUPS[run['setup']]}** ({run['results'][0]['database']}"
        + (f", Redis {run['results'][0]['redis']}" if run["results"][0].get("redis") else "")
        + f"): run {info['date']} on {info['cpu']}, {info['nproc']} cores shared by wrk and gunicorn, load "
        f"average {info['load']} at the start; Python {info['python']}, Django {info['django']}, gunicorn "
        f"{info['gunicorn']}, wrk {info['wrk']}. Options: `--sizes {' '.join(map(str, options['sizes']))} "
        f"--duration {options['duration']} --warm {options['warm']} --trivial {options['trivial']}` "
        f"(seed {options['seed']}, Zipf s = {options['zipf']}, {options['workers']} workers).",
        "",
    ]
    for result in run["results"]:
        population = result["population"]
        warm = result["warm"]
        mismatched = [c for c in result["comments"] if c["outcome"] != EXPECTED[c["kind"]]]
        headers = {}
        for phase in result["phases"]:
            for value, n in phase["page_cache"].items():
                headers[value] = headers.get(value, 0) + n
        lines.append(
            f"- {result['size']:,} OSTs: {population['urls']:,} URLs ({population['sitemap']:,} from the sitemap, "
            f"{population['list_pages']:,} list pages); seeding {result['seeding']['seconds']:.0f} s; trivial view "
            f"{result['trivial_before']['rps']:,.0f} req/s before and {result['trivial_after']['rps']:,.0f} after; "
            f"warm-up {warm['requests_sent']:,} requests at {warm['rps']:,.0f} req/s, page-cache hits "
            f"{percent(warm['hit_ratio'])}; `X-Page-Cache` in the phases: "
            f"{', '.join(f'{value} {n:,}' for value, n in sorted(headers.items()))}; "
            f"comments with an unexpected outcome: {len(mismatched)}; comments "
            f"stored as posted: {sum(1 for c in result['comments'] if c.get('stored'))} of "
            f"{sum(1 for c in result['comments'] if c.get('status') == 302)} accepted"
            + ("; load average (1 min) after each phase: "
               + ", ".join(format(phase["load"], ".1f") for phase in result["phases"])
               if all("load" in phase for phase in result["phases"]) else "")
            + "."
        )
    if run["setup"] == "embedded" and not any(p["cache_bytes"] for r in run["results"] for p in r["phases"]):
        lines.append("- The cache directory stayed empty: this default cache lives in each worker's memory.")
    return lines


def section(saved, charts):
    lines = [
        TRAFFIC_BEGIN,
        "## Realistic traffic: readers over the whole site",
        "",
        "Written by `bench/traffic.py` (see `bench/README.md`) from `docs/benchmarks/traffic-*.json`; rerun it",
        "rather than editing this section. Readers request every page the sitemap lists and the list pages",
        "(page numbers, linked filters, searches, filter-form submissions) with Zipf-like popularity (s ≈ 1)",
        "over a shuffled ranking; `wrk -t2 -c16` takes a seeded stream of requests in order. The first part",
        "of the stream warms the site; then each phase is measured for the same time: (a) browsing only,",
        "(b) while comments arrive at about one a second through the real form (half new readers, held for",
        "moderation; 30% returning readers, approved at once; 20% spam with the honeypot filled in), (c) as",
        "(b) plus an editor saving an OST every 20–30 s through the ORM.",
        "",
        "\"× trivial\" is the phase's requests/s ÷ the trivial view's (a plain `HttpResponse`, measured through",
        "the same wrk script just before and after; their mean). \"page-cache hits\" is hit ÷ (hit + miss) of",
        "the `X-Page-Cache` response headers; \"seen before\" the share of the phase's requests for a URL",
        "already requested earlier in the stream. p50 and p99 are wrk's, under 16 connections. Errors are",
        "non-2xx responses and socket errors. Workers' RSS is the largest gunicorn worker's VmRSS after the",
        "phase; cache size is the cache directory on disk (default cache) or Redis's `used_memory`.",
        "",
    ]
    lines += table(saved)
    lines.append("")
    for run in saved:
        lines += notes(run)
        lines.append("")
    lines += ["### Throughput over time", ""]
    lines += ["Requests answered per second in the measured phases (the line), of them page-cache hits (the lighter",
              "line), comments posted (marks along the bottom, by outcome) and editor saves (dashed lines).", ""]
    for (setup, size), chart in charts:
        lines += [f"![Throughput over time, {SETUPS[setup]}, {size:,} OSTs]({chart})", ""]
    lines += [
        "The sections below, from `bench/run.py`, request one URL over and over: secondary figures, for",
        "comparing pages with each other, not for how fast the site is for readers.",
        TRAFFIC_END,
    ]
    return "\n".join(lines)


# Chart ----------------------------------------------------------------------------------------------------

OUTCOME_COLOURS = {"held": "#d97706", "approved": "#15803d", "spam": "#b91c1c"}


def chart(result):
    """Throughput per second over the measured phases, with the writes marked, as an SVG document."""
    width, height = 960, 360
    left, right, top, bottom = 64, 24, 40, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    origin = result["phases"][0]["started"]
    # Posts sent near a phase's end may be answered after it: the time axis reaches them too.
    writes = [record["at"] for record in (*result["comments"], *result["saves"])]
    span = max(phase["finished"] for phase in result["phases"]) - origin
    span = max([span, *(at + 1 - origin for at in writes)])
    series = []  # (phase, [(offset, answered, hits)])
    peak = 1
    for phase in result["phases"]:
        # Whole seconds only: the first and last ones of a run are partly outside it.
        first, last = int(phase["started"]) + 1, int(phase["finished"])
        points = [(second + 0.5 - origin, phase["per_second"].get(str(second), 0),
                   phase["hits_per_second"].get(str(second), 0)) for second in range(first, last)]
        series.append((phase, points))
        peak = max([peak, *(answered for _, answered, _ in points)])
    y_top = nice_ceiling(peak * 1.1)

    def x(offset):
        return left + plot_w * offset / span

    def y(value):
        return top + plot_h * (1 - value / y_top)

    title = f"Throughput over time, {SETUPS[result['setup']]}, {result['size']:,} OSTs"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="title desc" font-family="sans-serif" font-size="12">',
        f'<title id="title">{title}</title>',
        f'<desc id="desc">Requests answered per second during phases a (browsing), b (comments arriving) and c '
        f'(comments and editor saves); comment posts and saves are marked. Written by bench/traffic.py.</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">{title}</text>',
    ]
    for i, (phase, _points) in enumerate(series):
        x0, x1 = x(phase["started"] - origin), x(phase["finished"] - origin)
        out.append(f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" height="{plot_h}" '
                   f'fill="{"#f3f4f6" if i % 2 == 0 else "#e5e7eb"}"/>')
        out.append(f'<text x="{x0 + 4:.1f}" y="{top + 14}" fill="#374151">{phase["name"]}: {phase["title"]}</text>')
    for i in range(6):
        value = y_top * i / 5
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#d1d5db"/>')
        out.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:,.0f}</text>')
    step = nice_ceiling(span / 10)
    tick = 0
    while tick <= span:
        out.append(f'<text x="{x(tick):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{tick:.0f}</text>')
        tick += step
    out.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 32}" text-anchor="middle">seconds</text>')
    out.append(f'<text x="16" y="{top + plot_h / 2}" text-anchor="middle" '
               f'transform="rotate(-90 16 {top + plot_h / 2})">requests/s</text>')
    for _phase, points in series:
        if points:
            answered = " ".join(f"{x(t):.1f},{y(n):.1f}" for t, n, _ in points)
            hits = " ".join(f"{x(t):.1f},{y(h):.1f}" for t, _, h in points)
            out.append(f'<polyline points="{hits}" fill="none" stroke="#93c5fd" stroke-width="1.5"/>')
            out.append(f'<polyline points="{answered}" fill="none" stroke="#1d4ed8" stroke-width="2"/>')
    for save in result["saves"]:
        xs = x(save["at"] - origin)
        out.append(f'<line x1="{xs:.1f}" x2="{xs:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#7c3aed" '
                   f'stroke-dasharray="4 3" stroke-width="1.5"><title>editor saved {save["path"]}</title></line>')
    base = top + plot_h - 2
    for comment in result["comments"]:
        if "at" not in comment:
            continue
        xc = x(comment["at"] - origin)
        colour = OUTCOME_COLOURS.get(comment["outcome"], "#000000")
        out.append(f'<path d="M{xc:.1f},{base - 9:.1f} l-4,8 h8 z" fill="{colour}"><title>{comment["kind"]} '
                   f'reader: {comment["outcome"]}</title></path>')
    legend = [("line", "#1d4ed8", "requests/s"), ("line", "#93c5fd", "page-cache hits/s"),
              *(("mark", colour, f"comment {name}") for name, colour in OUTCOME_COLOURS.items()),
              ("dash", "#7c3aed", "editor save")]
    lx = left
    ly = height - 14
    for kind, colour, text in legend:
        if kind == "mark":
            out.append(f'<path d="M{lx + 8},{ly - 9} l-4,8 h8 z" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="4 3"' if kind == "dash" else ""
            out.append(f'<line x1="{lx}" x2="{lx + 16}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" '
                       f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 22}" y="{ly}">{text}</text>')
        lx += 34 + 7 * len(text)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def nice_ceiling(value):
    """The smallest 1, 2 or 5 × 10^n at or above `value`."""
    magnitude = 10 ** max(0, len(str(int(max(value, 1)))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= value:
            return factor * magnitude
    return 10 * magnitude


def render(args):
    """Charts and the report section from every set-up's saved figures."""
    results_dir = Path(args.results_dir)
    saved = [json.loads(path.read_text()) for setup in SETUPS
             if (path := results_dir / f"traffic-{setup}.json").exists()]
    if not saved:
        raise SystemExit(f"no figures in {results_dir}: run the benchmark first")
    charts = []
    output = Path(args.output) if args.output != "-" else None
    for run in saved:
        for result in run["results"]:
            path = results_dir / f"traffic-{result['setup']}-{result['size']}.svg"
            path.write_text(chart(result))
            charts.append(((result["setup"], result["size"]),
                           os.path.relpath(path, output.parent) if output else str(path)))
    text = section(saved, charts)
    if output is None:
        print(text)
    else:
        output.write_text(benchmarks_document(output, traffic=text))
        log(f"wrote {output} and {len(charts)} chart(s) in {results_dir}")


# Main -----------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", choices=[*SETUPS, "both"], default="both",
                        help="embedded (SQLite, default cache), postgres-redis (needs DATABASE_URL and REDIS_URL), "
                             "or both (the second under scripts/with-postgres scripts/with-redis)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000], help="catalogue sizes, in OSTs")
    parser.add_argument("--duration", type=int, default=30, help="seconds of each measured phase")
    parser.add_argument("--warm", type=int, help="seconds of warm-up (default: 1.5 × --duration)")
    parser.add_argument("--trivial", type=int, help="seconds of each trivial-view run (default: 10, at most --duration)")
    parser.add_argument("--comment-rate", type=float, default=1.0, help="comments a second in phases b and c")
    parser.add_argument("--editor-interval", type=float, nargs=2, default=[20, 30], metavar=("MIN", "MAX"),
                        help="seconds between the editor's saves in phase c")
    parser.add_argument("--zipf", type=float, default=1.0, help="popularity exponent s: weight 1/rank^s")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765, help="first port to try")
    parser.add_argument("--seed", type=int, default=1, help="seed of the data, the ranking and the stream")
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "benchmarks.md"), help="report path, or -")
    parser.add_argument("--results-dir", default=str(BASE_DIR / "docs" / "benchmarks"),
                        help="where the figures (traffic-<setup>.json) and charts go")
    parser.add_argument("--render", action="store_true", help="only rewrite the report and charts from saved figures")
    parser.add_argument("--workdir", help="where databases and the cache directory go (default: a temporary one)")
    args = parser.parse_args()
    args.warm = args.warm or round(1.5 * args.duration)
    args.trivial = args.trivial or min(10, args.duration)
    Path(args.results_dir).mkdir(parents=True, exist_ok=True)
    if args.render:
        render(args)
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    setups = ["embedded", "postgres-redis"] if args.setup == "both" else [args.setup]
    if "embedded" in setups:
        bench_setup("embedded", args)
    if "postgres-redis" in setups:
        if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
            bench_setup("postgres-redis", args)
        elif args.setup == "both":
            # Once more, under throw-away servers that export DATABASE_URL and REDIS_URL.
            argv = [arg for arg in sys.argv[1:]]
            while "--setup" in argv:
                del argv[argv.index("--setup"):argv.index("--setup") + 2]
            subprocess.run([str(BASE_DIR / "scripts" / "with-postgres"), str(BASE_DIR / "scripts" / "with-redis"),
                            sys.executable, __file__, "--setup", "postgres-redis", *argv], check=True)
            return
        else:
            raise SystemExit("--setup postgres-redis needs DATABASE_URL and REDIS_URL: run it under "
                             "scripts/with-postgres scripts/with-redis")
    render(args)


def bench_setup(setup, args):
    info = machine()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="ostsite-traffic-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        results = [bench_size(setup, size, args, workdir) for size in args.sizes]
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    options = {key: getattr(args, key) for key in ("sizes", "duration", "warm", "trivial", "comment_rate",
                                                  "editor_interval", "zipf", "workers", "seed")}
    path = Path(args.results_dir) / f"traffic-{setup}.json"
    path.write_text(json.dumps({"setup": setup, "machine": info, "options": options, "results": results}, indent=1))
    log(f"wrote {path}")


if __name__ == "__main__":
    main()
