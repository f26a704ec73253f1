"""A database that stops answering: readers get our 503 page (a comment comes back to send again), never a
traceback, and the site answers again by itself once the database is back. Real gunicorn, real SQLite file."""

from catalog.models import OST

from .servers import Browser, Gunicorn, get, hidden_fields, manage, site_env

BACK_SOON = "We’ll be back in a moment"


def test_pages_are_503_while_the_database_is_gone_and_the_site_recovers_by_itself(tmp_path, static_root):
    data = tmp_path / "data"
    data.mkdir()
    # A new connection for every request, as after a database restart: the outage is met at once.
    env = site_env(tmp_path, static_root, database_url=f"sqlite:///{data / 'db.sqlite3'}", CONN_MAX_AGE="0",
                   COMMENTS_MIN_FORM_AGE_SECONDS="0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loaddata", "catalog", "-v0")
    ost_path = OST(slug="once-again").get_absolute_url()
    with Gunicorn(env, tmp_path, workers=2) as site:
        reader = Browser(site.port)
        status, _, page = reader.get(ost_path)
        assert status == 200
        form = {**hidden_fields(page), "body": "Written before <the> outage", "author_name": "Min-ji",
                "author_email": "minji@example.com", "author_url": "", "comment_hp": ""}

        data.rename(tmp_path / "unmounted")  # The disk is gone: no connection can be opened.
        # Pages no worker has cached yet (a page already in a worker's cache may still be served from it).
        answers = {path: get(site.port, path) for path in ["/", "/osts/", "/groups/", "/shows/", "/sitemap.xml"]}
        health = get(site.port, "/healthz")
        status, headers, given_back = reader.post("/comments/post/", form)

        (tmp_path / "unmounted").rename(data)
        after = {path: get(site.port, path)[0] for path in ["/", "/osts/", ost_path, "/healthz"]}
        resent_status, resent_headers, _ = reader.post("/comments/post/", {**form, **hidden_fields(given_back)})
        # The author's own view of their comment, held for moderation.
        _, _, page_after = reader.get(resent_headers["Location"].split("#")[0])
    log = site.error_log.read_text()

    for path, (page_status, page_headers, html) in answers.items():
        assert page_status == 503, path
        assert BACK_SOON in html and "Traceback" not in html, path
        assert page_headers["Retry-After"] == "30"
    assert health[0] == 503
    # The comment posted during the outage comes back with the reader's words, to send again.
    assert status == 503 and headers["Retry-After"] == "30"
    assert "The archive cannot reach its database just now" in given_back
    assert "Written before &lt;the&gt; outage</textarea>" in given_back
    # Back by itself: no restart, every page answers, the comment sent again is stored.
    assert after == {path: 200 for path in after}
    assert resent_status == 302
    assert "Written before &lt;the&gt; outage" in page_after
    assert "Internal Server Error" not in log
