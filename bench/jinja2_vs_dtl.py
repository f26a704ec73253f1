"""One public page rendered by Django's template language and by Django's built-in Jinja2 backend.

    DATABASE_URL=sqlite:////tmp/bench/osts-100000.sqlite3 .venv/bin/python bench/jinja2_vs_dtl.py

The group list (/groups/, 60 groups a page) is the page: base.html with its head, navigation and footer, and a
loop of tiles. The view's own context (GroupListView.get_context_data, its query run once beforehand) is
rendered again and again by each engine: templates/catalog/group_list.html through DTL, and the same markup
written for Jinja2 in bench/jinja2/ through django.template.backends.jinja2.Jinja2, with the same helpers
(static, fixed_url, avatar, canonical_url). Reported: the CPU time of one render by each, their ratio, and
whether both give the same text once whitespace is normalised. Needs Jinja2 (bench/requirements.txt); the site
itself does not use it.
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ostsite.settings")
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")

import django  # noqa: E402

django.setup()

from django.template import engines  # noqa: E402
from django.template.backends.jinja2 import Jinja2  # noqa: E402
from django.template.defaultfilters import pluralize  # noqa: E402
from django.templatetags.static import static  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from catalog.models import fixed_url  # noqa: E402
from catalog.templatetags.catalog_tags import avatar  # noqa: E402
from catalog.views import GroupListView  # noqa: E402


def environment(**options):
    from jinja2 import Environment

    env = Environment(**options)
    env.globals.update(static=static, fixed_url=fixed_url, avatar=avatar, canonical_url=canonical_url)
    env.filters["pluralize"] = pluralize
    return env


def canonical_url(request, page_obj):
    url = request.build_absolute_uri(request.path)
    return f"{url}?page={page_obj.number}" if page_obj.number > 1 else url


def cpu_ms(render, repeat):
    for _ in range(5):
        render()
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        render()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def normalised(html):
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def main():
    request = RequestFactory().get("/groups/", HTTP_HOST="127.0.0.1")
    view = GroupListView()
    view.setup(request)
    view.object_list = view.get_queryset()
    context = view.get_context_data()
    context["groups"] = list(context["groups"])  # the query once, before timing

    dtl = engines["django"].get_template("catalog/group_list.html")
    jinja = Jinja2(
        {
            "NAME": "jinja2",
            "DIRS": [BASE_DIR / "bench" / "jinja2"],
            "APP_DIRS": False,
            "OPTIONS": {"environment": "bench.jinja2_vs_dtl.environment", "autoescape": True},
        }
    ).get_template("group_list.html")

    dtl_ms = cpu_ms(lambda: dtl.render(context, request), 200)
    jinja_ms = cpu_ms(lambda: jinja.render(context, request), 200)
    # The DTL page's per-visitor bits (CSRF cookie) and Jinja2's whitespace aside, the pages must match.
    same = normalised(dtl.render(context, request)) == normalised(jinja.render(context, request))
    print(f"/groups/ ({len(context['groups'])} groups): DTL {dtl_ms:.2f} ms, Jinja2 {jinja_ms:.2f} ms CPU a render; "
          f"Jinja2 takes {jinja_ms / dtl_ms:.0%} of DTL's time; same text: {same}")


if __name__ == "__main__":
    main()
