"""Which cache backend for one machine: each candidate driven as the page cache drives it, by several processes.

    .venv/bin/python bench/cache_backends.py                  # the one-machine candidates
    scripts/with-redis .venv/bin/python bench/cache_backends.py   # and Redis (REDIS_URL)

Each of `--processes` worker processes (as gunicorn's workers) repeats what one request does: read the versions
(one get_many), read a page (~20 kB, as the OST pages are), and on a miss store it. The URLs follow a Zipf-like
popularity over `--pages` distinct pages, so the cache has to hold many entries and evict some: a bound of
`--max-mb` MB (diskcache's size_limit) or `--max-entries` entries (Django's file and local-memory caches), set
below what the pages need. Reported per backend: operations a second over all processes, median and p99 of one
request's cache time, and the hit ratio, which shows whether the processes share what they store.
"""

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def backends(directory, max_mb, max_entries):
    candidates = {
        "locmem (per process)": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        },
        "filebased": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(directory / "filebased"),
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        },
        "diskcache": {
            "BACKEND": "diskcache.DjangoCache",
            "LOCATION": str(directory / "diskcache"),
            "SHARDS": 4,
            "DATABASE_TIMEOUT": 0.05,
            "OPTIONS": {"size_limit": max_mb * 2**20},
        },
    }
    if os.environ.get("REDIS_URL"):
        candidates["redis"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    return candidates


def worker(config, pages, requests, seed, results):
    import django
    from django.conf import settings

    settings.configure(CACHES={"default": config})
    django.setup()
    from django.core.cache import cache

    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(pages)]
    urls = rng.choices(range(pages), weights=weights, k=requests)
    page = ("x" * 20_000).encode()
    versions = ["version:site", "version:page"]
    timings, hits = [], 0
    for url in urls:
        started = time.perf_counter()
        cache.get_many(versions)
        if cache.get(f"page:{url}") is None:
            cache.set(f"page:{url}", page, 3600)
        else:
            hits += 1
        timings.append(time.perf_counter() - started)
    results.put((timings, hits))


def measure(name, config, args):
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=worker, args=(config, args.pages, args.requests, seed, results))
        for seed in range(args.processes)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    collected = [results.get() for _ in processes]
    for process in processes:
        process.join()
    wall = time.perf_counter() - started
    timings = sorted(t for ts, _ in collected for t in ts)
    hits = sum(h for _, h in collected)
    total = len(timings)
    return {
        "name": name,
        "ops": total / wall,
        "p50_ms": statistics.median(timings) * 1000,
        "p99_ms": timings[int(total * 0.99)] * 1000,
        "hit_ratio": hits / total,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=8000, help="per process")
    parser.add_argument("--max-mb", type=int, default=40)
    parser.add_argument("--max-entries", type=int, default=2000)
    args = parser.parse_args()
    sys.path.insert(0, str(BASE_DIR))
    print(
        f"{args.processes} processes × {args.requests:,} requests, Zipf over {args.pages:,} pages of 20 kB; "
        f"bound {args.max_mb} MB / {args.max_entries:,} entries",
        file=sys.stderr,
    )
    print(f"| backend | requests/s (all processes) | p50 ms | p99 ms | hit ratio |\n| --- | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as directory:
        for name, config in backends(Path(directory), args.max_mb, args.max_entries).items():
            figures = measure(name, config, args)
            print(
                f"| {name} | {figures['ops']:,.0f} | {figures['p50_ms']:.3f} | {figures['p99_ms']:.3f} | "
                f"{figures['hit_ratio']:.0%} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
