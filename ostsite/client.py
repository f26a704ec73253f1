"""The address of the reader behind a request, for rate limits and the address stored with a comment.

Without a proxy in front, it is REMOTE_ADDR, and an X-Forwarded-For header sent by the client changes nothing.
Behind proxies, REMOTE_ADDR is the nearest proxy and each proxy appends the address it was connected from to
X-Forwarded-For. Only the entries our own proxies wrote can be believed, and those are at the right-hand end:
everything to the left of them came from the client and may be forged. So the chain is read from the right,
skipping the proxies named by TRUSTED_PROXIES (their addresses or networks), or the TRUSTED_PROXY_COUNT nearest
hops, and the first address after them is the reader's.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


def client_ip(request):
    """The reader's IP address as a normalised string, or None when the request carries none."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    proxies = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    count = settings.TRUSTED_PROXY_COUNT
    if not proxies and not count:
        return str(remote)

    # Nearest hop last: what each of our proxies saw, ending with the connection Django itself received.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [entry.strip() for entry in forwarded.split(",") if entry.strip()] + [str(remote)]
    address = remote
    if proxies:
        # Step left only while the hop we are at is one of our proxies: it vouches for the entry to its left.
        for entry in reversed(chain[:-1]):
            if not any(address in network for network in proxies):
                break
            parsed = _parse(entry)
            if parsed is None:  # Not written by a proxy of ours; the last proxy is the best we know.
                break
            address = parsed
        return str(address)
    # TRUSTED_PROXY_COUNT: the entry that many hops left of the connection; fewer entries than proxies means the
    # request did not pass through all of them, and the leftmost hop we have is the closest we can get.
    for entry in reversed(chain[max(0, len(chain) - 1 - count) : -1]):
        parsed = _parse(entry)
        if parsed is None:
            break
        address = parsed
    return str(address)


def _parse(value):
    """An address from REMOTE_ADDR or one X-Forwarded-For entry ("[v6]:port" and "v4:port" allowed), or None."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same reader as over IPv4.
    return getattr(address, "ipv4_mapped", None) or address


@lru_cache(maxsize=4)
def _trusted_networks(entries):
    # The settings have checked that each entry is an address or a network.
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
