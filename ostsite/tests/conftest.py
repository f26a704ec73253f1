import pytest

from .servers import GUNICORN, manage, site_env


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once per session, as a DEBUG=0 site needs them (hashed names in a manifest)."""
    if not GUNICORN.exists():
        pytest.fail("these tests run the project's .venv (gunicorn, manage.py): run scripts/setup")
    root = tmp_path_factory.mktemp("static")
    manage(site_env(root, root), "collectstatic", "--noinput", "-v0")
    return root
