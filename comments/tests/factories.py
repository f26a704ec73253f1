"""Tiny factories for comment tests: a stored comment, and the data a reader's browser posts."""

import itertools
import time

from comments.forms import sign_timestamp
from comments.models import Comment
from comments.targets import target_type

_n = itertools.count(1)


def make_comment(target=None, **kw):
    """An approved comment on the target's page (the home page when target is None)."""
    n = next(_n)
    kw.setdefault("author_name", f"Reader {n}")
    kw.setdefault("author_email", f"reader{n}@example.com")
    kw.setdefault("body", f"Comment number {n}.")
    kw.setdefault("status", Comment.Status.APPROVED)
    if target is not None:
        kw[target_type(target)] = target
    return Comment.objects.create(**kw)


def form_data(target=None, **overrides):
    """What the form sends for a reader who took their time over it (the timestamp is a minute old)."""
    data = {
        "body": "Winter's OST for the drama is my favourite.",
        "author_name": "Min-ji",
        "author_email": "minji@example.com",
        "author_url": "",
        "target_type": target_type(target),
        "target_id": "" if target is None else target.pk,
        "parent": "",
        "timestamp": sign_timestamp(time.time() - 60),
        "comment_hp": "",
    }
    data.update(overrides)
    return data
