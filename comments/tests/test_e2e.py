"""The conversation in a real browser: Debian's Chromium driven by Playwright against the live server."""

import pytest
from playwright.sync_api import expect

from catalog.models import OST
from comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REMEMBER = "Save my name, email, and website in this browser for the next time I comment."


@pytest.fixture
def ost_url(live_server, article_data, settings):
    """An OST page of the article's catalogue, with the anti-robot delays off (every browser posts from 127.0.0.1)."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 0
    settings.COMMENTS_MIN_INTERVAL_SECONDS = 0
    return live_server.url + OST.objects.get(slug="once-again").get_absolute_url()


@pytest.fixture
def new_page(browser):
    """A page in a fresh browser context (its own cookies: another reader); all closed after the test."""
    contexts = []

    def new_page(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1].new_page()

    yield new_page
    for context in contexts:
        context.close()


def field(page, name):
    """A form field found by its accessible name, as a screen reader announces it (the * is aria-hidden)."""
    return page.get_by_role("textbox", name=name, exact=True)


def fill_comment(page, body, name, email, website=""):
    field(page, "Comment").fill(body)
    field(page, "Name").fill(name)
    field(page, "Email").fill(email)
    field(page, "Website").fill(website)


def test_comment_moderation_reply_and_saved_details(live_server, ost_url, new_page, django_user_model):
    """A reader comments and sees it held, an editor approves it, another reader sees it and replies, details are kept."""
    reader = new_page()
    reader.goto(ost_url)
    expect(reader.get_by_role("heading", name="No comments yet")).to_be_visible()
    fill_comment(reader, "ONCE AGAIN is my favourite OST!", "Min-ji", "minji@example.com", "https://minji.example")
    reader.get_by_label(REMEMBER).check()
    reader.get_by_role("button", name="Post Comment").click()

    comment = Comment.objects.get()
    expect(reader).to_have_url(f"{ost_url}?unapproved={comment.pk}&moderation-hash={reader.url.split('hash=')[1]}")
    held = reader.locator(f"#comment-{comment.pk}")
    expect(held).to_contain_text("ONCE AGAIN is my favourite OST!")
    expect(held.locator(".comment-awaiting-moderation")).to_have_text("Your comment is awaiting moderation.")

    other = new_page()
    other.goto(ost_url)
    expect(other.get_by_text("ONCE AGAIN is my favourite OST!")).to_have_count(0)

    django_user_model.objects.create_superuser("editor", "editor@example.com", "a-long-test-password")
    editor = new_page()
    editor.goto(f"{live_server.url}/admin/comments/comment/?status__exact=pending")
    editor.get_by_label("Username").fill("editor")
    editor.get_by_label("Password").fill("a-long-test-password")
    editor.get_by_role("button", name="Log in").click()
    expect(editor.get_by_role("navigation", name="Comments by status")).to_contain_text("Awaiting moderation (1)")
    editor.get_by_role("row", name="Min-ji").get_by_role("checkbox").check()
    editor.locator("select[name=action]").select_option(label="Approve selected comments")
    editor.get_by_role("button", name="Go", exact=True).click()
    expect(editor.get_by_text("1 comment(s) approved.")).to_be_visible()

    other.reload()
    expect(other.get_by_role("heading", name="1 comment")).to_be_visible()
    published = other.locator(f"#comment-{comment.pk}")
    expect(published).to_contain_text("ONCE AGAIN is my favourite OST!")
    expect(published.get_by_role("link", name="Min-ji", exact=True)).to_have_attribute("rel", "nofollow ugc")
    published.get_by_role("link", name="Reply to Min-ji").click()
    # The script moved the form under the comment and made it a reply.
    expect(published.locator("#respond")).to_be_visible()
    expect(other.locator("#reply-title")).to_contain_text("Leave a Reply to Min-ji")
    expect(other.get_by_role("link", name="Cancel reply")).to_be_visible()
    expect(field(other, "Comment")).to_be_focused()
    fill_comment(other, "Same! The bridge gets me every time.", "Hae-won", "haewon@example.com")
    other.get_by_role("button", name="Post Comment").click()

    reply = Comment.objects.get(parent=comment)
    expect(other.locator(f"#comment-{comment.pk} .children #comment-{reply.pk}")).to_contain_text(
        "Your comment is awaiting moderation."
    )
    expect(field(other, "Name")).to_have_value("")

    reader.goto(ost_url)
    expect(field(reader, "Name")).to_have_value("Min-ji")
    expect(field(reader, "Email")).to_have_value("minji@example.com")
    expect(field(reader, "Website")).to_have_value("https://minji.example")
    expect(reader.get_by_label(REMEMBER)).to_be_checked()


def test_cancel_reply_puts_the_form_back(ost_url, new_page):
    """With JavaScript, Cancel reply moves the form back below the comments and makes it a new comment again."""
    comment = Comment.objects.create(
        ost=OST.objects.get(slug="once-again"), author_name="Yuna", author_email="y@example.com", body="Hi", status="approved"
    )
    page = new_page()
    page.goto(ost_url)
    page.get_by_role("link", name="Reply to Yuna").click()
    expect(page.locator(f"#comment-{comment.pk} #respond")).to_have_count(1)
    page.get_by_role("link", name="Cancel reply").click()
    expect(page.locator(f"#comment-{comment.pk} #respond")).to_have_count(0)
    expect(page.get_by_role("heading", name="Leave a Reply", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Cancel reply")).to_be_hidden()
    expect(page.locator("#comment-form-parent")).to_have_value("")


def test_replying_works_without_javascript(ost_url, new_page):
    """Without JavaScript, Reply loads ?replytocom=ID#respond with "Leave a Reply to NAME"; the reply is nested."""
    comment = Comment.objects.create(
        ost=OST.objects.get(slug="once-again"), author_name="Yuna", author_email="y@example.com", body="Hi", status="approved"
    )
    page = new_page(java_script_enabled=False)
    page.goto(ost_url)
    page.get_by_role("link", name="Reply to Yuna").click()
    expect(page).to_have_url(f"{ost_url}?replytocom={comment.pk}#respond")
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to Yuna")
    expect(page.get_by_role("link", name="Cancel reply")).to_be_visible()
    fill_comment(page, "Replying without scripts.", "Plain Reader", "plain@example.com")
    page.get_by_role("button", name="Post Comment").click()
    reply = Comment.objects.get(parent=comment)
    expect(page.locator(f"#comment-{comment.pk} .children #comment-{reply.pk}")).to_contain_text(
        "Replying without scripts."
    )


def test_a_refused_comment_comes_back_with_the_text_and_the_reason_in_focus(ost_url, new_page):
    """A duplicate comes back on the OST page, scrolled to the form, the reason focused and the text still there."""
    Comment.objects.create(
        ost=OST.objects.get(slug="once-again"), author_name="Min-ji", author_email="minji@example.com", body="Again!"
    )
    page = new_page()
    page.goto(ost_url)
    fill_comment(page, "Again!", "Min-ji", "minji@example.com")
    page.get_by_role("button", name="Post Comment").click()
    errors = page.locator("#comment-errors")
    expect(errors).to_contain_text("Duplicate comment detected; it looks as though you’ve already said that!")
    expect(errors).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("ONCE AGAIN")
    expect(field(page, "Comment")).to_have_value("Again!")
    assert page.url.endswith("/comments/post/#respond")


def test_the_honeypot_is_out_of_sight(ost_url, new_page):
    """People never see the honeypot field, on a phone or a desktop."""
    for width in [375, 1280]:
        page = new_page(viewport={"width": width, "height": 800})
        page.goto(ost_url)
        box = page.locator("#comment-form-comment_hp").bounding_box()
        assert box is None or box["x"] + box["width"] <= 0 or box["width"] <= 1


def test_a_comment_refused_by_the_csrf_check_comes_back_to_send_again(ost_url, new_page):
    """The CSRF cookie is gone when the reader posts: our page shows their words (as text) and sends them again."""
    written = "<b>Not bold</b> & still mine: ONCE AGAIN 최고!"
    reader = new_page()
    reader.goto(ost_url)
    fill_comment(reader, written, "Min-ji", "minji@example.com", "https://minji.example")
    reader.context.clear_cookies(name="csrftoken")
    reader.get_by_role("button", name="Post Comment").click()

    expect(reader.get_by_role("heading", name="Your comment is not posted yet")).to_be_visible()
    expect(reader.get_by_role("alert")).to_contain_text("We could not confirm that the form came from this site")
    expect(field(reader, "Comment")).to_have_value(written)
    expect(reader.locator("b")).to_have_count(0)  # Shown as text, never as markup.
    expect(field(reader, "Name")).to_have_value("Min-ji")
    expect(field(reader, "Website")).to_have_value("https://minji.example")
    assert Comment.objects.count() == 0

    reader.get_by_role("button", name="Post Comment").click()
    expect(reader.locator(".comment-awaiting-moderation")).to_have_text("Your comment is awaiting moderation.")
    comment = Comment.objects.get()
    assert (comment.body, comment.author_url) == (written, "https://minji.example")
    expect(reader.locator(f"#comment-{comment.pk}")).to_contain_text(written)


def test_a_reader_who_fixes_a_typo_at_once_is_not_taken_for_a_robot(ost_url, new_page, settings):
    """The form's age counts from the first page load: sent again within a second of the refusal, it is accepted."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 2
    reader = new_page()
    reader.goto(ost_url)
    reader.wait_for_timeout(2500)  # A reader takes a few seconds to write; the form is now old enough.
    fill_comment(reader, "The bridge of ONCE AGAIN!", "Min-ji", "minji@example")
    reader.get_by_role("button", name="Post Comment").click()
    expect(reader.locator("#comment-errors")).to_contain_text("Please enter a valid email address")

    field(reader, "Email").fill("minji@example.com")
    reader.get_by_role("button", name="Post Comment").click()
    expect(reader.locator(".comment-awaiting-moderation")).to_have_text("Your comment is awaiting moderation.")
    assert Comment.objects.get().author_email == "minji@example.com"
