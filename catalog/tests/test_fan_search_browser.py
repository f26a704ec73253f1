"""In Debian's Chromium, with and without JavaScript: the "Written by the idols" box and the "Did you mean" link."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, article_data):
    return live_server.url


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request, browser):
    context = browser.new_context(java_script_enabled=request.param, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def card_titles(page):
    return sorted(page.locator(".ost-card-title a").all_inner_texts())


def test_written_by_the_idols_box(site, page):
    """Ticking the box and applying gives the three songs members wrote or composed, each with the badge."""
    page.goto(site + "/osts/")
    page.get_by_role("checkbox", name="Written by the idols").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    assert "written_by_idols=1" in page.url
    assert card_titles(page) == ["BFF (Best Friend Forever)", "SLUMP", "TOP"]
    assert page.locator(".ost-card .badge-written").count() == 3
    assert page.get_by_role("checkbox", name="Written by the idols").is_checked()


def test_did_you_mean(site, page):
    """A misspelt group finds nothing; the page offers the right name, and following it lists the group's songs."""
    page.goto(site + "/osts/?q=straykdis")
    assert page.locator(".result-count").inner_text().startswith("0 OSTs")
    with page.expect_navigation():
        page.get_by_role("link", name="Stray Kids", exact=True).click()
    assert card_titles(page) == ["Close to You", "Here Always", "SLUMP", "TOP"]
