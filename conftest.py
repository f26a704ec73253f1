import os

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def article_data(db):
    """The article's catalogue, as the README's run command loads it."""
    call_command("loaddata", "catalog", verbosity=0)
