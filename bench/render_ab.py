"""A/B of the uncached render: the same pages rendered by two versions of the code, on one database.

    .venv/bin/python bench/render_ab.py --db /tmp/bench/osts-100000.sqlite3 --a /work/ab-before --b .

A page nobody has asked for since the last change is rendered in full; in real traffic that is a quarter of
the requests, so this render sets the speed of the long tail. Each tree (a checkout of the code, e.g. a
`git worktree` of the commit before a change) runs in its own process with the page cache off and the
fragment caches (cards, counts, lineups) warm, as for any page the page cache has not seen yet. Rounds
alternate A, B, A, B…; the figure per page is the median over rounds of each round's median render time
(Django's test Client, in-process, no HTTP). Times are the process's CPU time, not wall-clock time: on a
shared 2-core machine, other work moves wall-clock times by more than the differences measured here, while
the CPU time a render takes (SQLite runs in-process, so its queries count) barely moves.

Prints one line per page: A ms, then B − A for each B tree (several --b trees are compared in one run). A trick that saves under 0.5 ms a page does not pay its way.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def worker(urls, reps):
    """Runs inside the tree under test: median render time of each URL, in ms."""
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    timings = {}
    for url in urls:
        for _ in range(3):  # warms the fragment caches and the template loader
            client.get(url)
        samples = []
        for _ in range(reps):
            started = time.process_time()
            response = client.get(url)
            samples.append((time.process_time() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        timings[url] = statistics.median(samples)
    return timings


def pick_urls():
    """Runs inside a tree: one URL of each page type, chosen from the data as bench/pages.py does."""
    import django

    django.setup()
    sys.path.insert(0, str(Path.cwd() / "bench"))
    from pages import pick_pages

    from catalog.models import Member

    pages = [(name, url) for name, url in pick_pages() if name not in ("trivial view", "/healthz")]
    member = Member.objects.order_by("pk").first()
    pages += [("member page", member.get_absolute_url()), ("group list", "/groups/"), ("show list", "/shows/")]
    return pages


def run_in(tree, db, *args):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "ostsite.settings",
        "PAGE_CACHE_SECONDS": "0",
        "OSTSITE_BENCH": "1",
        "PYTHONPATH": str(tree),
    }
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], cwd=tree, env=env, check=True,
        capture_output=True, text=True,
    ).stdout
    return json.loads(output)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="a seeded SQLite database (bench/run.py --workdir DIR --reuse keeps one)")
    parser.add_argument("--a", type=Path, help="the tree of version A")
    parser.add_argument("--b", type=Path, nargs="+", default=[BASE_DIR], help="the trees of versions B (default: this one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--pick", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.pick:
        json.dump(pick_urls(), sys.stdout)
        return
    if args.worker:
        json.dump(worker(json.loads(args.worker), args.reps), sys.stdout)
        return

    pages = run_in(args.a, args.db.resolve(), "--pick")
    urls = json.dumps([url for _name, url in pages])
    trees = {"A": args.a, **{f"B{i + 1}" if len(args.b) > 1 else "B": tree for i, tree in enumerate(args.b)}}
    rounds = {label: [] for label in trees}
    for number in range(args.rounds):
        for label, tree in trees.items():
            rounds[label].append(run_in(tree, args.db.resolve(), "--worker", urls, "--reps", str(args.reps)))
        print(f"round {number + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    for label, tree in trees.items():
        print(f"{label}: {tree}")
    others = [label for label in trees if label != "A"]
    print(f"{'page':44} {'A ms':>8}" + "".join(f" {label + ' - A':>8}" for label in others))
    for name, url in pages:
        a = statistics.median(r[url] for r in rounds["A"])
        diffs = "".join(f" {statistics.median(r[url] for r in rounds[label]) - a:+8.2f}" for label in others)
        print(f"{name[:44]:44} {a:8.2f}{diffs}")

if __name__ == "__main__":
    main()
