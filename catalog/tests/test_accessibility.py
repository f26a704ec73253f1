"""In Debian's Chromium: axe-core finds no violations, the keyboard reaches everything, and CSP blocks nothing of ours."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User

from catalog.models import OST, ListenLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/osts/",
    "/osts/?type=anime&language=ja",
    "/osts/?year=abc&group=no-such-group",
    "/osts/?q=straykdis",
    "/osts/?written_by_idols=1",
    "/osts/?group=stray-kids&member=winter",
    "/osts/once-again/",
    "/osts/top/",
    "/groups/",
    "/groups/aespa/",
    "/groups/gi-dle/",
    "/osts/help-me/",
    "/osts/gonna-be-fine/",
    "/members/winter/",
    "/members/마시호/",
    "/shows/",
    "/shows/our-blues/",
    "/timeline/",
    "/timeline/?by=kind",
    "/osts/no-such-song/",
]
# Listens before any page script runs; Playwright's init scripts are not subject to the page's CSP.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName, cls: el.className, text: (el.textContent || "").trim(),
          outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth), form: el.form ? el.form.className : null};
}"""


@pytest.fixture
def site(live_server, article_data, settings):
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 0
    # A made-up listen link: ONCE AGAIN shows the buttons and its card the play mark; TOP shows the searches.
    ListenLink.objects.create(
        ost=OST.objects.get(slug="once-again"), kind="youtube", content="mv", url="https://www.youtube.com/watch?v=test"
    )
    return live_server.url


@pytest.fixture(params=["light", "dark"])
def page(request, browser):
    """A page in a fresh context, in the light or dark colour scheme, recording console errors and CSP violations."""
    context = browser.new_context(color_scheme=request.param, viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    # Stylesheets, scripts and images that fail; the page itself may answer 400 or 404 on purpose.
    page.on(
        "response",
        lambda response: response.status >= 400
        and response.request.resource_type != "document"
        and page.console_errors.append(f"{response.status} {response.url}"),
    )
    yield page
    context.close()


def no_violations(page):
    """axe-core (bundled by axe-playwright-python, injected with page.evaluate so CSP does not block it)."""
    results = Axe().run(page)
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]
    assert not details, f"{page.url}:\n" + "\n".join(details)


def no_csp_violations(page):
    violations = page.evaluate("window.__cspViolations")
    # "Failed to load resource" is logged for a page answering 400 or 404 too; failed subresources are recorded above.
    errors = [text for text in page.console_errors if not text.startswith("Failed to load resource")]
    assert not violations and not errors, f"{page.url}: {violations} {errors}"


def test_every_page_type_passes_axe_with_no_csp_violation(site, page):
    """Zero axe-core violations and zero CSP violations or console errors on every page type, in both colour schemes."""
    for path in PAGES:
        page.goto(site + path)
        no_violations(page)
        no_csp_violations(page)


def test_an_editors_preview_of_a_draft_passes_axe(site, page):
    """The draft banner of an editor's preview: no axe violation, in both colour schemes."""
    User.objects.create_user("editor", password="a long password", is_staff=True, is_superuser=True)
    OST.objects.filter(slug="top").update(is_draft=True)
    page.goto(site + "/admin/login/?next=/osts/top/%3Fpreview")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a long password")
    page.click("input[type=submit]")
    page.wait_for_url("**/osts/top/?preview")
    assert "Draft — only editors see this." in page.locator(".draft-banner").inner_text()
    no_violations(page)
    no_csp_violations(page)


def test_comment_form_with_errors_passes_axe(site, page):
    """An empty comment sent past the browser's own checks comes back with errors that axe finds no fault with."""
    page.goto(site + OST.objects.get(slug="once-again").get_absolute_url())
    page.evaluate("document.getElementById('commentform').noValidate = true")
    page.get_by_role("button", name="Post Comment").click()
    page.wait_for_selector("#comment-errors li")
    no_violations(page)
    no_csp_violations(page)


def test_skip_link_comes_first_and_moves_focus_to_main(site, page):
    """The first Tab lands on a visible "Skip to content" link; Enter puts focus on <main>."""
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["cls"] == "skip-link" and focused["text"] == "Skip to content"
    assert focused["outline"] != "none" and focused["outlineWidth"] > 0
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # Moved on screen, not left hidden above it.
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED)["id"] == "content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_focus_is_always_visible(site, page):
    """Each of the first 40 Tab stops on the OST list shows an outline."""
    page.goto(site + "/osts/")
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["outline"] != "none" and focused["outlineWidth"] > 0, focused


def tab_to(page, test, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if test(focused):
            return focused
    raise AssertionError("never reached by Tab")


def test_filter_form_works_from_the_keyboard(site, page):
    """Tab to "Kind of show", pick Anime with the arrow keys, Tab to the button, Enter: the list is filtered."""
    page.goto(site + "/osts/")
    tab_to(page, lambda focused: focused["id"] == "id_type")
    page.keyboard.press("ArrowDown")  # Any → the first kind
    chosen = page.evaluate("document.activeElement.value")
    assert chosen
    tab_to(page, lambda focused: focused["tag"] == "BUTTON" and focused["form"] == "filter-form")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"type={chosen}" in page.url
    expected = OST.objects.filter(show__kind=chosen).count()
    assert page.locator(".result-count").inner_text().startswith(f"{expected} OST")


def test_the_csp_recorder_sees_an_inline_script_blocked(site, page, client):
    """Under our own CSP header an inline script is refused and recorded, so an empty record above means something."""
    policy = client.get("/")["Content-Security-Policy"]
    html = '<!DOCTYPE html><title>probe</title><script>document.title = "ran"</script><script type="application/ld+json">{"a": 1}</script>'
    page.route(
        site + "/csp-probe/",
        lambda route: route.fulfill(status=200, body=html, headers={"Content-Type": "text/html", "Content-Security-Policy": policy}),
    )
    page.goto(site + "/csp-probe/")
    assert page.title() == "probe"
    violations = page.evaluate("window.__cspViolations")
    assert len(violations) == 1 and violations[0].startswith("script-src")
