"""Listen: official links to hear or watch an OST, managed in the admin, shown as buttons and as a card's play mark;
searches on the services where none is stored.

The addresses below are made up for the tests (the catalogue stores only links a source confirms)."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from reversion.models import Version

from catalog.models import OST, ListenLink

from .admin_forms import field_errors, post_form

pytestmark = [pytest.mark.usefixtures("article_data"), pytest.mark.django_db(transaction=True)]

MV = "https://www.youtube.com/watch?v=test-top"


def listen_section(client, path):
    content = client.get(path).content.decode()
    return re.search(r'<section aria-labelledby="listen-heading".*?</section>', content, re.S).group(0)


def buttons(section):
    return [(html.unescape(href), re.sub(r"<[^>]+>", "", text).strip())
            for href, text in re.findall(r'<a class="button[^"]*" href="([^"]+)"[^>]*>(.*?)</a>', section)]


def card_of(client, list_path, title):
    content = client.get(list_path).content.decode()
    cards = re.findall(r'<article class="ost-card">.*?</article>', content, re.S)
    return next(card for card in cards if f">{title}</a>" in card)


def test_without_links_the_page_offers_labelled_searches(client):
    """No link stored for TOP: searches on YouTube, Spotify and Melon for its title and group."""
    found = buttons(listen_section(client, "/osts/top/"))
    assert [text for _, text in found] == [
        "Search YouTube for “TOP Stray Kids”",
        "Search Spotify for “TOP Stray Kids”",
        "Search Melon for “TOP Stray Kids”",
    ]
    youtube = urlsplit(found[0][0])
    assert (youtube.scheme, youtube.netloc, youtube.path) == ("https", "www.youtube.com", "/results")
    assert parse_qs(youtube.query) == {"search_query": ["TOP Stray Kids"]}
    assert parse_qs(urlsplit(found[2][0]).query) == {"q": ["TOP Stray Kids"]}
    assert found[1][0] == "https://open.spotify.com/search/TOP%20Stray%20Kids"


def test_a_new_link_shows_at_once_on_the_page_and_the_cards(client):
    """Pages cached before the link was added show it on the next request: buttons on the OST page (no more
    searches), the play mark on its card in the lists; deleting it brings the searches back."""
    pages = ["/osts/top/", "/osts/", "/osts/?group=stray-kids", "/groups/stray-kids/"]
    exports = ["/osts/top/?format=json", "/osts/?group=stray-kids&format=csv"]
    for path in pages + exports:
        client.get(path)
        assert client.get(path)["X-Page-Cache"] == "hit"
    assert "badge-listen" not in card_of(client, "/osts/", "TOP")
    top = OST.objects.get(slug="top")
    link = ListenLink.objects.create(ost=top, kind="youtube", content="mv", url=MV)
    ListenLink.objects.create(ost=top, kind="melon", url="https://www.melon.com/song/detail.htm?songId=1", order=1)
    assert buttons(listen_section(client, "/osts/top/")) == [
        (MV, "▶ Music video on YouTube"), ("https://www.melon.com/song/detail.htm?songId=1", "▶ Song on Melon")
    ]
    for path in pages[1:]:
        assert "▶ </span>Listen</li>" in card_of(client, path, "TOP"), path
    # The downloads, cached before, carry it too.
    assert client.get(exports[0]).json()["listen"][0]["url"] == MV
    assert MV in client.get(exports[1]).content.decode()
    # Other songs have no mark.
    assert "badge-listen" not in card_of(client, "/osts/", "SLUMP")
    link.delete()
    ListenLink.objects.filter(ost=top).delete()
    assert buttons(listen_section(client, "/osts/top/"))[0][1] == "Search YouTube for “TOP Stray Kids”"
    assert "badge-listen" not in card_of(client, "/osts/", "TOP")


def test_exports_carry_the_links(client):
    top = OST.objects.get(slug="top")
    ListenLink.objects.create(ost=top, kind="youtube", content="mv", url=MV)
    assert client.get("/osts/top/", {"format": "json"}).json()["listen"] == [
        {"service": "YouTube", "what": "Music video", "url": MV}
    ]
    rows = client.get("/osts/", {"group": "stray-kids", "format": "json"}).json()["osts"]
    assert {row["title"]: row["listen"] for row in rows}["TOP"] == MV


@pytest.mark.parametrize(
    "kind, url, field, message",
    [
        ("youtube", "https://open.spotify.com/track/abc", "url",
         "A YouTube link is on m.youtube.com or www.youtube.com or youtu.be or youtube.com; this address is on "
         "open.spotify.com. Check the address, or the kind."),
        ("melon", "http://www.melon.com/song/detail.htm?songId=1", "url",
         "Only https addresses: write it as https://www.melon.com/song/detail.htm?songId=1."),
        ("spotify", "https://open.spotify.com.example.net/track/abc", "url", None),
        ("other", "https://youtu.be/abc", "kind", "This is a YouTube address: choose YouTube as the kind."),
    ],
)
def test_the_address_is_checked_against_its_kind(kind, url, field, message):
    link = ListenLink(ost=OST.objects.get(slug="top"), kind=kind, url=url)
    with pytest.raises(ValidationError) as raised:
        link.full_clean()
    assert list(raised.value.message_dict) == [field]
    if message:
        assert raised.value.message_dict[field] == [message]


def test_other_services_on_https_are_accepted():
    ListenLink(ost=OST.objects.get(slug="top"), kind="other", url="https://www.example-music.kr/song/1").full_clean()
    ListenLink(ost=OST.objects.get(slug="top"), kind="youtube", url="https://youtu.be/abc").full_clean()


def inline(kind, url, content="song", order=0):
    return {"listen_links-TOTAL_FORMS": 1, "listen_links-0-kind": kind, "listen_links-0-url": url,
            "listen_links-0-content": content, "listen_links-0-order": order}


def test_editors_add_links_in_the_admin(admin_client, client):
    """The OST's admin page has the inline; a wrong host is refused with the message on the address, and nothing
    is saved; a right one is saved and shows on the page."""
    top = OST.objects.get(slug="top")
    change = reverse("admin:catalog_ost_change", args=[top.pk])
    wrong_host = inline("spotify", "https://www.youtube.com/watch?v=x")
    refused = post_form(admin_client, change, {**wrong_host, "notes": "edited"})
    assert refused.status_code == 200
    assert field_errors(refused, "url", formset_prefix="listen_links") == [
        "A Spotify link is on open.spotify.com; this address is on www.youtube.com. Check the address, or the kind."
    ]
    assert not ListenLink.objects.exists()
    assert OST.objects.get(slug="top").notes != "edited"
    saved = post_form(admin_client, change, inline("youtube", MV, content="mv"))
    assert saved.status_code == 302
    assert list(top.listen_links.values_list("kind", "url")) == [("youtube", MV)]
    assert buttons(listen_section(client, "/osts/top/")) == [(MV, "▶ Music video on YouTube")]


def test_a_deleted_ost_comes_back_with_its_links(admin_client):
    """Undo and recover follow the links like the credits: a recovered OST has its listen links again."""
    top = OST.objects.get(slug="top")
    change = reverse("admin:catalog_ost_change", args=[top.pk])
    assert post_form(admin_client, change, inline("youtube", MV, content="mv")).status_code == 302
    assert admin_client.post(reverse("admin:catalog_ost_delete", args=[top.pk]), {"post": "yes"}).status_code == 302
    assert not ListenLink.objects.exists()
    version = Version.objects.get_deleted(OST).get(object_id=str(top.pk))
    assert post_form(admin_client, reverse("admin:catalog_ost_recover", args=[version.pk])).status_code == 302
    assert list(OST.objects.get(slug="top").listen_links.values_list("kind", "content", "url")) == [
        ("youtube", "mv", MV)
    ]


@pytest.mark.browser
def test_listen_buttons_in_chromium(browser, live_server):
    """In Chromium: the stored link is a button that opens the service; without one, the search buttons go to the
    service's search for the song. The services are stood in for by Playwright (the machine is offline)."""
    ListenLink.objects.create(ost=OST.objects.get(slug="top"), kind="youtube", content="mv", url=MV)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    opened = []

    def service(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>service</title><p>the service</p>")

    page.route(re.compile(r"https://(www\.youtube\.com|open\.spotify\.com|www\.melon\.com)/.*"), service)
    try:
        page.goto(f"{live_server.url}/osts/top/")
        button = page.get_by_role("link", name="Music video on YouTube")
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        button.click()
        page.wait_for_url(MV)
        assert opened == [MV]

        page.goto(f"{live_server.url}/osts/slump/")
        assert page.get_by_role("link", name="Music video on YouTube").count() == 0
        page.get_by_role("link", name="Search Melon for “SLUMP Stray Kids”").click()
        page.wait_for_url(re.compile(r"https://www\.melon\.com/search/.*"))
        assert parse_qs(urlsplit(opened[-1]).query) == {"q": ["SLUMP Stray Kids"]}

        page.goto(f"{live_server.url}/osts/?group=stray-kids")
        marked = page.locator("article.ost-card", has=page.locator(".badge-listen"))
        assert marked.locator("h3 a").all_inner_texts() == ["TOP"]
    finally:
        page.close()
