"""The reader's address: REMOTE_ADDR by default, X-Forwarded-For read from the right only behind trusted proxies."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from catalog.tests.factories import make_ost
from catalog.tests.test_settings import run_python, settings_as_json
from comments.models import Comment
from comments.moderation import TOO_FAST
from comments.tests.factories import form_data
from ostsite.client import client_ip


def address(remote="198.51.100.20", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_remote_addr_is_the_reader_and_a_forged_header_changes_nothing():
    """The default: X-Forwarded-For is whatever the client wrote, so it is ignored."""
    assert address("203.0.113.5") == "203.0.113.5"
    assert address("203.0.113.5", forwarded="192.0.2.1") == "203.0.113.5"
    assert address("203.0.113.5", forwarded="192.0.2.1, 192.0.2.2") == "203.0.113.5"


def test_no_usable_remote_addr_gives_none():
    """A request over a Unix socket without an address (or with junk) has no reader address."""
    assert address("") is None
    assert address("not-an-address") is None


def test_an_ipv4_reader_seen_through_an_ipv6_socket_is_the_ipv4_address():
    """::ffff:203.0.113.5 is stored as 203.0.113.5, so both count as one reader."""
    assert address("::ffff:203.0.113.5") == "203.0.113.5"


class TestTrustedProxyCount:
    @pytest.fixture(autouse=True)
    def one_proxy(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1

    def test_the_entry_our_proxy_appended_is_the_reader(self):
        """One proxy: the rightmost X-Forwarded-For entry, whatever the client put to its left."""
        assert address("10.0.0.2", forwarded="192.0.2.7") == "192.0.2.7"
        assert address("10.0.0.2", forwarded="6.6.6.6, 192.0.2.7") == "192.0.2.7"

    def test_two_proxies_skip_two_hops(self, settings):
        """A CDN then a load balancer: the entry left of the CDN's address."""
        settings.TRUSTED_PROXY_COUNT = 2
        assert address("10.0.0.2", forwarded="6.6.6.6, 192.0.2.7, 10.0.0.9") == "192.0.2.7"

    def test_a_request_without_the_header_is_its_connection(self):
        """Fewer entries than proxies: the leftmost hop we have."""
        assert address("10.0.0.2") == "10.0.0.2"

    def test_junk_written_by_the_client_is_never_taken(self, settings):
        """Only addresses count; junk stops the walk at the last good hop."""
        settings.TRUSTED_PROXY_COUNT = 2
        assert address("10.0.0.2", forwarded="<script>, 10.0.0.9") == "10.0.0.9"
        assert address("10.0.0.2", forwarded="192.0.2.7:54321, 10.0.0.9") == "192.0.2.7"


class TestTrustedProxyAddresses:
    @pytest.fixture(autouse=True)
    def proxies(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8::1"]

    def test_trusted_hops_are_skipped_from_the_right(self):
        """Entries written by our proxies are skipped; the first one that is not ours is the reader."""
        assert address("10.0.0.2", forwarded="192.0.2.7") == "192.0.2.7"
        assert address("10.0.0.2", forwarded="6.6.6.6, 192.0.2.7, 10.0.0.9") == "192.0.2.7"
        assert address("2001:db8::1", forwarded="[2001:db8:1::5]:443") == "2001:db8:1::5"

    def test_a_direct_connection_cannot_forge_its_address(self):
        """A reader who reaches the app server directly (not from a trusted proxy) is their REMOTE_ADDR."""
        assert address("203.0.113.5", forwarded="192.0.2.7") == "203.0.113.5"

    def test_only_proxies_in_the_chain_gives_the_farthest_one(self):
        """A request made by a proxy itself (a health check through two proxies)."""
        assert address("10.0.0.2", forwarded="10.0.0.9") == "10.0.0.9"


def test_the_settings_come_from_the_environment():
    """TRUSTED_PROXIES is a comma-separated list, TRUSTED_PROXY_COUNT a number; both unset by default."""
    assert settings_as_json(["TRUSTED_PROXIES", "TRUSTED_PROXY_COUNT"]) == {"TRUSTED_PROXIES": [], "TRUSTED_PROXY_COUNT": 0}
    assert settings_as_json(["TRUSTED_PROXIES"], TRUSTED_PROXIES="10.0.0.0/8, 2001:db8::1") == {
        "TRUSTED_PROXIES": ["10.0.0.0/8", "2001:db8::1"]
    }
    assert settings_as_json(["TRUSTED_PROXY_COUNT"], TRUSTED_PROXY_COUNT="2") == {"TRUSTED_PROXY_COUNT": 2}


def test_setting_both_is_refused_at_start():
    """TRUSTED_PROXIES and TRUSTED_PROXY_COUNT together would be ambiguous: the settings refuse to load."""
    result = run_python("import ostsite.settings", TRUSTED_PROXIES="10.0.0.1", TRUSTED_PROXY_COUNT="1")
    assert result.returncode != 0
    assert "Set TRUSTED_PROXIES or TRUSTED_PROXY_COUNT, not both." in result.stderr


def test_a_proxy_that_is_not_an_address_is_refused_at_start():
    """A typo in TRUSTED_PROXIES stops the site at start, naming the entry, rather than at the first request."""
    result = run_python("import ostsite.settings", TRUSTED_PROXIES="10.0.0.1, proxy.example")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.example' does not appear to be an IPv4 or IPv6 network" in result.stderr


@pytest.mark.django_db
class TestCommentsBehindAProxy:
    """Two readers behind the same proxy: each has their own address, stored and rate-limited."""

    @pytest.fixture(autouse=True)
    def one_proxy(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        settings.COMMENTS_MIN_INTERVAL_SECONDS = 15

    def post(self, client, ost, reader, body, forwarded=None):
        return client.post(
            reverse("comments:post"),
            form_data(ost, body=body, author_email=f"{body[:5]}@example.com"),
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=forwarded or reader,
        )

    def test_each_reader_is_stored_with_their_own_address_and_limited_on_their_own(self, client):
        ost = make_ost()
        assert self.post(client, ost, "192.0.2.7", "First reader").status_code == 302
        assert self.post(client, ost, "198.51.100.3", "Second reader").status_code == 302
        refused = self.post(client, ost, "192.0.2.7", "First again")
        assert refused.status_code == 429 and TOO_FAST in refused.content.decode()
        stored = dict(Comment.objects.values_list("body", "ip_address"))
        assert stored == {"First reader": "192.0.2.7", "Second reader": "198.51.100.3"}

    def test_a_forged_entry_left_of_the_proxy_does_not_escape_the_limit(self, client):
        ost = make_ost()
        assert self.post(client, ost, "192.0.2.7", "First reader").status_code == 302
        forged = self.post(client, ost, None, "Forged again", forwarded="203.0.113.99, 192.0.2.7")
        assert forged.status_code == 429
        assert Comment.objects.get().ip_address == "192.0.2.7"
