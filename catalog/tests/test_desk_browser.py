"""The editors' desk in a real browser: Debian's Chromium at 1280 px, driven by Playwright against the live server."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def editor(live_server, browser, django_user_model, article_data):
    """A signed-in editor's page at 1280 px, in a browser set to another time zone than the site's (Seoul)."""
    django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/London")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Editors’ desk")).to_be_visible()
    yield page
    context.close()


def sideways_overflow(page):
    """How far the page, or a list's table, reaches past the window's right edge."""
    return page.evaluate(
        """() => {
            const results = document.querySelector('.results');
            return Math.max(
                document.documentElement.scrollWidth - window.innerWidth,
                results ? results.scrollWidth - results.clientWidth : 0,
            );
        }"""
    )


@pytest.mark.parametrize("model", ["group", "ost", "show", "member", "membership", "credit"])
def test_lists_fit_1280_pixels(live_server, editor, model):
    """Every column of the catalogue's lists is in view at 1280 px, with the filters beside them."""
    editor.goto(f"{live_server.url}/admin/catalog/{model}/")
    expect(editor.locator("#result_list")).to_be_visible()
    assert sideways_overflow(editor) <= 0


def test_no_time_zone_note_beside_a_date(live_server, editor):
    """A date has no time of day: the "hours behind server time" note does not appear under the debut date."""
    editor.goto(f"{live_server.url}/admin/catalog/group/")
    editor.get_by_role("link", name="aespa", exact=True).click()
    expect(editor.get_by_label("Debut date")).to_have_value("2020-11-17")
    expect(editor.locator(".datetimeshortcuts").first).to_be_visible()
    # Django's script still writes the note (the browser is 9 hours behind Seoul); the desk keeps it out of sight.
    expect(editor.locator(".timezonewarning").first).to_be_attached()
    expect(editor.get_by_text("server time").locator("visible=true")).to_have_count(0)


def test_edit_compare_and_undo(live_server, editor):
    """An editor rewrites ONCE AGAIN's notes, sees the old and new words in the history, and undoes it in one click."""
    from catalog.models import OST

    original = OST.objects.get(slug="once-again").notes
    editor.goto(f"{live_server.url}/admin/catalog/ost/")
    editor.get_by_role("link", name="ONCE AGAIN", exact=True).click()
    editor.get_by_label("Notes").fill("Sung by Winter and Ningning.")
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")

    editor.get_by_role("link", name="History").click()
    latest = editor.get_by_role("row").filter(has_text="Changed Notes.")
    expect(latest).to_contain_text("editor")
    expect(editor.get_by_role("row").filter(has_text="First version, loaded from the fixtures.")).to_be_visible()
    latest.get_by_role("link", name="See the changes").click()
    expect(editor.get_by_role("heading", name="What changed in “ONCE AGAIN”")).to_be_visible()
    expect(editor.locator("del").filter(has_text="aespa")).to_be_visible()
    expect(editor.locator("ins").first).to_be_visible()

    editor.get_by_role("link", name="Back to the history").click()
    editor.get_by_role("row").filter(has_text="Changed Notes.").get_by_role("button", name="Undo this change").click()
    expect(editor.locator(".messagelist")).to_contain_text("Undone: “ONCE AGAIN” is back as it was")
    expect(editor.get_by_role("row").first.locator("xpath=following::tr[1]")).to_contain_text("Undid the change of")

    editor.goto(f"{live_server.url}/osts/once-again/")
    expect(editor.locator(".notes")).to_contain_text(original.split(".")[0])


def test_delete_and_recover_an_ost(live_server, editor):
    """TOP is deleted, then recovered from "Recover deleted OSTs" with its languages and 3RACHA credits."""
    from catalog.models import OST

    editor.goto(f"{live_server.url}/admin/catalog/ost/")
    editor.get_by_role("link", name="TOP", exact=True).click()
    editor.get_by_role("link", name="Delete", exact=True).click()
    expect(editor.get_by_text("Credit: Bang Chan – Lyrics – TOP")).to_be_visible()
    editor.get_by_role("button", name="Yes, I’m sure").click()
    expect(editor.locator(".messagelist")).to_contain_text("was deleted successfully")
    assert not OST.objects.filter(slug="top").exists()

    editor.get_by_role("link", name="Recover deleted OSTs").click()
    editor.get_by_role("row").filter(has_text="TOP").get_by_role("link").first.click()
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.locator(".messagelist")).to_contain_text("TOP")
    top = OST.objects.get(slug="top")
    assert set(top.languages.values_list("code", flat=True)) == {"ja", "ko", "en"}
    assert top.credits.count() == 9
    editor.goto(f"{live_server.url}/osts/top/")
    expect(editor.get_by_role("heading", level=1)).to_contain_text("TOP")


def test_the_singer_picker_offers_the_groups_members_first(live_server, editor):
    """On a TREASURE song, typing "Ji" in Singers offers "Jihoon (TREASURE)" first."""
    editor.goto(f"{live_server.url}/admin/catalog/ost/")
    editor.get_by_role("link", name="Gonna Be Fine", exact=True).click()
    editor.locator(".field-singers .select2-search__field").fill("Ji")
    options = editor.locator(".select2-results__option")
    expect(options.first).to_have_text("Jihoon (TREASURE)")
    expect(options.filter(has_text="Jinni (NMIXX)")).to_have_count(1)
    # The names already chosen say their group too.
    expect(editor.locator(".field-singers .select2-selection__choice").filter(has_text="Haruto (TREASURE)")).to_have_count(1)
