"""Every page type is valid HTML by the Nu Html Checker (npm's vnu-jar), all pages in one JVM run."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from catalog.models import OST, ListenLink

BASE_DIR = Path(__file__).resolve().parents[2]
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_command():
    """java -jar vnu.jar, or a skip (a failure on CI) naming what to install."""
    java = shutil.which("java")
    missing = [what for what, found in (("java (apt-get install -y default-jre-headless)", java), ("vnu.jar (npm ci)", VNU_JAR.exists())) if not found]
    if missing:
        message = "The Nu Html Checker needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-jar", str(VNU_JAR)]


def page_responses(client):
    """(name, response) for each page type, including forms showing errors and the 404 page."""
    ost = OST.objects.get(slug="once-again")
    # A made-up link, so the listen buttons and a card's play mark are checked too (TOP keeps the searches).
    ListenLink.objects.create(ost=ost, kind="youtube", content="mv", url="https://www.youtube.com/watch?v=test")
    pages = [
        ("home", "/"),
        ("ost-list", "/osts/"),
        ("ost-list-filtered", "/osts/?type=anime&language=ja&ordering=-year"),
        ("ost-list-search", "/osts/?q=aespa"),
        ("ost-list-did-you-mean", "/osts/?q=straykdis"),
        ("ost-list-written-by-idols", "/osts/?written_by_idols=1"),
        ("ost-list-member-outside-group", "/osts/?group=stray-kids&member=winter"),
        ("ost-list-bad-filters", "/osts/?year=abc&group=no-such-group&role=nope&ordering=sideways"),
        ("ost", ost.get_absolute_url()),
        ("ost-whole-group", "/osts/" + OST.objects.filter(sung_by_whole_group=True).first().slug + "/"),
        ("ost-without-links", "/osts/top/"),
        ("group-list", "/groups/"),
        ("group", "/groups/aespa/"),
        ("group-renamed", "/groups/gi-dle/"),
        ("ost-credited-under-earlier-name", "/osts/help-me/"),
        ("ost-unknown-date", "/osts/gonna-be-fine/"),
        ("ost-first-broadcast", "/osts/beautiful/"),
        ("member", "/members/winter/"),
        ("member-former", "/members/마시호/"),
        ("show-list", "/shows/"),
        ("show-list-filtered", "/shows/?type=anime&year=abc"),
        ("show", "/shows/our-blues/"),
        ("timeline", "/timeline/"),
        ("timeline-by-kind-bad-value", "/timeline/?by=kind&by=nope"),
        ("not-found", "/osts/no-such-song/"),
    ]
    for name, url in pages:
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        yield name, response.content
    # A comment posted empty comes back on its page with the errors and the reader's text.
    response = client.post(reverse("comments:post"), {"target_type": "ost", "target_id": ost.pk, "body": "", "author_name": "Mina"})
    assert response.status_code == 400 and b"Your comment was not posted" in response.content
    yield "ost-comment-errors", response.content
    yield "server-error", render_to_string("500.html").encode()
    yield "database-unavailable", render_to_string("503.html").encode()
    # Refused by the CSRF check: the comment given back in its form, and the page for any other form.
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("comments:post"), {"target_type": "ost", "target_id": ost.pk, "body": "Mine <3"})
    assert response.status_code == 403 and b"Your comment is not posted yet" in response.content
    yield "csrf-comment", response.content
    response = browser.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403 and b"Your form was not sent" in response.content
    yield "csrf-other", response.content
    # An editor's preview of a draft, with its banner and without the comment form.
    OST.objects.filter(slug="top").update(is_draft=True)
    editor = Client()
    editor.force_login(User.objects.create_user("editor", is_staff=True, is_superuser=True))
    response = editor.get("/osts/top/?preview")
    assert response.status_code == 200 and "Draft — only editors see this." in response.content.decode()
    yield "draft-preview", response.content


@pytest.mark.usefixtures("article_data")
def test_every_page_type_is_valid_html(client, tmp_path):
    """Zero errors from the Nu Html Checker on every page type."""
    command = vnu_command()
    files = []
    for name, content in page_responses(client):
        file = tmp_path / f"{name}.html"
        file.write_bytes(content)
        files.append(file)
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    messages = json.loads(result.stdout or "{}").get("messages", [])
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')} [{m.get('extract', '').strip()}]" for m in messages]
    assert not errors, "\n".join(errors)
    assert result.returncode == 0, result.stderr
    assert len(files) == 31
