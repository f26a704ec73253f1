import re
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from catalog.models import OST
from catalog.tests.factories import make_group, make_member, make_ost, make_show
from comments import moderation
from comments.models import Comment
from comments.section import comment_section

from .factories import make_comment

# Pages go stale when a transaction commits: these tests commit as the site does.
pytestmark = pytest.mark.django_db(transaction=True)


def render_section(target, path="/", cookies=None):
    """The comment section alone, as a page view passes it to its template."""
    request = RequestFactory().get(path)
    request.COOKIES.update(cookies or {})
    return render_to_string("comments/section.html", {"comments": comment_section(request, target)}, request)


def page(url, **kw):
    response = Client(**kw).get(url)
    assert response.status_code == 200
    return response.content.decode()


class Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("kind", ["home", "ost", "show", "group", "member"])
def test_every_page_has_the_comment_section_and_form(kind):
    """Home, OST, show, group and member pages all show the conversation and the "Leave a Reply" form."""
    target = {"home": lambda: None, "ost": make_ost, "show": make_show, "group": make_group, "member": make_member}[kind]()
    make_comment(target, body="Seen on this page")
    html = page(target.get_absolute_url() if target else "/")
    assert 'id="comments"' in html and "1 comment<" in html
    assert "Seen on this page" in html
    assert "Leave a Reply" in html
    assert f'name="target_type" value="{kind}"' in html


def test_the_form_has_the_wordpress_fields_notes_and_checkbox(ost):
    """Comment*, Name*, Email*, Website, the cookie checkbox, and the two notes readers know."""
    html = render_section(ost)
    for label in ["Comment", "Name", "Email"]:
        assert f'>{label} <span class="required" aria-hidden="true">*</span></label>' in html
    assert ">Website</label>" in html
    assert "Save my name, email, and website in this browser for the next time I comment." in html
    assert "Your email address will not be published." in html
    assert 'Required fields are marked <span class="required">*</span>' in html
    assert ">Post Comment</button>" in html


def test_the_form_markup_is_valid_and_labelled(ost):
    """No action="", ids unique, every input but the hidden ones labelled, the script loaded with defer."""
    make_comment(ost)
    html = render_section(ost)
    tags = Elements(html).tags
    ids = [attrs["id"] for _, attrs in tags if "id" in attrs]
    assert len(ids) == len(set(ids))
    [form] = [attrs for tag, attrs in tags if tag == "form"]
    assert form["action"] == "/comments/post/#respond" and form["method"] == "post"
    labelled = {attrs["for"] for tag, attrs in tags if tag == "label"}
    for tag, attrs in tags:
        if tag in {"input", "textarea"} and attrs.get("type") != "hidden":
            assert attrs["id"] in labelled, attrs
    [script] = [attrs for tag, attrs in tags if tag == "script"]
    assert script["src"].endswith("js/comments.js") and "defer" in script
    assert " on" not in "".join(f" {name}" for _, attrs in tags for name in attrs if name.startswith("on"))
    assert "style=" not in html


def test_the_honeypot_is_hidden_from_people_and_labelled_for_screen_readers():
    """Hidden by CSS, aria-hidden, out of the tab order, labelled "Leave this field empty"."""
    tags = Elements(render_section(None)).tags
    [wrapper] = [attrs for tag, attrs in tags if attrs.get("class") == "comment-form-hp"]
    assert wrapper["aria-hidden"] == "true"
    [field] = [attrs for tag, attrs in tags if attrs.get("name") == "comment_hp"]
    assert field["tabindex"] == "-1" and field["autocomplete"] == "off"
    assert '<label for="comment-form-comment_hp">Leave this field empty</label>' in render_section(None)


def test_a_comment_shows_name_linked_to_website_avatar_date_and_permalink(ost):
    """The name links to the website with rel="nofollow ugc"; an avatar, the date and #comment-ID are shown."""
    comment = make_comment(ost, author_name="Yuna Kim", author_url="https://yuna.example/")
    html = render_section(ost)
    assert '<a class="url" href="https://yuna.example/" rel="nofollow ugc">Yuna Kim</a>' in html
    assert '<svg class="avatar comment-avatar"' in html and ">YK</text>" in html
    assert f'<a class="comment-permalink" href="/osts/{ost.slug}/#comment-{comment.pk}"><time datetime="' in html
    assert f'<li id="comment-{comment.pk}"' in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}">\w+ \d+, \d{4} at ', html)


def test_a_name_without_website_is_not_a_link(ost):
    """No website, no link."""
    make_comment(ost, author_name="Yuna")
    assert '<span class="fn">Yuna</span>' in render_section(ost)


def test_the_email_is_never_in_the_page():
    """Emails appear nowhere in the HTML, neither for published nor for the author's held comment."""
    make_comment(None, author_email="secret-one@example.com", author_url="https://one.example")
    held = make_comment(None, author_email="secret-two@example.com", status=Comment.Status.PENDING)
    make_comment(None, author_email="secret-three@example.com", status=Comment.Status.SPAM)
    html = page(f"/?unapproved={held.pk}&moderation-hash={moderation.moderation_hash(held.pk)}")
    assert "awaiting moderation" in html
    assert "secret-" not in html and "@example.com" not in html


def test_counts_show_approved_comments_only(ost):
    """"3 comments" counts published comments; held, spam and trash are neither shown nor counted."""
    for _ in range(3):
        make_comment(ost)
    for status in [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH]:
        make_comment(ost, status=status, body=f"Not shown: {status}")
    make_comment(make_ost())
    html = render_section(ost)
    assert ">3 comments</h2>" in html
    assert "Not shown" not in html
    assert Comment.objects.most_discussed_osts()[0] == (ost.pk, 3)


def test_one_comment_is_singular_and_none_says_so(ost):
    """"1 comment", and "No comments yet" on a page without any."""
    assert ">No comments yet</h2>" in render_section(ost)
    make_comment(ost)
    assert ">1 comment</h2>" in render_section(ost)


def test_replies_nest_three_levels_deep(ost):
    """Replies sit in nested lists; a reply to a third-level comment joins the third level and says whom it answers."""
    top = make_comment(ost)
    second = make_comment(ost, parent=top)
    third = make_comment(ost, parent=second, author_name="Third")
    fourth = make_comment(ost, parent=third)
    html = render_section(ost)
    assert f'<li id="comment-{second.pk}" class="comment depth-2">' in html
    assert f'<li id="comment-{third.pk}" class="comment depth-3">' in html
    assert f'<li id="comment-{fourth.pk}" class="comment depth-3">' in html
    assert "replying to Third" in html
    assert html.count('<ol class="children">') == 2


def test_each_approved_comment_has_a_reply_link_that_works_without_javascript(ost):
    """Reply is a ?replytocom=ID#respond link carrying the id and name for the script."""
    comment = make_comment(ost, author_name="Hae-won")
    html = render_section(ost)
    assert (
        f'<a class="comment-reply-link" href="/osts/{ost.slug}/?replytocom={comment.pk}#respond" rel="nofollow" '
        f'data-comment-id="{comment.pk}" data-author="Hae-won" aria-label="Reply to Hae-won">Reply</a>'
    ) in html


def test_replytocom_renders_the_form_as_a_reply(client, ost):
    """Without JavaScript, ?replytocom=ID gives "Leave a Reply to NAME", a Cancel reply link and the parent."""
    comment = make_comment(ost, author_name="Hae-won")
    html = page(f"{ost.get_absolute_url()}?replytocom={comment.pk}")
    assert 'Leave a Reply<span class="reply-to-name"> to Hae-won</span>' in html
    assert f'<a id="cancel-comment-reply-link" href="/osts/{ost.slug}/#respond">Cancel reply</a>' in html
    assert f'<input type="hidden" name="parent" value="{comment.pk}" id="comment-form-parent">' in html


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM])
def test_replytocom_is_ignored_for_comments_that_cannot_be_answered(ost, status):
    """An unpublished comment, one on another page, or nonsense: the form stays a plain comment form."""
    for reply_to in [make_comment(ost, status=status).pk, make_comment(make_ost()).pk, "x", "²", "-1", ""]:
        html = render_section(ost, f"/?replytocom={reply_to}")
        assert 'Leave a Reply<span class="reply-to-name"></span>' in html
        assert 'id="cancel-comment-reply-link" href="/osts/drama-song/#respond" hidden>' in html
        assert '<input type="hidden" name="parent" id="comment-form-parent">' in html


@pytest.mark.parametrize("held_id", ["²", "x", "", "99999999999999999999999"])
def test_odd_unapproved_ids_show_nothing_extra(ost, held_id):
    """Junk in ?unapproved= with any hash is ignored, never an error."""
    make_comment(ost, status=Comment.Status.PENDING)
    html = render_section(ost, f"/?unapproved={held_id}&moderation-hash={moderation.moderation_hash(held_id)}")
    assert "awaiting moderation" not in html


def test_held_comments_have_no_reply_link(ost):
    """Only published comments can be answered."""
    held = make_comment(ost, status=Comment.Status.PENDING)
    html = render_section(ost, f"/?unapproved={held.pk}&moderation-hash={moderation.moderation_hash(held.pk)}")
    assert "Your comment is awaiting moderation." in html
    assert "class=\"comment-reply-link\"" not in html


def test_the_saved_details_pre_fill_the_form(ost):
    """The cookies set by a post with the box ticked fill in name, email and website, and tick the box."""
    cookies = {
        "comment_author": "%EA%B9%80%EB%AF%BC%EC%A7%80",
        "comment_author_email": "minji%40example.com",
        "comment_author_url": "https%3A//minji.example",
    }
    html = render_section(ost, cookies=cookies)
    assert 'name="author_name" value="김민지"' in html
    assert 'name="author_email" value="minji@example.com"' in html
    assert 'name="author_url" value="https://minji.example"' in html
    assert 'name="remember" id="comment-form-remember" checked' in html


def test_without_saved_details_the_form_is_empty():
    """No cookies, no pre-fill, box unticked."""
    html = render_section(None)
    assert 'name="author_name" value=' not in html
    assert 'name="remember" id="comment-form-remember">' in html


def test_a_post_with_the_box_ticked_pre_fills_the_next_visit(client, post, ost):
    """Post with "Save my name…" ticked, come back: the form is filled in; post unticked: it is empty again."""
    post(ost, remember="on", author_url="https://minji.example")
    html = client.get(ost.get_absolute_url()).content.decode()
    assert 'value="Min-ji"' in html and 'value="minji@example.com"' in html and 'value="https://minji.example"' in html
    post(ost, ip="192.0.2.50", body="Second, unticked")
    html = client.get(ost.get_absolute_url()).content.decode()
    assert 'value="Min-ji"' not in html and "minji@example.com" not in html


def test_pages_with_the_form_vary_on_cookie(ost):
    """Pre-filled forms are per reader: the page says it varies with cookies, so no cache shares it."""
    response = Client().get(ost.get_absolute_url())
    assert "Cookie" in response["Vary"]


def test_the_section_costs_the_same_queries_with_1_or_40_comments(ost, django_assert_num_queries):
    """Two queries (ids for the comment page, then its threads) whatever the size (replies included)."""
    make_comment(ost)
    with django_assert_num_queries(2):
        render_section(ost)
    top = make_comment(ost)
    for i in range(38):
        top = make_comment(ost, parent=top if i % 2 else None, author_url="https://x.example")
    with django_assert_num_queries(2):
        html = render_section(ost, f"/?replytocom={top.pk}")
    assert ">40 comments</h2>" in html


def test_a_page_costs_the_same_queries_however_many_comments(ost, settings, django_assert_max_num_queries):
    """The OST page's query count does not grow with its comments (page cache off; each comment empties the caches)."""
    settings.PAGE_CACHE_SECONDS = 0
    make_comment(ost)
    client = Client()
    with CaptureQueriesContext(connection) as few:
        client.get(ost.get_absolute_url())
    for _ in range(30):
        make_comment(ost)
    with django_assert_max_num_queries(len(few)):
        client.get(ost.get_absolute_url())


def test_the_comment_list_is_made_once_until_a_comment_changes(ost, settings):
    """Without the page cache, the rendered comments are reused; a new approved comment shows at once."""
    settings.PAGE_CACHE_SECONDS = 0
    make_comment(ost, body="First one")
    client = Client()
    first = client.get(ost.get_absolute_url()).content.decode()
    with CaptureQueriesContext(connection) as again:
        assert client.get(ost.get_absolute_url()).content.decode().count("First one") == first.count("First one") == 1
    assert not any('"comments_comment"."body"' in query["sql"] for query in again)
    make_comment(ost, body="Second one")
    assert "Second one" in client.get(ost.get_absolute_url()).content.decode()


def normalised(html):
    """The section with the per-reader values (CSRF token, signed time) made equal."""
    return re.sub(r'name="(csrfmiddlewaretoken|timestamp)" value="[^"]*"', r'name="\1" value="X"', html)


@pytest.mark.parametrize("kind", ["home", "ost", "show", "group", "member"])
def test_the_blank_form_is_the_form_template_rendered(kind, settings):
    """The empty form's fields come from a copy rendered once per process (`blank_form_fields`); the section must
    be exactly what the form template gives in full for this page, its comment page and the reader's token."""
    from comments.forms import CommentForm

    target = {"home": lambda: None, "ost": make_ost, "show": make_show, "group": make_group, "member": make_member}[kind]()
    for number in range(3):
        make_comment(target, body=f"Comment {number}")
    settings.COMMENTS_PER_PAGE = 2
    path = (target.get_absolute_url() if target else "/") + "?cpage=1"
    request = RequestFactory().get(path)
    section = comment_section(request, target)
    assert "blank_fields" in section and not section["personal"]
    fast = render_to_string("comments/includes/form.html", {"comments": section}, request)
    full = render_to_string(
        "comments/includes/form.html",
        {"comments": {**section, "blank_fields": None, "form": CommentForm(target)}},
        request,
    )
    assert 'href="' + path + '#respond"' in fast
    assert f'name="target_type" value="{kind}"' in fast
    assert normalised(fast) == normalised(full)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', fast).group(1)
    assert len(token) == 64


def test_a_reader_with_saved_details_gets_the_full_form(ost):
    html = render_section(ost, cookies={"comment_author": "Mina"})
    assert re.search(r'name="author_name"[^>]*value="Mina"', html)
