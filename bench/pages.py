"""Pick the pages bench/run.py drives, and count each page's SQL queries in-process.

    DATABASE_URL=sqlite:////tmp/bench/db.sqlite3 .venv/bin/python bench/pages.py

Prints JSON: the pages (name, URL, status, size, queries) and the catalogue's row counts. The choice of
pages is fixed by the data, so the same seed gives the same URLs. Query counts come from Django's test
Client against the same database as the server, outside gunicorn:
  queries         page cache off, fragment caches (the site-wide filter counts) already built;
  queries_cold    page cache off and every cache empty, as the first request after a deploy;
  queries_hit     the page served from the page cache.
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ostsite.settings")
os.environ.setdefault("OSTSITE_BENCH", "1")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from catalog.models import OST, Group, Member, Show  # noqa: E402
from comments.models import Comment  # noqa: E402

SEARCH = "moon"  # a word of many synthetic titles and show names


def pick_pages():
    """(name, URL) of each benchmarked page; the busiest group and show, a middling commented OST."""
    commented = (
        OST.objects.filter(sung_by_whole_group=False)
        .annotate(n=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED)))
        .filter(n__gt=0)
        .order_by("pk")
    )
    ost = commented[commented.count() // 2]
    group = Group.objects.annotate(n=Count("osts")).order_by("-n", "pk").first()
    show = Show.objects.annotate(n=Count("osts")).order_by("-n", "pk").first()
    return [
        ("trivial view", reverse("bench-trivial")),
        ("/healthz", reverse("healthz")),
        ("home", reverse("catalog:home")),
        ("OST list", reverse("catalog:ost-list")),
        ("OST list, filtered", reverse("catalog:ost-list") + "?" + urlencode({"type": "anime", "language": "ja"})),
        ("OST list, search", reverse("catalog:ost-list") + "?" + urlencode({"q": SEARCH})),
        ("OST page", ost.get_absolute_url()),
        (f"group page (largest, {group.n} OSTs)", group.get_absolute_url()),
        (f"show page (largest, {show.n} OSTs)", show.get_absolute_url()),
    ]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured.captured_queries)


def measure(name, url):
    client = Client(HTTP_HOST="127.0.0.1")
    cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=0):
        response, queries_cold = count_queries(client, url)
        _response, queries = count_queries(client, url)
    cache.clear()
    client.get(url)
    _response, queries_hit = count_queries(client, url)
    return {
        "name": name,
        "url": url,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": queries,
        "queries_cold": queries_cold,
        "queries_hit": queries_hit,
    }


def main():
    pages = [measure(name, url) for name, url in pick_pages()]
    counts = {
        "OSTs": OST.objects.count(),
        "groups": Group.objects.count(),
        "members": Member.objects.count(),
        "shows": Show.objects.count(),
        "comments": Comment.objects.count(),
    }
    json.dump({"pages": pages, "counts": counts}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
