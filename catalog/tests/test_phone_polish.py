"""Phone and polish: icons, comment times and avatars, Korean line breaks, tap targets."""

import re

import pytest

from catalog.models import OST
from comments.models import Comment


@pytest.mark.django_db
def test_favicon_and_home_screen_icon_are_served(client):
    """/favicon.ico and the home-screen icon answer 200 with images, and every page links them."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    touch = client.get("/apple-touch-icon.png")
    assert touch.status_code == 200 and touch["Content-Type"] == "image/png"
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in html
    assert '<link rel="apple-touch-icon" href="/apple-touch-icon.png">' in html


@pytest.mark.usefixtures("article_data")
def test_comment_shows_letters_only_avatar_its_time_zone_and_the_count(client):
    """"Minji (MY since 2020)" gets "MM", never "M2"; the time says KST; the heading counts the comments."""
    ost = OST.objects.get(slug="once-again")
    for name in ("Minji (MY since 2020)", "Hana"):
        Comment.objects.create(
            ost=ost, author_name=name, author_email="fan@example.com", body="Love it", status=Comment.Status.APPROVED
        )
    html = client.get(ost.get_absolute_url()).content.decode()
    section = html[html.index('<section id="comments"') :]
    avatars = re.findall(r'<svg class="avatar comment-avatar".*?<text[^>]*>(.*?)</text>', section, re.S)
    assert avatars == ["MM", "Ha"]
    times = re.findall(r"<time [^>]*>(.*?)</time>", section)
    assert len(times) == 2 and all(t.endswith(" KST") for t in times), times
    assert '<h2 id="comments-title" class="comments-title">2 comments</h2>' in section


KOREAN_WORDS = """() => {
  const box = document.createElement('p');
  box.lang = 'ko';
  box.style.width = '6.5em';
  box.textContent = '스트레이 키즈 여자 아이들 투모로우바이투게더';
  document.querySelector('main').append(box);
  const node = box.firstChild, text = node.textContent, broken = [];
  let start = 0;
  for (const word of text.split(' ')) {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, start + word.length);
    const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    if (lines.size > 1 && word.length < 8) broken.push(word);
    start += word.length + 1;
  }
  return broken;
}"""

SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('a, button, input, select, summary, textarea')) {
    const rect = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!rect.width || !rect.height || style.visibility === 'hidden') continue;
    // Links inside running text are exempt from the target size (WCAG 2.5.8, "inline").
    if (el.tagName === 'A' && style.display === 'inline' && el.closest('p, dd, .notes') && !el.closest('nav')) continue;
    if (rect.width < 24 || rect.height < 24)
      small.push(`${el.tagName} "${(el.textContent || el.name || '').trim().slice(0, 30)}" ${rect.width}x${rect.height}`);
  }
  return small;
}"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_korean_wraps_between_words_and_targets_are_big_enough_on_a_phone(live_server, article_data, phone):
    """At 390 px: Korean words are never split across lines, and every tap target is at least 24×24 px."""
    pages = ["/", "/osts/", "/osts/gonna-be-fine/", "/groups/treasure/", "/members/마시호/", "/shows/our-blues/", "/timeline/"]
    for path in pages:
        phone.goto(live_server.url + path)
        assert phone.evaluate(SMALL_TARGETS) == [], path
    phone.goto(live_server.url + "/groups/stray-kids/")
    assert phone.evaluate(KOREAN_WORDS) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_group_page_shows_the_songs_before_the_line_up_on_a_phone(live_server, article_data, browser):
    """At 390 px the songs' heading is above the line-up's; at 1280 px the line-up sits beside the songs, on the right."""
    boxes = {}
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(live_server.url + "/groups/treasure/")
        boxes[width] = (page.locator("#osts-heading").bounding_box(), page.locator("#lineup-heading").bounding_box())
        context.close()
    songs, lineup = boxes[390]
    assert songs["y"] + songs["height"] <= lineup["y"]
    songs, lineup = boxes[1280]
    assert lineup["x"] >= songs["x"] + songs["width"] and abs(lineup["y"] - songs["y"]) < 20


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_type_logs_a_console_error_or_fails_a_request(live_server, article_data, browser):
    """Home, lists, OST, group, member, show and timeline pages, on a phone and a desktop: no console error, no
    script error, no request that fails or answers 400 or more (the icons included)."""
    pages = [
        "/", "/osts/", "/osts/?type=anime", "/osts/once-again/", "/groups/", "/groups/treasure/", "/members/winter/",
        "/shows/", "/shows/our-blues/", "/timeline/", "/timeline/?by=kind",
    ]
    for viewport in ({"width": 390, "height": 844}, {"width": 1280, "height": 900}):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        problems = []
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("requestfailed", lambda request: problems.append(f"failed {request.url}"))
        page.on("response", lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}"))
        for path in pages:
            page.goto(live_server.url + path, wait_until="networkidle")
            assert problems == [], path
        # What a browser asks for on its own, even where no page links it.
        for icon in ("/favicon.ico", "/apple-touch-icon.png"):
            assert page.request.get(live_server.url + icon).status == 200
        context.close()
