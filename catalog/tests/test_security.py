"""Production settings pass Django's deploy checks and every page sends a strict CSP."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.tests.test_settings import SETTINGS_VARS, settings_as_json

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
