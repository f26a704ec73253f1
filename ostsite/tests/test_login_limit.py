"""The admin sign-in brake (django-axes): five failures per username and address per 15 minutes, then 429."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from .servers import Browser, Gunicorn, hidden_fields, manage, site_env


WRONG = "Please enter the correct username and password"
LOCKED = "Too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def quick_hasher(settings):
    """Each attempt checks a password; the slow production hash would only make these tests slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", "editor@example.com", "correct horse battery")


def sign_in(client, username, password, ip="203.0.113.9", **headers):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **headers)


@pytest.mark.django_db
def test_after_five_failures_sign_in_is_refused_even_with_the_right_password(client, editor):
    """Four wrong passwords are answered as such; the fifth locks; the sixth is 429 with the right password too."""
    for _ in range(4):
        response = sign_in(client, "editor", "wrong")
        assert response.status_code == 200 and WRONG in response.content.decode()
    for password in ["wrong", "correct horse battery"]:
        response = sign_in(client, "editor", password)
        assert response.status_code == 429
        assert response["Retry-After"] == str(15 * 60)
        html = response.content.decode()
        assert LOCKED in html and "please wait 15 minutes and try again" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_limit_is_per_username_and_address(client, editor):
    """Another address, or another username from the same address, can still try; case and spaces do not help."""
    for _ in range(5):
        sign_in(client, "Editor ", "wrong")
    assert sign_in(client, "editor", "wrong").status_code == 429
    assert sign_in(client, "someone-else", "wrong").status_code == 200
    assert sign_in(Client(), "editor", "correct horse battery", ip="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_success_clears_the_count(client, editor):
    """Four failures then a success: the next failures start again from zero."""
    for _ in range(4):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", "correct horse battery").status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "editor", "wrong").status_code == 200


@pytest.mark.django_db
def test_the_lock_ends_after_15_minutes(client, editor):
    """Once the 15 minutes are over, the right password signs in again."""
    for _ in range(5):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", "correct horse battery").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert sign_in(client, "editor", "correct horse battery").status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_each_reader_is_counted_by_their_own_address(client, editor, settings):
    """With TRUSTED_PROXY_COUNT=1, the address is the proxy's X-Forwarded-For entry, as for comments."""
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        sign_in(client, "editor", "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert sign_in(client, "editor", "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.7").status_code == 429
    # A forged entry to the left of the proxy's does not make a new address.
    forged = sign_in(client, "editor", "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.7")
    assert forged.status_code == 429
    other = sign_in(Client(), "editor", "correct horse battery", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.3")
    assert other.status_code == 302


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_header_does_not_escape_the_limit(client, editor):
    """By default X-Forwarded-For is ignored: changing it on every try changes nothing."""
    for n in range(5):
        sign_in(client, "editor", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert sign_in(client, "editor", "correct horse battery", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


@pytest.mark.django_db
def test_the_sign_in_page_still_shows(client):
    """GET /admin/login/ is the admin's own page."""
    response = client.get("/admin/login/")
    assert response.status_code == 200 and 'name="password"' in response.content.decode()


def test_the_limit_holds_across_gunicorn_workers(tmp_path, static_root):
    """After five failures every further try is 429, though each try meets a gunicorn worker that never saw one."""
    env = site_env(tmp_path, static_root, DJANGO_SUPERUSER_PASSWORD="correct horse battery")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createsuperuser", "--noinput", "--username", "editor", "--email", "editor@example.com")
    with Gunicorn(env, tmp_path, workers=2, max_requests=1) as site:
        attacker = Browser(site.port)
        _, _, page = attacker.get("/admin/login/")
        token = hidden_fields(page)["csrfmiddlewaretoken"]

        def attempt(password):
            fields = {"csrfmiddlewaretoken": token, "username": "editor", "password": password}
            return attacker.post("/admin/login/", fields)

        failures = [attempt("wrong")[0] for _ in range(5)]
        refusals = [attempt(password) for password in ["wrong", "correct horse battery"] * 6]
    # Read once gunicorn has stopped: a worker logs a request after answering it.
    answered = [(pid, status) for pid, line, status in site.answered() if line.startswith("POST /admin/login/")]

    assert failures == [200, 200, 200, 200, 429]
    assert [status for status, _, _ in refusals] == [429] * 12
    assert all("Too many failed sign-in attempts" in html for _, _, html in refusals)
    assert [status for _, status in answered] == failures + [429] * 12
    # Nothing was counted in a worker's own memory: every try was answered by a different process.
    assert len({pid for pid, _ in answered}) == len(answered), answered
