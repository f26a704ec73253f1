"""The README's run command, `scripts/serve`: it loads the article only into an empty database, so restarting
keeps an editor's work; the port can be chosen, and a busy one is reported before any work is done."""

import json
import os
import signal
import socket
import subprocess
import time

import pytest
from playwright.sync_api import expect

from .servers import HOST, ROOT, free_port, get, manage, site_env

SERVE = ROOT / "scripts" / "serve"
STATE = """
import json
from catalog.models import OST, Language
print(json.dumps({
    "osts": OST.objects.count(),
    "once_again_notes": OST.objects.get(slug="once-again").notes,
    "win": OST.objects.filter(slug="win").exists(),
    "languages": sorted(Language.objects.values_list("code", flat=True)),
}))
"""


def serve_env(tmp_path, **extra):
    """The development settings scripts/serve runs with, on a SQLite file of the test's own."""
    env = site_env(tmp_path, **extra)
    for name in ["DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
                 "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"]:
        env.pop(name)
    return env


class Serve:
    """`scripts/serve ARGS` in its own process group, its output in a file."""

    def __init__(self, env, tmp_path, *args):
        self.output = tmp_path / f"serve-{time.monotonic_ns()}.log"
        with self.output.open("wb") as output:
            self.process = subprocess.Popen([str(SERVE), *args], cwd=ROOT, env=env, stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_for(self, port, timeout=300):
        """Wait until the site answers its home page (scripts/setup may install packages first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if get(port, "/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"scripts/serve did not answer on port {port}:\n{self.log()}")

    def log(self):
        return self.output.read_text()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def test_a_busy_port_is_reported_before_any_work(tmp_path):
    """Another server holds the port: scripts/serve says so and stops before setting up or migrating anything."""
    env = serve_env(tmp_path)
    with socket.socket() as other:
        other.bind((HOST, 0))
        other.listen()
        port = other.getsockname()[1]
        by_argument = subprocess.run([str(SERVE), str(port)], cwd=ROOT, env=env, capture_output=True, text=True,
                                     timeout=60)
        by_variable = subprocess.run([str(SERVE)], cwd=ROOT, env={**env, "PORT": str(port)}, capture_output=True,
                                     text=True, timeout=60)
    for result in (by_argument, by_variable):
        assert result.returncode == 1
        assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
        assert f"choose another port: scripts/serve {port + 1}" in result.stderr
        assert result.stdout == ""
    assert not (tmp_path / "db.sqlite3").exists()


@pytest.mark.parametrize("argument", ["abc", "0", "70000", "127.0.0.1:"])
def test_a_port_that_is_not_one_is_refused(tmp_path, argument):
    result = subprocess.run([str(SERVE), argument], cwd=ROOT, env=serve_env(tmp_path), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "is not a port number (1-65535)" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


@pytest.mark.browser
def test_restarting_keeps_every_edit_deletion_and_addition(tmp_path, browser):
    """Start with the README's command, edit, delete and add in the admin (in Chromium), start again: all kept."""
    env = serve_env(tmp_path)
    port = free_port()
    first = Serve(env, tmp_path, str(port))
    try:
        first.wait_for(port)
        # In a second terminal, as the README says.
        manage({**env, "DJANGO_SUPERUSER_PASSWORD": "a-long-test-password"},
               "createsuperuser", "--noinput", "--username", "editor", "--email", "editor@example.com")
        state = json.loads(manage(env, "shell", "-v", "0", "-c", STATE).stdout)
        assert state["osts"] == 21 and state["win"]

        context = browser.new_context()
        editor = context.new_page()
        site = f"http://{HOST}:{port}"
        editor.goto(f"{site}/admin/")
        editor.get_by_label("Username").fill("editor")
        editor.get_by_label("Password").fill("a-long-test-password")
        editor.get_by_role("button", name="Log in").click()

        editor.goto(f"{site}/admin/catalog/ost/?q=ONCE+AGAIN")
        editor.get_by_role("link", name="ONCE AGAIN", exact=True).click()
        editor.get_by_label("Notes").fill("Corrected by an editor before the restart.")
        editor.get_by_role("button", name="Save", exact=True).click()
        expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")

        editor.goto(f"{site}/admin/catalog/ost/?q=WIN")
        editor.get_by_role("link", name="WIN", exact=True).click()
        editor.get_by_role("link", name="Delete", exact=True).click()
        editor.get_by_role("button", name="Yes, I’m sure").click()
        expect(editor.locator(".messagelist")).to_contain_text("was deleted successfully")

        editor.goto(f"{site}/admin/catalog/language/add/")
        editor.get_by_label("Name").fill("Test language")
        editor.get_by_label("Code").fill("x-test")
        editor.get_by_role("button", name="Save", exact=True).click()
        expect(editor.locator(".messagelist")).to_contain_text("was added successfully")
        context.close()
    finally:
        first.stop()

    second = Serve(env, tmp_path, str(port))
    try:
        second.wait_for(port)
        status, _, page = get(port, "/osts/once-again/")
        deleted_status = get(port, "/osts/win/")[0]
    finally:
        second.stop()

    assert "The catalogue already holds data" in second.log() and "left as it is" in second.log()
    assert status == 200 and "Corrected by an editor before the restart." in page
    assert deleted_status == 404
    state = json.loads(manage(env, "shell", "-v", "0", "-c", STATE).stdout)
    assert state == {
        "osts": 20,
        "once_again_notes": "Corrected by an editor before the restart.",
        "win": False,
        "languages": sorted(["en", "ja", "ko", "x-test"]),
    }
