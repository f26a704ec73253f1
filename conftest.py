import copy
import os

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def article_data(db):
    """The article's catalogue, as the README's run command loads it."""
    call_command("seed_article", verbosity=0)


CHROMIUM = "/usr/bin/chromium"
# Quiet on a closed network; --no-sandbox because the tests run as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (sync API), one per test session. Mark tests with @pytest.mark.browser."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def private_caches(tmp_path_factory, worker_id):
    """The configured cache backends, each test process with its own: its own directory for the default
    on-disk cache, its own Redis database when REDIS_URL is set (xdist workers clear caches concurrently)."""
    from django.test import override_settings

    caches = copy.deepcopy(settings.CACHES)
    worker = int(worker_id[2:]) if worker_id.startswith("gw") else 0
    for alias, config in caches.items():
        if config["BACKEND"].endswith("RedisCache"):
            config["LOCATION"] = f"{config['LOCATION'].rsplit('/', 1)[0]}/{worker + 1}"
        else:
            config["LOCATION"] = str(tmp_path_factory.mktemp(f"cache-{alias}"))
    with override_settings(CACHES=caches):
        yield caches


@pytest.fixture(autouse=True)
def fresh_cache(private_caches):
    """Each test starts with empty caches: nothing cached leaks between tests."""
    from django.core.cache import caches

    for alias in private_caches:
        caches[alias].clear()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once per session, for sites run with DEBUG=0 in their own processes (gunicorn)."""
    from ostsite.tests.servers import GUNICORN, manage, site_env

    if not GUNICORN.exists():
        pytest.fail("these tests run the project's .venv (gunicorn, manage.py): run scripts/setup")
    root = tmp_path_factory.mktemp("static")
    manage(site_env(root, root), "collectstatic", "--noinput", "-v0")
    return root
