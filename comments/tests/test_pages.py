"""Comment pages, as WordPress's "Break comments into pages": threads oldest first, the newest page by default."""

import re
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from catalog.tests.factories import make_ost
from comments import moderation
from comments.models import Comment
from comments.section import comment_section
from comments.threads import CommentPages

from .factories import make_comment

# Pages go stale when a transaction commits: these tests commit as the site does.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def three_per_page(settings):
    settings.COMMENTS_PER_PAGE = 3
    settings.PAGE_CACHE_SECONDS = 0
    settings.COMMENTS_MIN_INTERVAL_SECONDS = 0


@pytest.fixture
def threads(ost):
    """Seven threads on the OST page (pages: 1–3, 4–6, 7), the first with a reply."""
    tops = [make_comment(ost, body=f"Thread {n}.") for n in range(1, 8)]
    make_comment(ost, parent=tops[0], body="Reply in thread 1.")
    return tops


def render_section(target, path="/"):
    request = RequestFactory().get(path)
    return render_to_string("comments/section.html", {"comments": comment_section(request, target)}, request)


def bodies(html):
    return re.findall(r"<p>((?:Thread|Reply)[^<]*)</p>", html)


def nav_links(html):
    """(text, href) of each link in the "Comment pages" navigation, or None without one."""
    match = re.search(r'<nav class="pagination comment-navigation" aria-label="Comment pages">(.*?)</nav>', html, re.S)
    if not match:
        return None
    return [
        (re.sub(r"<[^>]+>", "", text).strip(), href) for href, text in re.findall(r'href="([^"]*)">(.*?)</a>', match[1])
    ]


def test_the_default_page_is_the_last_with_the_newest_threads(ost, threads):
    """Without ?cpage the newest thread is shown, with a link to older comments and none to newer."""
    html = render_section(ost)
    assert bodies(html) == ["Thread 7."]
    assert nav_links(html) == [("← Older comments", "/osts/drama-song/?cpage=2#comments")]
    assert "Comment page 3 of 3" in html


def test_older_pages_are_reachable_and_link_both_ways(ost, threads):
    """?cpage=1 and 2 show the older threads oldest first; "Newer comments" from page 2 goes to the plain URL."""
    first = render_section(ost, "/?cpage=1")
    assert bodies(first) == ["Thread 1.", "Reply in thread 1.", "Thread 2.", "Thread 3."]
    assert nav_links(first) == [("Newer comments →", "/osts/drama-song/?cpage=2#comments")]
    second = render_section(ost, "/?cpage=2")
    assert bodies(second) == ["Thread 4.", "Thread 5.", "Thread 6."]
    assert nav_links(second) == [
        ("← Older comments", "/osts/drama-song/?cpage=1#comments"),
        ("Newer comments →", "/osts/drama-song/#comments"),
    ]


def test_one_page_of_comments_has_no_navigation(ost):
    """Three threads or fewer: no "Comment pages" navigation at all."""
    for _ in range(3):
        make_comment(ost)
    assert nav_links(render_section(ost)) is None
    assert "Comment page" not in render_section(ost)


def test_a_late_reply_stays_with_its_thread_on_an_older_page(ost, threads):
    """A reply posted after every thread, nested three deep, is shown on its thread's page and nowhere else."""
    second = make_comment(ost, parent=threads[1], body="Reply in thread 2.")
    make_comment(ost, parent=second, body="Reply to the reply in thread 2.")
    assert "Reply" not in "".join(bodies(render_section(ost)))
    assert bodies(render_section(ost, "/?cpage=1")) == [
        "Thread 1.",
        "Reply in thread 1.",
        "Thread 2.",
        "Reply in thread 2.",
        "Reply to the reply in thread 2.",
        "Thread 3.",
    ]


def test_replytocom_opens_the_page_that_holds_the_comment(ost, threads):
    """?replytocom=ID shows ID's page (whatever ?cpage says) with the form as a reply to it."""
    reply = Comment.objects.get(body="Reply in thread 1.")
    for query in [f"?replytocom={reply.pk}", f"?cpage=3&replytocom={reply.pk}"]:
        html = render_section(ost, f"/{query}")
        assert bodies(html)[:2] == ["Thread 1.", "Reply in thread 1."]
        assert f'Leave a Reply<span class="reply-to-name"> to {reply.author_name}</span>' in html
        assert f'name="parent" value="{reply.pk}"' in html
        assert 'id="cancel-comment-reply-link" href="/osts/drama-song/?cpage=1#respond">' in html


@pytest.mark.parametrize("cpage", ["", "0", "-1", "4", "99999999999999999999", "x", "²", "1.5", "1%00"])
def test_a_junk_or_out_of_range_cpage_shows_the_last_page(ost, threads, cpage):
    """Anything but a page number that exists falls back to the last page, never an error."""
    response = Client().get(f"{ost.get_absolute_url()}?cpage={cpage}")
    assert response.status_code == 200
    assert bodies(response.content.decode()) == ["Thread 7."]


def test_the_count_is_every_published_comment_on_every_page(ost, threads):
    """"8 comments" on each page; held, spam and trash comments are neither counted nor paged."""
    for status in [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH]:
        make_comment(ost, status=status, body=f"Thread unpublished {status}.")
    for path in ["/", "/?cpage=1", "/?cpage=2"]:
        html = render_section(ost, path)
        assert ">8 comments</h2>" in html
        assert "unpublished" not in html
    assert "Comment page 3 of 3" in render_section(ost)


def test_replies_to_an_unpublished_comment_are_on_no_page(ost, threads):
    """A reply whose parent went to the trash is shown nowhere and does not break the pages."""
    trashed = make_comment(ost, status=Comment.Status.TRASH, body="Thread trashed.")
    make_comment(ost, parent=trashed, body="Reply to a trashed thread.")
    for path in ["/", "/?cpage=1", "/?cpage=2"]:
        assert "trashed" not in render_section(ost, path)


def test_permalinks_name_the_comment_page_unless_it_is_the_last(ost, threads):
    """Older pages' permalinks carry ?cpage=N; the last page's need none."""
    assert f'href="/osts/drama-song/?cpage=1#comment-{threads[0].pk}"' in render_section(ost, "/?cpage=1")
    assert f'href="/osts/drama-song/#comment-{threads[6].pk}"' in render_section(ost)


def test_after_posting_a_reply_to_an_old_thread_the_author_lands_on_its_page(post, ost, threads):
    """The redirect after a reply goes to ?cpage=N#comment-ID on an older page, and that page shows the reply."""
    make_comment(author_email="minji@example.com")  # a known author: published at once
    response = post(ost, parent=threads[0].pk, body="A late reply.")
    reply = Comment.objects.get(body="A late reply.")
    assert reply.is_approved
    assert response["Location"] == f"/osts/drama-song/?cpage=1#comment-{reply.pk}"
    assert f'id="comment-{reply.pk}"' in Client().get(response["Location"]).content.decode()


def test_a_new_thread_is_on_the_last_page_so_its_link_needs_no_cpage(post, ost, threads):
    """A new top-level comment lands on the default page: the redirect is the plain #comment-ID link."""
    make_comment(author_email="minji@example.com")
    response = post(ost)
    comment = Comment.objects.get(ost=ost, author_email="minji@example.com")
    assert response["Location"] == f"/osts/drama-song/#comment-{comment.pk}"


def test_a_held_reply_is_shown_to_its_author_on_its_threads_page(post, ost, threads):
    """A held reply to an old thread: the redirect names the page as well as the moderation hash, and shows it."""
    response = post(ost, parent=threads[0].pk, body="A held reply.")
    held = Comment.objects.get(body="A held reply.")
    assert held.is_pending
    assert response["Location"] == (
        f"/osts/drama-song/?unapproved={held.pk}&moderation-hash={moderation.moderation_hash(held.pk)}"
        f"&cpage=1#comment-{held.pk}"
    )
    html = Client().get(response["Location"]).content.decode()
    assert f'id="comment-{held.pk}"' in html and "Your comment is awaiting moderation." in html


def test_every_comment_page_is_valid_and_accessible(ost, threads):
    """Unique ids, the navigation is labelled, arrows are hidden from screen readers, no inline style or script."""

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.navs, self.inline = [], [], []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            self.ids += [attrs["id"]] if "id" in attrs else []
            self.navs += [attrs.get("aria-label")] if tag == "nav" else []
            self.inline += [name for name in attrs if name == "style" or name.startswith("on")]
            self.inline += ["script"] if tag == "script" and "src" not in attrs else []

    for cpage in ["1", "2", "3"]:
        html = Client().get(f"{ost.get_absolute_url()}?cpage={cpage}").content.decode()
        tags = Tags()
        tags.feed(html)
        assert len(tags.ids) == len(set(tags.ids))
        assert "Comment pages" in tags.navs
        assert not [name for name in tags.inline if name != "script"]
        assert '<span aria-hidden="true">←</span>' in html or '<span aria-hidden="true">→</span>' in html


def test_comment_pages_are_cached_apart(client, ost, threads, settings):
    """With the page cache on, ?cpage=1 and the default page are stored and served separately."""
    settings.PAGE_CACHE_SECONDS = 300
    for _ in range(2):
        assert bodies(client.get(f"{ost.get_absolute_url()}?cpage=1").content.decode())[0] == "Thread 1."
        assert bodies(client.get(ost.get_absolute_url()).content.decode()) == ["Thread 7."]


def test_the_section_costs_the_same_queries_with_5_or_200_comments(ost, django_assert_max_num_queries):
    """Two queries whatever the number of comments, threads and replies, on any page or with replytocom."""
    for _ in range(5):
        make_comment(ost)
    with django_assert_max_num_queries(2):
        render_section(ost)
    parent = None
    for n in range(195):
        parent = make_comment(ost, parent=parent if n % 3 else None)
    for path in ["/", "/?cpage=1", f"/?replytocom={parent.pk}", "/?cpage=junk"]:
        with django_assert_max_num_queries(2):
            html = render_section(ost, path)
        assert ">200 comments</h2>" in html


def test_pages_from_ids_alone():
    """CommentPages finds each comment's thread and page from (id, parent_id, status) rows only."""
    rows = [(1, None, "approved"), (2, None, "approved"), (3, 1, "approved"), (4, 3, "pending"), (5, 9, "approved")]
    pages = CommentPages(rows, per_page=1)
    assert (pages.page_count, pages.approved_count) == (2, 4)
    assert [pages.page_of(pk) for pk in [1, 2, 3, 4, 5, 9, None]] == [1, 2, 1, 1, None, None, None]
    assert pages.ids_on(1) == [1, 3, 4] and pages.ids_on(2) == [2]
    assert [pages.number(v) for v in ["1", "2", "3", "0", "", None, "x"]] == [1, 2, 2, 2, 2, 2, 2]
    assert (pages.url("/", 1), pages.url("/", 2)) == ("/?cpage=1", "/")
    assert CommentPages([], per_page=50).page_count == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reader_goes_back_to_an_old_thread_and_replies_in_a_browser(live_server, browser, settings):
    """Older comments twice to page 1; Reply there (the script moves the form); the reply shows on that page."""
    from playwright.sync_api import expect

    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 0
    ost = make_ost(title="Drama Song", slug="drama-song")
    tops = [make_comment(ost, body=f"Thread {n}.", author_name=f"Fan {n}") for n in range(1, 8)]
    make_comment(author_email="minji@example.com")  # a known author: published at once
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_server.url + ost.get_absolute_url())
        expect(page.get_by_role("heading", name="7 comments")).to_be_visible()
        nav = page.get_by_role("navigation", name="Comment pages")
        expect(nav).to_contain_text("Comment page 3 of 3")
        nav.get_by_role("link", name="Older comments").click()
        nav.get_by_role("link", name="Older comments").click()
        expect(page).to_have_url(f"{live_server.url}/osts/drama-song/?cpage=1#comments")
        expect(nav.get_by_role("link", name="Older comments")).to_have_count(0)
        page.get_by_role("link", name="Reply to Fan 1").click()
        expect(page.locator(f"#comment-{tops[0].pk} #respond")).to_be_visible()
        page.get_by_role("textbox", name="Comment", exact=True).fill("Still the best, years later.")
        page.get_by_role("textbox", name="Name", exact=True).fill("Min-ji")
        page.get_by_role("textbox", name="Email", exact=True).fill("minji@example.com")
        page.get_by_role("button", name="Post Comment").click()
        reply = Comment.objects.get(parent=tops[0])
        expect(page).to_have_url(f"{live_server.url}/osts/drama-song/?cpage=1#comment-{reply.pk}")
        expect(page.locator(f"#comment-{tops[0].pk} .children #comment-{reply.pk}")).to_contain_text(
            "Still the best, years later."
        )
        expect(page.get_by_role("heading", name="8 comments")).to_be_visible()
    finally:
        context.close()
