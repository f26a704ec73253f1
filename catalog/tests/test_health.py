"""/healthz answers for the database: 200 when it responds, 503 when it does not."""

from unittest import mock

from django.db import OperationalError
from django.urls import reverse


def test_healthz_ok_when_database_answers(client, db):
    """A working database gives 200 with a tiny plain-text body."""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_runs_select_1(client, db, django_assert_num_queries):
    """The probe really goes to the database: exactly one query, the SELECT 1."""
    with django_assert_num_queries(1) as captured:
        client.get(reverse("healthz"))
    assert captured.captured_queries[0]["sql"] == "SELECT 1"


def test_healthz_503_when_database_fails(client, db):
    """A query that raises (server gone, locked file…) gives 503, not a 500 page."""
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("server closed the connection")
    ):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert b"ok" not in response.content


def test_healthz_503_when_connection_cannot_open(client, db):
    """Failing to open a connection at all is also a 503."""
    with mock.patch("ostsite.health.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server")
        response = client.get(reverse("healthz"))
    assert response.status_code == 503


def test_healthz_is_never_cached(client, db):
    """Proxies and the page cache must not keep an old answer."""
    response = client.get(reverse("healthz"))
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
