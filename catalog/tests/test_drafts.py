"""Drafts: an OST, show or group saved as a draft is seen only by editors, through a preview of its real page, and
is left out of every public page, list, count, feed, sitemap, export and search until it is published."""

import csv
import io
import json
from xml.etree import ElementTree

import feedparser
import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from catalog.models import OST, Group, Membership, Show, Source
from catalog.tests.factories import make_group, make_member, make_ost, make_show
from catalog.tests.upgrades import a_song_saved_at
from comments.models import Comment

pytestmark = pytest.mark.django_db

BANNER = "Draft — only editors see this."
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def catalogue():
    """A published group and show with one public song, and a draft of each kind: an OST, a group and a show, each
    with a song that is published itself."""
    group = make_group(name="Visible Group", slug="visible-group")
    show = make_show(title="Visible Show", slug="visible-show")
    singer = make_member(group, stage_name="Singer", slug="singer")
    hidden_group = make_group(name="Hidden Group", slug="hidden-group", is_draft=True)
    hidden_membership = Membership.objects.create(group=hidden_group, member=singer)
    Source.objects.create(entry=hidden_membership, url="https://example.com/hidden-lineup", title="Hidden Group line-up")
    Source.objects.create(entry=singer, url="https://example.com/singer", title="Singer profile")
    hidden_show = make_show(title="Hidden Show", slug="hidden-show", is_draft=True)
    return {
        "group": group,
        "show": show,
        "singer": singer,
        "hidden_group": hidden_group,
        "hidden_show": hidden_show,
        "public": make_ost(title="Public Song", slug="public-song", artist=group, show=show, singers=[singer]),
        "draft": make_ost(title="Secret Song", slug="secret-song", artist=group, show=show, singers=[singer],
                          is_draft=True),
        "of_draft_group": make_ost(title="Group Draft Song", slug="group-draft-song", artist=hidden_group, show=show),
        "of_draft_show": make_ost(title="Show Draft Song", slug="show-draft-song", artist=group, show=hidden_show,
                                  singers=[singer]),
    }


HIDDEN_URLS = [
    "/osts/secret-song/", "/osts/group-draft-song/", "/osts/show-draft-song/", "/groups/hidden-group/",
    "/shows/hidden-show/",
]
HIDDEN_WORDS = ["Secret Song", "Group Draft Song", "Show Draft Song", "Hidden Group", "Hidden Show"]


def editor(permissions=("view_ost", "view_group", "view_show"), username="editor"):
    user = User.objects.create_user(username, password="a long password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="catalog", codename__in=permissions))
    client = Client()
    client.force_login(user)
    return client


def assert_hidden(content):
    text = content.decode() if isinstance(content, bytes) else content
    for words in HIDDEN_WORDS:
        assert words not in text


def list_slugs(response, name):
    return {obj.slug for obj in response.context[name]}


# The public ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", HIDDEN_URLS)
def test_a_drafts_page_is_a_404_for_the_public(client, catalogue, url):
    """A draft, and an OST of a draft group or show, is a 404, with or without ?preview and as JSON."""
    assert client.get(url).status_code == 404
    assert client.get(url + "?preview").status_code == 404
    assert client.get(url + "?format=json").status_code == 404


def test_only_published_osts_are_listed_searched_and_counted(client, catalogue):
    """The OST list, its search and its filters' counts show only the public song."""
    response = client.get("/osts/")
    assert [ost.slug for ost in response.context["paginator"].object_list] == ["public-song"]
    assert_hidden(response.content)
    html = response.content.decode()
    assert '<option value="visible-group">Visible Group (1)</option>' in html
    assert '<option value="visible-show">Visible Show (1)</option>' in html
    assert '<option value="k-drama">K-drama (1)</option>' in html
    assert "hidden-group" not in html and "hidden-show" not in html
    search = client.get("/osts/", {"q": "song"})
    assert [ost.slug for ost in search.context["paginator"].object_list] == ["public-song"]
    assert client.get("/osts/", {"q": "secret"}).context["paginator"].count == 0


@pytest.mark.parametrize("params", [{"group": "visible-group"}, {"member": "singer"}, {"type": "k-drama"}])
def test_counts_under_other_filters_know_only_published_osts(client, catalogue, params):
    """With a filter in use, every option's count is taken over the public songs only: the draft song of the
    same group, show and singer adds nothing."""
    html = client.get("/osts/", params).content.decode()
    assert [ost for ost in ("Visible Group (1)", "Visible Show (1)", "K-drama (1)", "Singer (1)") if ost not in html] == []
    assert "(2)" not in html and "(3)" not in html


def test_a_draft_group_or_show_is_no_filter_option(client, catalogue):
    """Naming a draft group or show in the filters is refused as an unknown choice, not a way to list its songs."""
    for name, slug in (("group", "hidden-group"), ("show", "hidden-show")):
        response = client.get("/osts/", {name: slug})
        assert name in response.context["filter"].errors
        assert_hidden(response.content)


def test_home_group_and_show_lists_leave_drafts_out(client, catalogue):
    """Home, the group list and the show list, with their counts, know only the published entries."""
    home = client.get("/")
    assert "Public Song" in home.content.decode()
    assert_hidden(home.content)
    groups = client.get("/groups/")
    assert list_slugs(groups, "groups") == {"visible-group"}
    assert [group.ost_count for group in groups.context["groups"]] == [1]
    shows = client.get("/shows/")
    assert list_slugs(shows, "shows") == {"visible-show"}
    assert [show.ost_count for show in shows.context["shows"]] == [1]


def test_group_show_and_member_pages_list_only_public_osts(client, catalogue):
    """The pages of the published group, show and member list the public song only, and no draft show."""
    responses = {url: client.get(url) for url in ("/groups/visible-group/", "/shows/visible-show/", "/members/singer/")}
    for url, response in responses.items():
        assert response.status_code == 200
        assert "Public Song" in response.content.decode(), url
        assert_hidden(response.content)
    assert [show.slug for show in responses["/groups/visible-group/"].context["shows"]] == ["visible-show"]
    # The member's own sources stay; those of their place in a draft group's line-up go with it.
    assert [source.title for source in responses["/members/singer/"].context["sources"]] == ["Singer profile"]
    assert client.get("/osts/public-song/").context["same_show"] == []


def test_the_timeline_counts_only_published_osts(client, catalogue):
    """The years at a glance count the public song alone, in the chart, the table and the JSON twin."""
    catalogue["public"].release_year = catalogue["draft"].release_year = 2021
    for ost in (catalogue["public"], catalogue["draft"]):
        ost.save()
    page = client.get("/timeline/")
    assert_hidden(page.content)
    assert page.context["timeline"]["total"] == 1
    data = client.get("/timeline/", {"format": "json"}).json()
    assert "Secret Song" not in json.dumps(data) and "Hidden Group" not in json.dumps(data)


def test_feeds_and_sitemap_leave_drafts_out(client, catalogue):
    """The new-OSTs feeds and the sitemap name no draft and no song of a draft group or show."""
    for url in ("/feeds/osts.rss", "/feeds/osts.atom"):
        feed = feedparser.parse(client.get(url).content)
        assert [entry.title.split(" – ")[0] for entry in feed.entries] == ["Public Song"]
    locations = set()
    for section in ("osts", "groups", "shows"):
        tree = ElementTree.fromstring(client.get(f"/sitemap-{section}.xml").content)
        locations |= {loc.text for loc in tree.findall("sm:url/sm:loc", SITEMAP_NS)}
    assert locations == {
        "http://testserver/osts/public-song/", "http://testserver/groups/visible-group/",
        "http://testserver/shows/visible-show/",
    }


def test_exports_leave_drafts_out(client, catalogue):
    """CSV and JSON downloads of the lists, and the JSON twins of the pages, carry only public entries."""
    rows = list(csv.DictReader(io.StringIO(client.get("/osts/", {"format": "csv"}).content.decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == ["Public Song"]
    osts = json.loads(client.get("/osts/", {"format": "json"}).content)
    assert [ost["title"] for ost in osts["osts"]] == ["Public Song"]
    shows = json.loads(client.get("/shows/", {"format": "json"}).content)
    assert [(show["title"], show["ost_count"]) for show in shows["shows"]] == [("Visible Show", 1)]
    for url in ("/groups/visible-group/", "/shows/visible-show/", "/members/singer/"):
        assert_hidden(client.get(url, {"format": "json"}).content)


def test_nobody_comments_on_a_draft(client, catalogue):
    """A comment posted to a draft is refused as for a page that does not exist; earlier comments on it leave the
    comment feed."""
    response = client.post(reverse("comments:post"), {
        "target_type": "ost", "target_id": catalogue["draft"].pk, "body": "First!", "author_name": "Mina",
        "author_email": "mina@example.com",
    })
    assert response.status_code == 404
    assert "does not exist" in response.content.decode()
    assert not Comment.objects.exists()
    Comment.objects.create(ost=catalogue["draft"], author_name="Mina", author_email="m@example.com", body="Hidden",
                           status=Comment.Status.APPROVED)
    Comment.objects.create(ost=catalogue["public"], author_name="Mina", author_email="m@example.com", body="Shown",
                           status=Comment.Status.APPROVED)
    feed = feedparser.parse(client.get("/feeds/comments.rss").content)
    assert [entry.title for entry in feed.entries] == ["Mina on Public Song"]
    assert_hidden(client.get("/").content)


# Editors' previews ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", HIDDEN_URLS)
def test_an_editor_previews_the_real_page_with_a_banner_for_them_alone(client, catalogue, url, settings):
    """?preview by an editor: the page itself with the draft banner, private, never stored by the page cache."""
    settings.PAGE_CACHE_SECONDS = 600
    editor_client = editor()
    for _ in range(2):
        response = editor_client.get(url + "?preview")
        assert response.status_code == 200
        assert BANNER in response.content.decode()
        assert "private" in response["Cache-Control"]
        assert "X-Page-Cache" not in response
        assert '<meta name="robots" content="noindex">' in response.content.decode()
    # Nothing was stored for anyone else, and the plain URL stays a 404 for the editor too.
    assert client.get(url + "?preview").status_code == 404
    assert editor_client.get(url).status_code == 404


def test_a_preview_says_why_the_page_is_hidden_and_offers_no_comment_form(catalogue):
    """An OST of a draft group is previewed with the reason, a link to its form, and no comment form."""
    response = editor().get("/osts/group-draft-song/?preview")
    page = response.content.decode()
    assert "Its idol group Hidden Group is a draft." in page
    assert reverse("admin:catalog_ost_change", args=[catalogue["of_draft_group"].pk]) in page
    assert "Comments open once this page is published." in page
    assert 'id="commentform"' not in page


def test_a_draft_groups_preview_lists_the_osts_it_will_list(catalogue):
    """The preview of a draft group shows its songs as its page will once it is published."""
    response = editor().get("/groups/hidden-group/?preview")
    assert "Group Draft Song" in response.content.decode()


def test_staff_without_the_view_permission_get_a_404(catalogue):
    """Being staff is not enough: previewing an OST needs the right to view OSTs."""
    assert editor(permissions=("view_group",)).get("/osts/secret-song/?preview").status_code == 404
    assert editor(permissions=("view_group",), username="other").get("/groups/hidden-group/?preview").status_code == 200


def test_a_published_page_with_preview_has_no_banner(client, catalogue):
    """?preview on a published page shows it as it is, with no banner."""
    assert BANNER not in editor().get("/osts/public-song/?preview").content.decode()
    assert client.get("/osts/public-song/?preview").status_code == 200


# The admin ---------------------------------------------------------------------------------------------------


def test_the_admin_form_of_a_draft_links_to_its_preview(admin_client, catalogue):
    page = admin_client.get(reverse("admin:catalog_ost_change", args=[catalogue["draft"].pk])).content.decode()
    assert '<a href="/osts/secret-song/?preview">Preview</a>' in page
    page = admin_client.get(reverse("admin:catalog_show_change", args=[catalogue["hidden_show"].pk])).content.decode()
    assert '<a href="/shows/hidden-show/?preview">Preview</a>' in page


def test_publishing_an_ost_of_a_draft_group_says_it_stays_hidden(admin_client, catalogue):
    """The action publishes the OST's own box and tells the editor the group still keeps it from the public."""
    ost = catalogue["of_draft_group"]
    ost.is_draft = True
    ost.save()
    response = admin_client.post(
        reverse("admin:catalog_ost_changelist"), {"action": "publish", "_selected_action": [ost.pk]}, follow=True
    )
    page = response.content.decode()
    assert "1 OST published." in page
    assert "Still hidden from the public until their group or show is published: Group Draft Song." in page
    ost.refresh_from_db()
    assert not ost.is_draft and not ost.is_public


def test_the_admin_lists_filter_drafts(admin_client, catalogue):
    response = admin_client.get(reverse("admin:catalog_ost_changelist"), {"draft": "yes"})
    assert {ost.slug for ost in response.context["cl"].result_list} == {"secret-song"}
    response = admin_client.get(reverse("admin:catalog_group_changelist"), {"draft": "no"})
    assert {group.slug for group in response.context["cl"].result_list} == {"visible-group"}


@pytest.mark.django_db(transaction=True)  # the page cache's versions are bumped on commit
def test_publishing_shows_the_entry_everywhere_at_once_and_is_in_its_history(client, admin_client, catalogue, settings):
    """The admin's "Publish" action: the cached lists, the feed and the page show the song at once, and its history
    has the entry. "Make draft" takes it away again."""
    settings.PAGE_CACHE_SECONDS = 600
    draft = catalogue["draft"]
    client.get("/osts/")
    assert client.get("/osts/")["X-Page-Cache"] == "hit"
    assert client.get("/").content.decode().count("Secret Song") == 0

    changelist = reverse("admin:catalog_ost_changelist")
    response = admin_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert "1 OST published." in response.content.decode()

    listed = client.get("/osts/")
    assert {ost.slug for ost in listed.context["paginator"].object_list} == {"secret-song", "public-song"}
    assert "Secret Song" in client.get("/").content.decode()
    assert "Secret Song" in client.get("/shows/visible-show/").content.decode()
    assert client.get("/osts/secret-song/").status_code == 200
    assert "Secret Song" in client.get("/feeds/osts.rss").content.decode()
    assert Version.objects.get_for_object(draft).first().revision.comment == "Published."

    # Discussed, it heads the home page's most discussed songs, a piece cached apart from the lists.
    Comment.objects.create(ost=draft, author_name="Mina", author_email="m@example.com", body="Love it",
                           status=Comment.Status.APPROVED)
    assert "Secret Song" in client.get("/").content.decode()
    admin_client.post(changelist, {"action": "make_draft", "_selected_action": [draft.pk]})
    assert {ost.slug for ost in client.get("/osts/").context["paginator"].object_list} == {"public-song"}
    assert "Secret Song" not in client.get("/").content.decode()
    assert client.get("/osts/secret-song/").status_code == 404
    assert Version.objects.get_for_object(draft).first().revision.comment == "Made a draft again."


@pytest.mark.django_db(transaction=True)
def test_publishing_a_group_lists_its_songs_at_once(client, admin_client, catalogue, settings):
    """A draft group's songs appear in the cached OST list as soon as the group is published."""
    settings.PAGE_CACHE_SECONDS = 600
    client.get("/osts/")
    assert client.get("/osts/")["X-Page-Cache"] == "hit"
    admin_client.post(
        reverse("admin:catalog_group_changelist"), {"action": "publish", "_selected_action": [catalogue["hidden_group"].pk]}
    )
    assert "group-draft-song" in {ost.slug for ost in client.get("/osts/").context["paginator"].object_list}
    assert client.get("/groups/hidden-group/").status_code == 200


def test_publishing_can_be_undone_from_the_history(admin_client, catalogue):
    """An entry published by the action, with no history before, can be put back as a draft with one click."""
    draft = catalogue["draft"]
    admin_client.post(reverse("admin:catalog_ost_changelist"), {"action": "publish", "_selected_action": [draft.pk]})
    comments = [version.revision.comment for version in Version.objects.get_for_object(draft)]
    assert comments == ["Published.", "As it was before it was published."]
    latest = Version.objects.get_for_object(draft).first()
    admin_client.post(reverse("admin:catalog_ost_undo", args=[draft.pk, latest.pk]))
    draft.refresh_from_db()
    assert draft.is_draft


def test_ticking_the_box_on_the_form_is_a_history_entry(admin_client, catalogue):
    """Publishing from the form is recorded like any edit, with what changed."""
    show = catalogue["hidden_show"]
    url = reverse("admin:catalog_show_change", args=[show.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "is_draft"}
    data.update({
        "network": show.network_id, "also_on": [], "cameos-TOTAL_FORMS": 0, "cameos-INITIAL_FORMS": 0,
        "catalog-source-content_type-object_id-TOTAL_FORMS": 0, "catalog-source-content_type-object_id-INITIAL_FORMS": 0,
    })
    data.pop("image", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    show.refresh_from_db()
    assert not show.is_draft
    assert "Draft" in Version.objects.get_for_object(show).first().revision.comment


# Upgrading ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_existing_rows_stay_published_and_search_follows_new_titles_after_the_migration(client):
    a_song_saved_at("0013_listen_links", "Old Group", "Old Song", "Old Show", 2019)

    assert OST.objects.published().get().slug == "old-song"
    assert Group.objects.published().count() == Show.objects.published().count() == 1
    make_ost(title="Brand New Starlight", slug="brand-new-starlight", artist=Group.objects.get(), show=Show.objects.get(),
             release_year=2019)
    found = client.get("/osts/", {"q": "starlight"}).context["paginator"].object_list
    assert [ost.slug for ost in found] == ["brand-new-starlight"]


@pytest.mark.usefixtures("article_data")
def test_the_articles_catalogue_loads_published():
    assert OST.objects.count() > 0
    assert OST.objects.published().count() == OST.objects.count()
    assert Group.objects.published().count() == Group.objects.count()
    assert Show.objects.published().count() == Show.objects.count()
