"""The OST filters in Debian's Chromium, with JavaScript and without (issue 13, items 2, 3 and 9)."""

from urllib.parse import urlsplit

import pytest

from catalog.models import OST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("article_data")]

MEMBER_GROUPS = "() => [...document.querySelectorAll('#id_member optgroup')].map((g) => g.dataset.group)"
ENABLED_MEMBERS = "() => [...document.querySelectorAll('#id_member option:not([disabled])')].map((o) => o.value)"


def open_page(browser, javascript=True, width=1280, height=900):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": height})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return context, page


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") + ("?" if url.endswith("?") else "")


def result_slugs(page):
    return {href.strip("/").split("/")[-1] for href in page.eval_on_selector_all(
        ".results .ost-card-title a", "(links) => links.map((a) => a.getAttribute('href'))"
    )}


def stray_kids_slugs(**filters):
    return set(OST.objects.filter(artist__slug="stray-kids", **filters).values_list("slug", flat=True))


def test_with_javascript_a_group_narrows_the_members_at_once_and_the_address_stays_clean(browser, live_server):
    context, page = open_page(browser)
    try:
        page.goto(live_server.url + "/osts/")
        groups = page.evaluate(MEMBER_GROUPS)
        assert len(groups) == 12 and "aespa" in groups  # every group's members, no group chosen
        page.select_option("#id_group", "stray-kids")
        # No page load: the members are narrowed in place.
        assert page.evaluate(MEMBER_GROUPS) == ["stray-kids"]
        assert path_of(page.url) == "/osts/"
        page.select_option("#id_member", "seungmin")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        assert path_of(page.url) == "/osts/?group=stray-kids&member=seungmin"
        assert result_slugs(page) == {"here-always", "close-to-you", "top", "slump"}
        assert page.locator(".result-count").inner_text() == "4 OSTs match"
        # On the unfiltered list: a member first, then a group she is not in; she goes back to "Any".
        page.goto(live_server.url + "/osts/")
        page.select_option("#id_member", "winter")
        page.select_option("#id_group", "stray-kids")
        assert page.input_value("#id_member") == ""
        page.select_option("#id_member", "seungmin")
        # Back to every group: every group's members again; the chosen member stays chosen.
        page.select_option("#id_group", "")
        assert len(page.evaluate(MEMBER_GROUPS)) == 12
        assert page.input_value("#id_member") == "seungmin"
        # Nothing chosen at all: the plain list, without a lone "?".
        page.select_option("#id_member", "")
        page.fill("#id_q", "   ")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        assert path_of(page.url) == "/osts/"
        # Only a search: only q is sent.
        page.fill("#id_q", "Kami no Tou")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        assert path_of(page.url) == "/osts/?q=Kami+no+Tou"
        assert result_slugs(page) == {"top", "slump"}
        assert page.errors == []
    finally:
        context.close()


def test_with_javascript_a_count_beside_an_option_is_the_number_of_results_it_gives(browser, live_server):
    context, page = open_page(browser)
    try:
        page.goto(live_server.url + "/osts/?group=stray-kids")
        label = page.locator("#id_type option[value='anime']").inner_text()
        assert label == f"Anime ({len(stray_kids_slugs(show__kind='anime'))})" == "Anime (2)"
        assert page.locator("#id_type option[value='web-drama']").is_disabled()
        page.select_option("#id_type", "anime")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        assert path_of(page.url) == "/osts/?group=stray-kids&type=anime"
        assert result_slugs(page) == stray_kids_slugs(show__kind="anime")
    finally:
        context.close()


def test_without_javascript_the_member_filter_works_alone_and_lands_on_a_clean_address(browser, live_server):
    context, page = open_page(browser, javascript=False)
    try:
        page.goto(live_server.url + "/osts/")
        # Every group's members are there to choose from, no group needed.
        assert page.locator("#id_member optgroup").count() == 12
        page.select_option("#id_member", "seungmin")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        # The form sent every field; the server answered with the address of the filters in use.
        assert path_of(page.url) == "/osts/?member=seungmin"
        assert result_slugs(page) == {"here-always", "close-to-you", "top", "slump"}
        # Choosing a group without JavaScript: the members of other groups are counted 0 and disabled after the
        # page load, the chosen member stays.
        page.select_option("#id_group", "stray-kids")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        assert path_of(page.url) == "/osts/?group=stray-kids&member=seungmin"
        enabled = set(page.evaluate(ENABLED_MEMBERS)) - {""}
        assert enabled == {"bang-chan", "lee-know", "changbin", "hyunjin", "han", "felix", "seungmin", "in"}
        # A member of another group with the group: the empty list says why.
        page.goto(live_server.url + "/osts/?group=stray-kids&member=winter")
        assert "Winter has never been a member of Stray Kids" in page.locator(".results").inner_text()
    finally:
        context.close()


def test_on_a_phone_apply_filters_stays_in_reach_while_filtering(browser, live_server):
    """At 390 px, with the filters open and scrolled to the first field, the button is on screen, at the bottom."""
    context, page = open_page(browser, width=390, height=844)
    try:
        page.goto(live_server.url + "/osts/")
        page.locator(".filters summary").click()
        for field in ("#id_q", "#id_member", "#id_network", "#id_year"):
            page.locator(field).scroll_into_view_if_needed()
            box = page.get_by_role("button", name="Apply filters").bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= 844, (field, box)
            assert box["height"] >= 44
        page.locator("#id_q").scroll_into_view_if_needed()
        box = page.get_by_role("button", name="Apply filters").bounding_box()
        assert box["y"] + box["height"] > 844 - 80  # held at the bottom of the screen, not in the middle
    finally:
        context.close()
