"""Production settings pass Django's deploy checks, every page sends a strict CSP, and admin sign-in is rate limited."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from catalog.tests.test_settings import SETTINGS_VARS, settings_as_json
from ostsite import admin_login

BASE_DIR = Path(__file__).resolve().parents[2]
HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
]


def manage(*args, **env):
    # DJANGO_ALLOW_ASYNC_UNSAFE (set by conftest.py for Playwright) would itself fail the deploy check.
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    """DEBUG=0 with a real secret and hosts: `check --deploy --fail-level WARNING` finds nothing."""
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="osts.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_settings_are_on_in_production_and_off_in_development():
    """Secure cookies, HSTS and the HTTPS redirect default on with DEBUG off and off with DEBUG on (plain HTTP dev server)."""
    production = settings_as_json(HTTPS_SETTINGS, DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="osts.example")
    assert production == {name: True for name in HTTPS_SETTINGS} | {"SECURE_HSTS_SECONDS": 31536000}
    development = settings_as_json(HTTPS_SETTINGS)
    assert development == {name: False for name in HTTPS_SETTINGS} | {"SECURE_HSTS_SECONDS": 0}


def test_each_https_setting_can_be_switched_off():
    """A proxy that redirects to HTTPS itself can turn ours off, e.g. SECURE_SSL_REDIRECT=0."""
    values = settings_as_json(
        ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"],
        DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="osts.example", SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="60",
    )
    assert values == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 60}


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.usefixtures("article_data")
@pytest.mark.parametrize(
    "url",
    ["/", "/osts/", "/osts/once-again/", "/groups/", "/groups/aespa/", "/members/winter/", "/shows/",
     "/shows/our-blues/", "/no-such-page/", "/sitemap.xml", "/feeds/osts.rss", "/admin/login/"],
)
def test_every_response_has_a_strict_csp(client, url):
    """Content-Security-Policy: scripts only from our origin, no unsafe-inline or unsafe-eval anywhere."""
    directives = csp_directives(client.get(url))
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["base-uri"] == ["'self'"]
    assert not any("unsafe" in source for sources in directives.values() for source in sources)


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", "editor@example.com", "correct horse battery")


def sign_in(client, username, password, ip="203.0.113.9"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


class TestAdminLoginRateLimit:
    def test_sixth_failure_is_refused_even_with_the_right_password(self, client, editor):
        """Five wrong passwords for one username from one IP, then 429 with a clear message, right password or not."""
        for _ in range(admin_login.MAX_FAILURES):
            response = sign_in(client, "editor", "wrong")
            assert response.status_code == 200 and "Please enter the correct username and password" in response.content.decode()
        response = sign_in(client, "editor", "correct horse battery")
        assert response.status_code == 429
        assert int(response["Retry-After"]) == admin_login.WINDOW_SECONDS
        assert "Too many failed sign-in attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_limit_is_per_username_and_address(self, client, editor):
        """Another address, or another username from the same address, can still try."""
        for _ in range(admin_login.MAX_FAILURES):
            sign_in(client, "Editor ", "wrong")  # Case and spaces do not make a new username.
        assert sign_in(client, "editor", "wrong").status_code == 429
        assert sign_in(client, "someone-else", "wrong").status_code == 200
        response = sign_in(Client(), "editor", "correct horse battery", ip="198.51.100.7")
        assert response.status_code == 302

    def test_success_clears_the_count(self, client, editor):
        """Four failures then a success: the next failures start again from zero."""
        for _ in range(admin_login.MAX_FAILURES - 1):
            sign_in(client, "editor", "wrong")
        assert sign_in(client, "editor", "correct horse battery").status_code == 302
        client.logout()
        for _ in range(admin_login.MAX_FAILURES - 1):
            assert sign_in(client, "editor", "wrong").status_code == 200

    def test_the_sign_in_page_still_shows(self, client, db):
        """GET /admin/login/ is the admin's own page."""
        response = client.get("/admin/login/")
        assert response.status_code == 200 and 'name="password"' in response.content.decode()
