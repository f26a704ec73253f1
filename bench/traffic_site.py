"""bench/traffic.py's hands inside the site: run in the same environment as gunicorn (DATABASE_URL and all).

    python bench/traffic_site.py prepare --seed 1     # returning readers' comments, list pages; JSON on stdout
    python bench/traffic_site.py editor               # saves the OST of each slug read on stdin, answers in JSON
    python bench/traffic_site.py tally RUN            # the status of each comment marked "[bench RUN-N]", JSON

`prepare` gives some readers an approved comment (so their next one is approved at once: "returning
readers"), and lists the list pages readers reach: /osts/, /groups/ and /shows/ with their page numbers,
the filters the site links to (a kind, a language, an agency…), searches from the header's search box, and
submissions of the filter form (every field sent, most empty, as a browser sends them). Filtered lists are
counted with the site's own filter sets, so no page number is past the end.

`editor` is an editor in the admin: each save goes through the ORM in this long-running process, so the
model's signals fire as they do for a save in the admin.
"""

import argparse
import json
import math
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ostsite.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.http import QueryDict  # noqa: E402

from catalog.filters import OSTFilter, ShowFilter  # noqa: E402
from catalog.models import OST, Agency, Group, Language, Network, Show  # noqa: E402
from comments.models import Comment  # noqa: E402

# Page sizes of the lists (catalog/views.py); a page past the end would be a 404 no reader asks for.
PER_PAGE = {"/osts/": 24, "/groups/": 60, "/shows/": 48}
RETURNING_READERS = 40
RETURNING_DOMAIN = "returning.example"


def pages(path, params, count, per_page, most):
    """The URLs of the first `most` pages of a list of `count` rows, as its pagination links write them."""
    last = min(most, max(1, math.ceil(count / per_page)))
    urls = []
    for page in range(1, last + 1):
        query = urlencode([*params, *([("page", page)] if page > 1 else [])])
        urls.append(f"{path}?{query}" if query else path)
    return urls


def filter_count(filterset_class, model, params, most):
    """How many rows the list shows with these parameters, counting no further than its first `most` rows."""
    filterset = filterset_class(QueryDict(urlencode(params)), queryset=model.objects.all())
    return filterset.qs.order_by()[:most].count()


def list_pages(rng):
    urls = []
    n_osts, n_groups, n_shows = OST.objects.count(), Group.objects.count(), Show.objects.count()
    scale = max(1, n_osts // 1000)
    # Plain lists: the navigation's links, then Next → as far as readers go.
    urls += pages("/osts/", [], n_osts, PER_PAGE["/osts/"], 100)
    urls += pages("/groups/", [], n_groups, PER_PAGE["/groups/"], 100)
    urls += pages("/shows/", [], n_shows, PER_PAGE["/shows/"], 100)

    # The filters the pages link to, with a single parameter. Counted by grouping, not one query each.
    def linked(path, name, counts, most=20):
        for value, n in counts:
            if value is not None and n:
                urls.extend(pages(path, [(name, value)], n, PER_PAGE[path], most))

    osts = OST.objects.order_by()
    linked("/osts/", "type", osts.values_list("show__kind").annotate(n=Count("pk")))
    linked("/osts/", "role", osts.values_list("placement").annotate(n=Count("pk")))
    linked("/osts/", "language", osts.values_list("languages__code").annotate(n=Count("pk", distinct=True)))
    linked("/osts/", "agency", osts.values_list("artist__agency__slug").annotate(n=Count("pk")), most=5)
    # Group pages link to the group's OSTs when they sang for more shows than the page names.
    big_groups = Group.objects.annotate(shows=Count("osts__show", distinct=True), n=Count("osts", distinct=True))
    linked("/osts/", "group", big_groups.filter(shows__gt=30).values_list("slug", "n"), most=5)
    shows = Show.objects.order_by()
    linked("/shows/", "type", shows.values_list("kind").annotate(n=Count("pk")))
    for network in Network.objects.all():
        n = Show.objects.filter(Q(network=network) | Q(also_on=network)).distinct().count()
        linked("/shows/", "network", [(network.slug, n)], most=5)

    # The header's search box: words of titles and names.
    words = Counter(word.lower() for title in OST.objects.values_list("title", flat=True)[:5000]
                    for word in title.split() if len(word) >= 3)
    terms = [word for word, _n in words.most_common(40)]
    names = list(Group.objects.values_list("name", flat=True))
    terms += [name.lower() for name in rng.sample(names, min(10, len(names)))]
    for term in terms:
        params = [("q", term)]
        urls += pages("/osts/", params, filter_count(OSTFilter, OST, params, 3 * 24), PER_PAGE["/osts/"], 3)

    # The filter form, as a browser submits it: every field, most of them empty.
    choices = {
        "type": list(Show.Kind.values),
        "language": list(Language.objects.values_list("code", flat=True)),
        "role": list(OST.Placement.values),
        "year": sorted(set(OST.objects.exclude(release_year=None).values_list("release_year", flat=True))),
        "network": list(Network.objects.values_list("slug", flat=True)),
        "agency": list(Agency.objects.values_list("slug", flat=True)[:50]),
        "ordering": ["-year", "title", "year", "-added"],
    }
    fields = ["q", "group", "member", "show", "type", "network", "language", "role", "agency", "year", "ordering"]
    for _ in range(min(200, 20 + 2 * scale)):
        chosen = {name: rng.choice(choices[name]) for name in rng.sample(list(choices), rng.choice([1, 1, 2, 2, 3]))}
        params = [(name, chosen.get(name, "")) for name in fields]
        urls += pages("/osts/", params, filter_count(OSTFilter, OST, params, 10 * 24), PER_PAGE["/osts/"], 10)
    show_fields = ["type", "network", "year"]
    show_choices = {"type": choices["type"], "network": choices["network"], "year": list(range(2010, 2027))}
    for _ in range(min(60, 10 + scale // 2)):
        chosen = {name: rng.choice(show_choices[name]) for name in rng.sample(show_fields, rng.choice([1, 2]))}
        params = [(name, chosen.get(name, "")) for name in show_fields]
        urls += pages("/shows/", params, filter_count(ShowFilter, Show, params, 10 * 48), PER_PAGE["/shows/"], 10)
    return list(dict.fromkeys(urls))


def prepare(args):
    rng = random.Random(args.seed)
    emails = [f"reader{i}@{RETURNING_DOMAIN}" for i in range(RETURNING_READERS)]
    if not Comment.objects.filter(author_email__in=emails).exists():
        for i, email in enumerate(emails):
            Comment.objects.create(
                author_name=f"Reader {i}", author_email=email, body=f"Thank you for this list! ({i})",
                status=Comment.Status.APPROVED, ip_address="192.0.2.1",
            )
    started = time.perf_counter()
    urls = list_pages(rng)
    server = connection.vendor
    if server == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server += " " + cursor.fetchone()[0].split()[0]
    else:
        server += " " + connection.Database.sqlite_version
    json.dump({
        "returning_emails": emails,
        "list_pages": urls,
        "list_pages_seconds": time.perf_counter() - started,
        "database": server,
        "counts": {"osts": OST.objects.count(), "groups": Group.objects.count(), "shows": Show.objects.count()},
    }, sys.stdout)


def editor(args):
    print("ready", flush=True)
    for line in sys.stdin:
        slug = line.strip()
        started = time.perf_counter()
        try:
            ost = OST.objects.get(slug=slug)
            ost.save()
            outcome = "saved"
        except Exception as error:  # reported, not fatal: the benchmark goes on and shows it
            outcome = f"{type(error).__name__}: {error}"
        print(json.dumps({"slug": slug, "outcome": outcome, "ms": (time.perf_counter() - started) * 1e3}),
              flush=True)


def tally(args):
    """The status of each comment the benchmark posted, by the number in its marker "[bench RUN-N]"."""
    marker = re.compile(rf"\[bench {re.escape(args.run)}-(\d+)\]")
    rows = Comment.objects.filter(body__contains=f"[bench {args.run}-").values_list("body", "status")
    json.dump({marker.search(body)[1]: status for body, status in rows}, sys.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("prepare")
    command.add_argument("--seed", type=int, default=1)
    command.set_defaults(handle=prepare)
    commands.add_parser("editor").set_defaults(handle=editor)
    command = commands.add_parser("tally")
    command.add_argument("run", help="the run's name in the markers")
    command.set_defaults(handle=tally)
    args = parser.parse_args()
    args.handle(args)


if __name__ == "__main__":
    main()
