"""Hostile input (Hypothesis): list-page query strings and comment posts never cause a 500, nor store a refused comment."""

import time

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from catalog.filters import OSTFilter, ShowFilter
from catalog.models import OST, Group
from comments.forms import sign_timestamp
from comments.models import Comment

pytestmark = pytest.mark.usefixtures("article_data")

fuzz = hypothesis_settings(
    max_examples=75,
    deadline=None,
    database=None,  # No .hypothesis/ folder in the work tree.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "", " ", "\x00", "a\x00b", "\x01\x0b\x1f", "' OR '1'='1", "1; DROP TABLE catalog_ost; --", "%", "_", "\\", "%00",
    "../../etc/passwd", "<script>alert(1)</script>", '"><svg onload=alert(1)>', "\u202eevil", "\ufeff", "𝔞𝔢𝔰𝔭𝔞", "에스파",
    "NaN", "Infinity", "-Infinity", "1e400", "-1", "0", "-0", "00", "2022.5", "0x7e6", "²⁰²²", "٢٠٢٢",
    "9" * 40, "-" + "9" * 40, str(2**63), str(-(2**63) - 1), "aespa", "anime", "once-again", "ja", "-year", "title",
]
hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    # Huge values: far past every max_length.
    st.builds(lambda chunk, n: chunk * n, st.sampled_from(["a", "가", "9", "\x00", "%"]), st.integers(1000, 100_000)),
)


def query(names):
    """Known and unknown parameter names, each with one value or a list of repeated values."""
    name = st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=12))
    return st.dictionaries(name, st.lists(hostile_text, min_size=1, max_size=4), max_size=6)


OST_PARAMS = [*OSTFilter.base_filters, "page"]
SHOW_PARAMS = [*ShowFilter.base_filters, "page"]


def assert_no_server_error(response):
    assert response.status_code < 500, response.content[:2000]


@fuzz
@given(params=query(OST_PARAMS))
# Always tried: NUL bytes in slug lookups (PostgreSQL refuses them in text), out-of-range numbers, repeated params.
@example(params={"group": ["\x00"], "member": ["a\x00b"], "network": ["\x00"], "show": ["\x00"], "agency": ["\x00"]})
@example(params={"year": ["9" * 40], "page": ["9" * 40], "language": ["%00", "ja"], "q": ["\x00"]})
@example(params={"type": ["anime", "k-drama"], "ordering": ["' OR '1'='1", "-year"], "role": ["a" * 100_000]})
def test_ost_list_survives_any_query(client, params):
    """/osts/ answers below 500 whatever the parameters hold."""
    assert_no_server_error(client.get("/osts/", params))


@fuzz
@given(params=query(SHOW_PARAMS))
def test_show_list_survives_any_query(client, params):
    """/shows/ answers below 500 whatever the parameters hold."""
    assert_no_server_error(client.get("/shows/", params))


@fuzz
@given(params=query(["page"]))
def test_group_list_survives_any_query(client, params):
    """/groups/ answers below 500 whatever the parameters hold."""
    assert_no_server_error(client.get("/groups/", params))


@fuzz
@given(
    path=st.sampled_from(["/osts/", "/shows/", "/groups/"]),
    raw=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=200),
)
def test_list_pages_survive_malformed_query_strings(client, path, raw):
    """Broken percent-encoding, stray & and = and Latin-1 bytes in the raw query string never cause a 500."""
    assert_no_server_error(client.get(path, QUERY_STRING=raw))


COMMENT_FIELDS = ["body", "author_name", "author_email", "author_url", "parent", "remember", "timestamp", "comment_hp"]


@st.composite
def comment_posts(draw):
    """A comment form post: every field hostile, missing or plausible; sometimes a valid page and timestamp."""
    ost = OST.objects.order_by("pk").first()
    group = Group.objects.order_by("pk").first()
    plausible = {
        "body": st.sampled_from(["Love this OST!", "Winter's high note ♡"]),
        "author_name": st.sampled_from(["Mina", "윈터 팬"]),
        "author_email": st.sampled_from(["mina@example.com", "fan@example.org"]),
        "author_url": st.sampled_from(["", "https://fan.example"]),
        "parent": st.sampled_from(["", "1", "999999"]),
        "remember": st.sampled_from(["", "on"]),
        "timestamp": st.builds(lambda: sign_timestamp(time.time() - 60)),
        "comment_hp": st.just(""),
    }
    data = {}
    for name in COMMENT_FIELDS:
        choice = draw(st.sampled_from(["hostile", "plausible", "missing", "repeated"]))
        if choice == "hostile":
            data[name] = draw(hostile_text)
        elif choice == "plausible":
            data[name] = draw(plausible[name])
        elif choice == "repeated":
            data[name] = draw(st.lists(hostile_text, min_size=2, max_size=3))
    target = draw(
        st.one_of(
            st.just(("ost", str(ost.pk))),
            st.just(("group", str(group.pk))),
            st.just(("home", "")),
            st.tuples(st.sampled_from(["ost", "show", "group", "home", "comment", ""]), hostile_text),
        )
    )
    data["target_type"], data["target_id"] = target
    return data


@fuzz
@given(data=comment_posts())
@example(data={"target_type": "ost", "target_id": "9" * 30, "body": "x"})
@example(data={"target_type": "ost", "target_id": "\x00", "parent": "\x00", "author_email": "a\x00@example.com"})
def test_comment_endpoint_survives_any_post_and_stores_nothing_it_refuses(client, settings, data):
    """No 500 from any comment post; a post that is not answered with a redirect stores no comment."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 0
    settings.COMMENTS_MIN_INTERVAL_SECONDS = 0
    before = Comment.objects.count()
    response = client.post("/comments/post/", data, REMOTE_ADDR="198.51.100.20")
    assert_no_server_error(response)
    if response.status_code != 302:
        assert Comment.objects.count() == before
    else:
        assert Comment.objects.count() == before + 1


def test_fuzz_strategies_reach_the_refusal_paths(client, settings):
    """Sanity check for the fuzzers: a hostile post is refused (400) and a plausible one is stored (302)."""
    settings.COMMENTS_MIN_FORM_AGE_SECONDS = 0
    ost = OST.objects.first()
    refused = client.post("/comments/post/", {"target_type": "ost", "target_id": ost.pk, "body": "\x00", "timestamp": "x"})
    assert refused.status_code == 400 and Comment.objects.count() == 0
    accepted = client.post(
        "/comments/post/",
        {"target_type": "ost", "target_id": ost.pk, "body": "Love it", "author_name": "Mina",
         "author_email": "mina@example.com", "timestamp": sign_timestamp(time.time() - 60)},
    )
    assert accepted.status_code == 302 and Comment.objects.count() == 1
