"""The OST list's filters give exact result sets on the article's catalogue."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("article_data")


def slugs(client, **params):
    response = client.get(reverse("catalog:ost-list"), params)
    assert response.status_code == 200
    return {ost.slug for ost in response.context["paginator"].object_list}


ANIME = {"win", "forget-me-not", "top", "slump", "beautiful", "everlasting-shine"}


# A bad value for each kind of filter, and the field whose error it gives (the list pages and their downloads).
BAD_FILTERS = [
    ({"group": "no-such-group"}, "group"),
    ({"member": "nobody"}, "member"),
    ({"type": "opera"}, "type"),
    ({"year": "last-year"}, "year"),
    ({"language": "xx"}, "language"),
    ({"ordering": "price"}, "ordering"),
]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"type": "anime"}, ANIME),
        ({"type": "web-drama"}, {"i-need-the-light", "bff-best-friend-forever", "gonna-be-fine"}),
        ({"type": "animated-series"}, {"hey-gabby", "sprinkle-party"}),
        ({"language": "ja"}, {"forget-me-not", "top", "slump", "beautiful", "everlasting-shine", "your-light"}),
        ({"language": "en"}, {"win", "top", "slump"}),
        ({"role": "opening"}, {"forget-me-not", "top", "everlasting-shine"}),
        ({"role": "ending"}, {"win", "slump", "beautiful"}),
        ({"role": "main-theme"}, {"your-light", "love-sight"}),
        ({"role": "special"}, {"let-me-dance", "hey-gabby", "sprinkle-party"}),
        ({"group": "treasure"}, {"beautiful", "bff-best-friend-forever", "gonna-be-fine"}),
        ({"member": "seungmin"}, {"here-always", "close-to-you", "top", "slump"}),
        ({"member": "bang-yedam"}, {"beautiful", "bff-best-friend-forever", "gonna-be-fine"}),
        ({"member": "onda"}, set()),
        ({"member": "soojin"}, {"help-me"}),
        ({"show": "our-blues"}, {"once-again", "star"}),
        ({"network": "netflix"}, {"once-again", "star", "hey-gabby", "sprinkle-party", "love-maybe"}),
        ({"network": "tvn"}, {"once-again", "star", "help-me", "here-always", "close-to-you", "love-sight"}),
        (
            {"agency": "jyp-entertainment"},
            {"always-be-your-star", "hey-gabby", "sprinkle-party", "here-always", "close-to-you", "top", "slump"},
        ),
        (
            {"year": "2022"},
            {"once-again", "i-need-the-light", "always-be-your-star", "love-maybe", "star", "close-to-you"},
        ),
    ],
)

def test_single_filter(client, params, expected):
    """Each filter parameter alone gives exactly the OSTs it describes."""
    assert slugs(client, **params) == expected


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"type": "anime", "language": "ja"}, ANIME - {"win"}),
        ({"group": "stray-kids", "role": "opening"}, {"top"}),
        ({"member": "winter", "show": "our-blues"}, {"once-again"}),
        ({"network": "netflix", "year": "2022"}, {"once-again", "star", "love-maybe"}),
        # "The Spies Who Loved Me" matches too.
        ({"q": "love", "type": "k-drama"}, {"love-maybe", "close-to-you", "love-sight", "let-me-dance"}),
        ({"agency": "big-hit-entertainment", "language": "ja", "role": "opening"}, {"everlasting-shine"}),
    ],
)
def test_filters_combine(client, params, expected):
    """Parameters narrow each other down."""
    assert slugs(client, **params) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("Mimiscus", {"i-need-the-light"}),
        ("mimicus", {"i-need-the-light"}),
        ("Love, Maybe", {"love-maybe"}),
        ("Love Maybe", {"love-maybe"}),
        ("에스파", {"once-again"}),
        ("구해줘", {"i-need-the-light"}),
        ("미미쿠스", {"i-need-the-light"}),
        ("Winter", {"once-again"}),
        ("Karina", set()),
        ("Yedam", {"beautiful", "bff-best-friend-forever", "gonna-be-fine"}),
        ("TXT", {"everlasting-shine", "your-light", "love-sight"}),
        ("black clover", {"beautiful", "everlasting-shine"}),
        ("Kami no Tou", {"top", "slump"}),
    ],
)
def test_search(client, q, expected):
    """q searches titles, alternative spellings, Hangul, groups, singers and shows."""
    assert slugs(client, q=q) == expected


def test_many_to_many_filters_never_repeat_an_ost(client):
    """TOP is in three languages and on two extra networks, yet listed once."""
    response = client.get(reverse("catalog:ost-list"), {"q": "o", "network": "crunchyroll"})
    listed = [ost.slug for ost in response.context["osts"]]
    assert len(listed) == len(set(listed))
    assert response.context["paginator"].count == len(listed)


def test_result_count_and_active_filters_shown(client):
    """The page says how many match and lists each filter as a removal link."""
    response = client.get(reverse("catalog:ost-list"), {"type": "anime", "language": "ja"})
    content = response.content.decode()
    assert "5 OSTs match" in content
    assert 'href="/osts/?language=ja"' in content  # removes the kind
    assert 'href="/osts/?type=anime"' in content  # removes the language
    assert "Kind of show: Anime" in content


def test_option_counts(client):
    """Options carry the number of OSTs they hold."""
    content = client.get(reverse("catalog:ost-list")).content.decode()
    assert "Anime (6)" in content
    assert "Japanese (6)" in content
    assert "TREASURE (3)" in content


def test_no_results_message(client):
    """An empty result says so kindly."""
    response = client.get(reverse("catalog:ost-list"), {"q": "no such song anywhere"})
    assert response.context["paginator"].count == 0
    content = response.content.decode()
    assert "No OSTs found for “no such song anywhere”" in content
    assert "Fewer words: every word has to match." in content
    # Nothing is close to it: no suggestion.
    assert "Did you mean" not in content
    # Filters alone that match nothing say so too.
    response = client.get(reverse("catalog:ost-list"), {"group": "cix", "year": "2022"})
    assert response.context["paginator"].count == 0
    assert "No OSTs match these filters" in response.content.decode()


@pytest.mark.parametrize("params, field", BAD_FILTERS)
def test_bad_values_show_the_form_error(client, params, field):
    """An unknown slug or bad value gives the form's error and no results, not a 500."""
    response = client.get(reverse("catalog:ost-list"), params)
    assert response.status_code == 200
    assert field in response.context["filter"].errors
    assert response.context["paginator"].count == 0
    assert "Some filters could not be used" in response.content.decode()


@pytest.mark.parametrize("page", ["99", "0", "abc"])
def test_page_past_the_end_is_404(client, page):
    """A page number that does not exist is a 404, not a 500."""
    assert client.get(reverse("catalog:ost-list"), {"page": page}).status_code == 404


@pytest.mark.parametrize(
    "ordering, first",
    [("title", "always-be-your-star"), ("-title", "your-light"), ("year", "help-me")],
)
def test_ordering(client, ordering, first):
    """ordering sorts the list."""
    response = client.get(reverse("catalog:ost-list"), {"ordering": ordering})
    assert response.context["osts"][0].slug == first


def test_filter_sets_share_no_state():
    """Filters are copied shallowly and the form class is reused (catalog.filters.FilterSet): each filter set
    must still run its own filters and own its form's fields."""
    from catalog.filters import OSTFilter
    from catalog.models import OST

    first = OSTFilter({"member": "seungmin"}, OST.objects.all())
    second = OSTFilter({"member": "soojin", "type": "anime"}, OST.objects.all())
    assert type(first.form) is type(second.form)
    assert first.filters["member"].filter.method.__self__ is first
    assert second.filters["member"].filter.method.__self__ is second

    first.form.fields["type"].widget.choices = [("", "only this form")]
    assert ("", "only this form") not in list(second.form.fields["type"].widget.choices)
    assert {ost.slug for ost in first.qs} == {"here-always", "close-to-you", "top", "slump"}
    assert {ost.slug for ost in second.qs} == set()
    assert {ost.slug for ost in OSTFilter({"member": "soojin"}, OST.objects.all()).qs} == {"help-me"}
