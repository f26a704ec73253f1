"""A liveness probe for load balancers and uptime checks, and the benchmark's baseline view.

Included from ostsite/urls.py as a URLconf of its own.
"""

import os

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """200 "ok" when a `SELECT 1` goes through the default connection, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def trivial(request):
    """The cheapest Django response: the baseline that bench/run.py divides every page by."""
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [path("healthz", healthz, name="healthz")]
# Only for bench/run.py: a view that touches neither the database nor a template.
if os.environ.get("OSTSITE_BENCH") == "1":
    urlpatterns.append(path("bench/trivial", trivial, name="bench-trivial"))
