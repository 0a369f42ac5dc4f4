"""Where webhooks may go. Loopback and non-public addresses are refused unless allowed, so that a
subscription cannot make this service call into the network it runs in.

The ranges are listed here rather than taken from `ipaddress`'s `is_global`/`is_private`: the
Python in use predates their fix for IPv4-mapped and NAT64 addresses, and a list that a reviewer
can read against the IANA special-purpose registries is easier to trust.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from hoptac.notifications.domain.text import unsafe_character
from hoptac.platform.text import Text, TextError

MAX_URL_LENGTH = 2000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Kind(Enum):
    NEVER = "never"  # no setting allows it
    LOOPBACK = "loopback"  # allow_loopback
    PRIVATE = "private"  # allow_private


def _ranges(kind: Kind, *pairs: tuple[str, Text]) -> list[tuple[Network, Kind, Text]]:
    return [(ipaddress.ip_network(network), kind, what) for network, what in pairs]


DENIED = [
    *_ranges(
        Kind.NEVER,
        ("0.0.0.0/8", Text("part.address_unspecified")),
        ("::/128", Text("part.address_unspecified")),
        ("224.0.0.0/4", Text("part.address_multicast")),
        ("ff00::/8", Text("part.address_multicast")),
        ("255.255.255.255/32", Text("part.address_broadcast")),
    ),
    *_ranges(
        Kind.LOOPBACK,
        ("127.0.0.0/8", Text("part.address_loopback")),
        ("::1/128", Text("part.address_loopback")),
    ),
    *_ranges(
        Kind.PRIVATE,
        ("10.0.0.0/8", Text("part.address_private")),
        ("100.64.0.0/10", Text("part.address_shared")),
        ("169.254.0.0/16", Text("part.address_link_local_metadata")),
        ("172.16.0.0/12", Text("part.address_private")),
        ("192.0.0.0/24", Text("part.address_ietf")),
        ("192.0.2.0/24", Text("part.address_documentation")),
        ("192.88.99.0/24", Text("part.address_6to4_relay")),
        ("192.168.0.0/16", Text("part.address_private")),
        ("198.18.0.0/15", Text("part.address_benchmarking")),
        ("198.51.100.0/24", Text("part.address_documentation")),
        ("203.0.113.0/24", Text("part.address_documentation")),
        ("240.0.0.0/4", Text("part.address_reserved")),
        ("64:ff9b::/96", Text("part.address_nat64")),
        ("64:ff9b:1::/48", Text("part.address_local_nat64")),
        ("100::/64", Text("part.address_discard")),
        ("2001::/23", Text("part.address_ietf_ipv6")),
        ("2001:db8::/32", Text("part.address_documentation")),
        ("2002::/16", Text("part.address_6to4")),
        ("3fff::/20", Text("part.address_documentation")),
        ("5f00::/16", Text("part.address_segment_routing")),
        ("fc00::/7", Text("part.address_unique_local")),
        ("fe80::/10", Text("part.address_link_local")),
        ("fec0::/10", Text("part.address_site_local")),
    ),
]
GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
BRACKETED = re.compile(r"\[[0-9A-Fa-f:.]+\](:[0-9]+)?")


@dataclass(frozen=True)
class TargetPolicy:
    allow_loopback: bool = False
    allow_private: bool = False

    def allows(self, kind: Kind) -> bool:
        if kind is Kind.LOOPBACK:
            return self.allow_loopback
        return kind is Kind.PRIVATE and self.allow_private


class TargetRefused(TextError):
    """Why a webhook URL is refused, in words its owner can act on."""


def classify(address: IPAddress) -> tuple[Kind, Text] | None:
    """Why an address is not a public one (its kind and a description), or None if it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        inner = classify(address.ipv4_mapped)
        if inner is None:
            return None
        wrapping = Text("part.address_ipv4_mapped", inner=inner[1], address=address.ipv4_mapped)
        return inner[0], wrapping
    for network, kind, what in DENIED:
        if address in network:
            return kind, what
    if isinstance(address, ipaddress.IPv6Address) and address not in GLOBAL_UNICAST_V6:
        # Includes the deprecated IPv4-compatible ::a.b.c.d and every unassigned range.
        return Kind.PRIVATE, Text("part.address_not_global_v6")
    return None


def check_url_shape(url: str) -> str:
    """The host of a well-formed http(s) URL; raises TargetRefused with the reason."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(Text("notifications.url_too_long", max=MAX_URL_LENGTH))
    bad = unsafe_character(url)
    if bad is not None or any(c.isspace() for c in url):
        # urlsplit silently drops CR, LF and tab: the URL stored would not be the one checked.
        character = bad or Text("part.whitespace")
        raise TargetRefused(Text("notifications.url_unsafe_character", character=character))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(Text("notifications.url_malformed")) from error
    if parts.scheme not in ("http", "https"):
        raise TargetRefused(Text("notifications.url_scheme"))
    if not parts.hostname:
        raise TargetRefused(Text("notifications.url_no_host"))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(Text("notifications.url_credentials"))
    if port == 0:
        raise TargetRefused(Text("notifications.url_port"))
    host_and_port = parts.netloc.rpartition("@")[2]
    if "[" in host_and_port:
        if not BRACKETED.fullmatch(host_and_port):
            raise TargetRefused(Text("notifications.url_ipv6_brackets"))
        try:
            ipaddress.IPv6Address(parts.hostname)
        except ValueError as error:
            raise TargetRefused(Text("notifications.url_ipv6_invalid")) from error
    return parts.hostname


def check_addresses(host: str, addresses: Iterable[str], policy: TargetPolicy) -> str:
    """Refuse the target if any address the host resolves to is not allowed; otherwise the
    address to connect to (the first one), so that what is sent goes where was checked."""
    chosen: str | None = None
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        found = classify(address)
        if found is not None and not policy.allows(found[0]):
            kind, what = found
            where = {"host": host, "what": what, "address": address}
            raise TargetRefused(
                Text("notifications.address_refused_loopback", **where)
                if kind is Kind.LOOPBACK
                else Text("notifications.address_refused", **where)
            )
        chosen = chosen or str(address)
    if chosen is None:
        raise TargetRefused(Text("notifications.host_no_address", host=host))
    return chosen
