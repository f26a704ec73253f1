"""Benchmark the site under gunicorn at two catalogue sizes and write docs/benchmarks.md.

    .venv/bin/python bench/run.py                    # 1,000 and 100,000 OSTs, about 15 minutes
    .venv/bin/python bench/run.py --sizes 1000 --duration 3 --output -   # a quick check, table to stdout

For each size it builds a fresh SQLite database (migrate, then `seed_synthetic --osts N`, timed, with its
peak RSS), runs collectstatic, and starts gunicorn (DEBUG=0, bound to 127.0.0.1 only). Each page is warmed
up, then driven with `wrk -t2 -c16 -d10s --latency`; requests/s, p50 and p99 come from wrk's report. The
same pages are then measured "cold": gunicorn restarted with PAGE_CACHE_SECONDS=0, so every request renders
the page (the pieces cached below it, OST cards and filter counts, still work), plus the time of the very
first request to each page after the restart, when every cache is empty. SQL queries per page are counted
in-process by bench/pages.py with Django's test Client against the same database.

Needs: wrk (`apt-get install -y wrk`) and the project's virtualenv. The machine's cores are shared by wrk
and gunicorn, so compare pages by their ratio to the trivial view measured in the same run, not by
absolute requests/s.

Options: --sizes N [N...]  --duration SECONDS  --workers N  --port N  --seed N  --output PATH|-  --json PATH
         --from-json PATH (rewrite the report from saved figures, measuring nothing)
         --workdir DIR (where databases go; default a temporary directory, deleted afterwards)
         --reuse (keep databases in --workdir and reuse them: no seeding figures then).
"""

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
HOST = "127.0.0.1"


# Helpers ------------------------------------------------------------------------------------------------


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port(start):
    for port in range(start, start + 100):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {start}-{start + 99}")


def site_env(database_url, static_root, **extra):
    """The environment of a production-like site on plain HTTP at 127.0.0.1."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CACHE_DIR"}}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        # gunicorn speaks plain HTTP here: no redirect to https, cookies usable without TLS.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(static_root),
        CACHE_DIR=str(Path(static_root).parent / "cache"),
        OSTSITE_BENCH="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    ).stdout


def manage_with_progress(env, label, *args):
    """Run a management command, passing each line it prints on to stderr as it comes; returns its output."""
    process = subprocess.Popen(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        log(f"{label} {line.strip()}")
    if process.wait():
        raise subprocess.CalledProcessError(process.returncode, ["manage.py", *args], "".join(lines))
    return "".join(lines)


def seed_database(env, label, size, seed):
    """migrate, then seed_synthetic with its progress shown; returns the seeding figures."""
    log(f"{label} migrate")
    manage(env, "migrate", "--noinput", "-v0")
    log(f"{label} seeding {size:,} OSTs")
    started = time.perf_counter()
    output = manage_with_progress(env, f"{label} seeding…", "seed_synthetic", "--osts", str(size), "--seed", str(seed))
    wall = time.perf_counter() - started
    match = re.search(r"in ([\d.]+) s; peak RSS (\d+) MB", output)
    return {"seconds": float(match[1]), "rss_mb": int(match[2]), "wall_seconds": wall, "output": output.strip()}


def build_database(workdir, size, seed, reuse):
    """A migrated, seeded SQLite file; returns its path and the seeding figures (None when reused)."""
    database = workdir / f"osts-{size}-seed{seed}.sqlite3"
    static_root = workdir / "static"
    env = site_env(f"sqlite:///{database}", static_root)
    if reuse and database.exists():
        log(f"[{size}] reusing {database}")
        return database, None
    for stale in workdir.glob(f"{database.name}*"):
        stale.unlink()
    return database, seed_database(env, f"[{size}]", size, seed)


# gunicorn -------------------------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, env, port, workers):
        self.port = port
        self.process = subprocess.Popen(
            [GUNICORN, "ostsite.wsgi", "--workers", str(workers), "--bind", f"{HOST}:{port}",
             "--log-level", "warning", "--timeout", "120"],
            cwd=BASE_DIR,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("gunicorn did not answer /healthz")
            time.sleep(0.2)

    def url(self, path):
        return f"http://{HOST}:{self.port}{path}"

    def worker_pids(self):
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.M):
                pids.append(int(status.parent.name))
        return pids

    def worker_rss_mb(self):
        """VmRSS of the master and of each worker, read from /proc."""
        return {
            "master": proc_rss_mb(self.process.pid),
            "workers": sorted(proc_rss_mb(pid) for pid in self.worker_pids()),
        }

    def wait_until_idle(self, timeout=300):
        """Wait until no worker uses CPU for half a second.

        Sync workers go on serving requests queued by a wrk run after wrk has hung up; a slow page can
        leave many seconds of them, which would otherwise be charged to the next page measured.
        """
        deadline = time.monotonic() + timeout
        before = cpu_ticks(self.worker_pids())
        while time.monotonic() < deadline:
            time.sleep(0.5)
            after = cpu_ticks(self.worker_pids())
            if after - before <= 2:
                return
            before = after
        log(f"warning: gunicorn still busy after {timeout} s")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def proc_rss_mb(pid):
    match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    return int(match[1]) / 1024


# wrk ------------------------------------------------------------------------------------------------------

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def to_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url, duration, threads=2, connections=16):
    """Requests/s, p50 and p99 in ms, and error counts from one bounded wrk run."""
    return wrk_figures(wrk_output(url, duration, threads, connections), url)


def wrk_output(url, duration, threads=2, connections=16, script=None, script_args=()):
    """wrk's report of one bounded run, with `script` (a Lua file) given `script_args` if any."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *map(str, script_args)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def wrk_figures(output, url):
    """Requests/s, p50 and p99 in ms, and error counts from wrk's report."""
    percentiles = dict(re.findall(r"^\s*(\d+)%\s+([\d.]+[a-z]+)\s*$", output, re.M))
    if not {"50", "99"} <= percentiles.keys():
        raise SystemExit(f"could not read wrk's report for {url}:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output)[1])
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        # No request finished within the run: wrk's percentiles are zeros then, not latencies.
        "p50": to_ms(percentiles["50"]) if requests else None,
        "p99": to_ms(percentiles["99"]) if requests else None,
        "requests": requests,
        "errors": (int(non_2xx[1]) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


def first_request_ms(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
    return (time.perf_counter() - started) * 1e3


# One size -------------------------------------------------------------------------------------------------


def bench_size(size, args, workdir):
    database, seeding = build_database(workdir, size, args.seed, args.reuse)
    static_root = workdir / "static"
    env = site_env(f"sqlite:///{database}", static_root)
    manage(env, "collectstatic", "--noinput", "-v0")
    pages = json.loads(subprocess.run(
        [PYTHON, "bench/pages.py"], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    ).stdout)
    for page in pages["pages"]:
        if page["status"] != 200:
            raise SystemExit(f"{page['url']} answered {page['status']} in-process")
    result = {"size": size, "seeding": seeding, "counts": pages["counts"], "pages": pages["pages"]}

    port = free_port(args.port)
    log(f"[{size}] gunicorn ({args.workers} workers) on {HOST}:{port}, page cache on")
    server = Gunicorn(env, port, args.workers)
    try:
        for page in result["pages"]:
            wrk(server.url(page["url"]), max(2, args.duration // 4))  # warm-up: fills every worker's cache
        drive(server, result, "warm", args.duration)
        result["rss"] = server.worker_rss_mb()
    finally:
        server.stop()

    log(f"[{size}] gunicorn restarted, page cache off")
    server = Gunicorn(site_env(f"sqlite:///{database}", static_root, PAGE_CACHE_SECONDS="0"), port, args.workers)
    try:
        for page in result["pages"]:
            page["first_ms"] = first_request_ms(server.url(page["url"]))
        drive(server, result, "cold", args.duration)
        result["rss_cold"] = server.worker_rss_mb()
    finally:
        server.stop()
    return result


def drive(server, result, mode, duration):
    """wrk each page; before each one, the trivial view again, so every ratio compares runs made
    under the same background load (the machine is shared)."""
    trivial_url = server.url(result["pages"][0]["url"])
    for page in result["pages"]:
        server.wait_until_idle()
        page[mode] = wrk(server.url(page["url"]), duration)
        server.wait_until_idle()
        if page is result["pages"][0]:
            page[mode]["trivial_rps"] = page[mode]["rps"]
        else:
            page[mode]["trivial_rps"] = wrk(trivial_url, max(2, duration // 2))["rps"]
        run = page[mode]
        log(f"[{result['size']}] {mode:4} {page['name']}: {run['rps']:,.1f} req/s, p50 {ms(run['p50'])} ms, "
            f"p99 {ms(run['p99'])} ms; trivial beside it {run['trivial_rps']:,.0f} req/s")


# Report ---------------------------------------------------------------------------------------------------


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    memory = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    versions = subprocess.run(
        [PYTHON, "-c", "import django, gunicorn, sqlite3; print(django.__version__, gunicorn.__version__, "
         "sqlite3.sqlite_version)"], check=True, capture_output=True, text=True,
    ).stdout.split()
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": model[1].strip() if model else platform.processor() or "unknown",
        "memory_gb": int(memory[1]) / 1024 / 1024,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "django": versions[0],
        "gunicorn": versions[1],
        "sqlite": versions[2],
        "wrk": wrk_version,
        "kernel": platform.release(),
    }


def ms(value):
    if value is None:
        return "—"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def per_second(value):
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def ratio(a, b):
    return f"{a / b:,.1f}" if a and b else "n/a"


def page_table(result, mode):
    lines = [
        "| Page | req/s | p50 ms | p99 ms | × trivial (req/s) | queries | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in result["pages"]:
        run = page[mode]
        queries = page["queries_hit"] if mode == "warm" else page["queries"]
        lines.append(
            f"| {page['name']} (`{page['url']}`) | {per_second(run['rps'])} | {ms(run['p50'])} | {ms(run['p99'])} "
            f"| {ratio(run['trivial_rps'], run['rps'])} | {queries} | {run['errors']} |"
        )
    trivial = [page[mode]["trivial_rps"] for page in result["pages"]]
    spread = f"{min(trivial):,.0f}–{max(trivial):,.0f}"
    lines += ["", f"The trivial view ran {len(trivial)} times in this mode: {spread} req/s."]
    return lines


def report(results, info, args):
    lines = [
        "# Benchmarks",
        "",
        "## Single URLs, one at a time",
        "",
        "Written by `bench/run.py` (see `bench/README.md`); rerun it rather than editing this section.",
        "",
        "### Machine",
        "",
        f"- Date: {info['date']}",
        f"- CPU: {info['cpu']}, {info['nproc']} cores (shared by wrk and gunicorn); memory {info['memory_gb']:.1f} GB",
        f"- Load average (1, 5, 15 min) when the run started: {info['load']}; the machine was shared with other work",
        f"- Python {info['python']}, Django {info['django']}, gunicorn {info['gunicorn']}, SQLite {info['sqlite']}, "
        f"wrk {info['wrk']}, Linux {info['kernel']}",
        f"- gunicorn: {args.workers} sync workers on 127.0.0.1, DEBUG=0, SQLite (WAL), local-memory cache per worker",
        f"- Load: `wrk -t2 -c16 -d{args.duration}s --latency` per page, after a warm-up run",
        "",
        "How to read it: absolute requests/s depend on the machine and on what else runs on it; the ratio to the",
        "trivial view (a plain `HttpResponse`, no database, no template) measured in the same run is the figure to",
        "compare. \"× trivial\" is trivial req/s ÷ page req/s, with the trivial view run again just before each",
        "page so that both saw the same background load, and before each run the script waits until gunicorn's",
        "workers are idle (sync workers finish the requests a slow run left queued). Errors are non-2xx",
        "responses plus socket errors (timeouts at 30 s). \"—\": no request finished within the run.",
        "",
        f"Latencies are under load: 16 connections share {args.workers} workers, so a request mostly waits for",
        f"others and p50 is about 16 ÷ {args.workers} ≈ {16 / args.workers:.0f} times the time one request takes "
        "alone. \"First request\" (cold tables)",
        "is one request on an idle server: the time a page takes alone (plus filling the empty caches).",
        "",
    ]
    for result in results:
        size = result["size"]
        counts = ", ".join(f"{n:,} {name}" for name, n in result["counts"].items())
        lines += [f"### {size:,} OSTs", "", f"Catalogue: {counts}.", ""]
        seeding = result["seeding"]
        if seeding:
            lines += [
                f"Seeding (`seed_synthetic --osts {size}`): {seeding['seconds']:.1f} s "
                f"({seeding['wall_seconds']:.1f} s with interpreter start-up), peak RSS {seeding['rss_mb']} MB.",
                "",
            ]
        lines += ["#### Warm: page cache on", "", "Queries: SQL queries of a request served from the page cache.", ""]
        lines += page_table(result, "warm")
        lines += [
            "",
            "#### Cold: page cache off (PAGE_CACHE_SECONDS=0)",
            "",
            "Every request runs its page's own queries and renders its page; the pieces cached below the page",
            "cache and shared by many pages (OST cards, the site-wide and each filter's match counts, the filter",
            "options, group lineups, a show's OST list, comment lists) are made by the first request and reused.",
            "A show page pages through its show's OST list, and a group page takes its OST count from the",
            "site-wide counts; the other queries of a page are its own. Queries: SQL",
            "queries of one such request; \"first request\" is the very first request to the page after gunicorn",
            "restarted (every cache empty), one sample, with the queries it made in-process.",
            "",
        ]
        lines += page_table(result, "cold")
        lines += ["", "| Page | first request ms | queries, empty caches | page bytes |"]
        lines += ["| --- | ---: | ---: | ---: |"]
        for page in result["pages"]:
            lines.append(f"| {page['name']} | {ms(page['first_ms'])} | {page['queries_cold']} | {page['bytes']:,} |")
        lines += ["", "gunicorn memory after the runs (VmRSS):", ""]
        for label, key in (("page cache on", "rss"), ("page cache off", "rss_cold")):
            workers = ", ".join(f"{mb:.0f}" for mb in result[key]["workers"])
            lines.append(f"- {label}: workers {workers} MB; master {result[key]['master']:.0f} MB")
        lines.append("")

    if len(results) >= 2:
        small, large = results[0], results[-1]
        lines += [
            f"### Scaling: p50 at {large['size']:,} OSTs ÷ p50 at {small['size']:,} OSTs",
            "",
            "The group and show pages are the largest of their catalogue, so they hold more OSTs at the larger size.",
            "",
            f"| Page | warm p50 {small['size']:,} | warm p50 {large['size']:,} | warm ratio "
            f"| cold p50 {small['size']:,} | cold p50 {large['size']:,} | cold ratio |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for a, b in zip(small["pages"], large["pages"]):
            name = re.sub(r" \(largest.*", " (largest)", a["name"])
            cells = [name]
            for mode in ("warm", "cold"):
                before, after = a[mode]["p50"], b[mode]["p50"]
                cells += [ms(before), ms(after), ratio(after, before)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000], help="catalogue sizes, in OSTs")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page and mode")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2-4 on two cores)")
    parser.add_argument("--port", type=int, default=8765, help="first port to try")
    parser.add_argument("--seed", type=int, default=1, help="seed_synthetic's --seed")
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "benchmarks.md"), help="report path, or -")
    parser.add_argument("--json", help="also write every figure as JSON to this path")
    parser.add_argument("--from-json", help="only rewrite the report from figures saved earlier with --json")
    parser.add_argument("--workdir", help="where the databases go (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true", help="reuse databases already in --workdir")
    args = parser.parse_args()
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        vars(args).update(saved.get("options", {}))
        write_report(report(saved["results"], saved["machine"], args), args)
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if args.reuse and not args.workdir:
        raise SystemExit("--reuse needs --workdir")

    info = machine()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="ostsite-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        results = [bench_size(size, args, workdir) for size in args.sizes]
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        options = {"workers": args.workers, "duration": args.duration}
        Path(args.json).write_text(json.dumps({"machine": info, "options": options, "results": results}, indent=2))
    write_report(report(results, info, args), args)


def write_report(text, args):
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(benchmarks_document(args.output, single=text))
        log(f"wrote {args.output}")


# docs/benchmarks.md holds bench/traffic.py's report (realistic traffic, the main figures) first, between these
# markers, then the hand-written A/B figures behind the speed decisions (kept as they are), then this script's
# report (one URL at a time). Each script rewrites only its own part.
TRAFFIC_BEGIN = "<!-- bench/traffic.py: begin -->"
TRAFFIC_END = "<!-- bench/traffic.py: end -->"
DECISIONS_BEGIN = "<!-- speed decisions: begin -->"
DECISIONS_END = "<!-- speed decisions: end -->"


def cut_section(text, begin, end):
    """(the marked section with its markers, or "", the text without it)."""
    if begin in text and end in text:
        start, stop = text.index(begin), text.index(end) + len(end)
        return text[start:stop], text[:start] + text[stop:]
    return "", text


def split_document(text):
    """(traffic section, decisions section, each with its markers or "", this script's report without the title)."""
    traffic, text = cut_section(text, TRAFFIC_BEGIN, TRAFFIC_END)
    decisions, text = cut_section(text, DECISIONS_BEGIN, DECISIONS_END)
    return traffic, decisions, re.sub(r"\A\s*# Benchmarks\s*", "", text).strip()


def benchmarks_document(path, traffic=None, single=None):
    """The whole of docs/benchmarks.md from its parts; a part not given is kept as the file has it."""
    path = Path(path)
    old_traffic, decisions, old_single = split_document(path.read_text() if path.exists() else "")
    traffic = old_traffic if traffic is None else traffic
    single = old_single if single is None else split_document(single)[2]
    parts = ["# Benchmarks", ""]
    for part in (traffic, decisions, single):
        if part:
            parts += [part, ""]
    return "\n".join(parts)

if __name__ == "__main__":
    main()
