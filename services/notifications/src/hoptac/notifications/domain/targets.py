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

MAX_URL_LENGTH = 2000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Kind(Enum):
    NEVER = "never"  # no setting allows it
    LOOPBACK = "loopback"  # allow_loopback
    PRIVATE = "private"  # allow_private


def _ranges(kind: Kind, *pairs: tuple[str, str]) -> list[tuple[Network, Kind, str]]:
    return [(ipaddress.ip_network(network), kind, what) for network, what in pairs]


DENIED = [
    *_ranges(
        Kind.NEVER,
        ("0.0.0.0/8", "the unspecified address (it reaches this machine)"),
        ("::/128", "the unspecified address (it reaches this machine)"),
        ("224.0.0.0/4", "a multicast address"),
        ("ff00::/8", "a multicast address"),
        ("255.255.255.255/32", "the broadcast address"),
    ),
    *_ranges(
        Kind.LOOPBACK,
        ("127.0.0.0/8", "a loopback address"),
        ("::1/128", "a loopback address"),
    ),
    *_ranges(
        Kind.PRIVATE,
        ("10.0.0.0/8", "a private address"),
        ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
        ("169.254.0.0/16", "a link-local address (cloud metadata lives there)"),
        ("172.16.0.0/12", "a private address"),
        ("192.0.0.0/24", "an IETF protocol assignment"),
        ("192.0.2.0/24", "a documentation address"),
        ("192.88.99.0/24", "the 6to4 relay anycast range"),
        ("192.168.0.0/16", "a private address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("198.51.100.0/24", "a documentation address"),
        ("203.0.113.0/24", "a documentation address"),
        ("240.0.0.0/4", "a reserved address"),
        ("64:ff9b::/96", "a NAT64 address (it reaches IPv4 addresses through a translator)"),
        ("64:ff9b:1::/48", "a local NAT64 address (it reaches IPv4 addresses)"),
        ("100::/64", "a discard-only address"),
        ("2001::/23", "an IETF protocol assignment (Teredo, benchmarking, ORCHID)"),
        ("2001:db8::/32", "a documentation address"),
        ("2002::/16", "a 6to4 address (it wraps an IPv4 address)"),
        ("3fff::/20", "a documentation address"),
        ("5f00::/16", "a segment-routing address"),
        ("fc00::/7", "a unique local (private) address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address"),
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


class TargetRefused(ValueError):
    pass


def classify(address: IPAddress) -> tuple[Kind, str] | None:
    """Why an address is not a public one (its kind and a description), or None if it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        inner = classify(address.ipv4_mapped)
        if inner is None:
            return None
        return inner[0], f"an IPv4-mapped address wrapping {inner[1]} ({address.ipv4_mapped})"
    for network, kind, what in DENIED:
        if address in network:
            return kind, what
    if isinstance(address, ipaddress.IPv6Address) and address not in GLOBAL_UNICAST_V6:
        # Includes the deprecated IPv4-compatible ::a.b.c.d and every unassigned range.
        return Kind.PRIVATE, "not a global unicast IPv6 address"
    return None


def check_url_shape(url: str) -> str:
    """The host of a well-formed http(s) URL; raises TargetRefused with the reason."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
    bad = unsafe_character(url)
    if bad is not None or any(c.isspace() for c in url):
        # urlsplit silently drops CR, LF and tab: the URL stored would not be the one checked.
        raise TargetRefused(
            f"the URL contains a space or a control character ({bad or 'whitespace'}); "
            "percent-encode it"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"the URL is malformed: {error}") from error
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("the URL must start with https:// (or http://)")
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL must not carry a user name or password")
    if port == 0:
        raise TargetRefused("the URL's port must be between 1 and 65535")
    host_and_port = parts.netloc.rpartition("@")[2]
    if "[" in host_and_port:
        if not BRACKETED.fullmatch(host_and_port):
            raise TargetRefused("the URL's host is not [IPv6 address] or [IPv6 address]:port")
        try:
            ipaddress.IPv6Address(parts.hostname)
        except ValueError as error:
            raise TargetRefused(f"the URL's IPv6 address is not valid: {error}") from error
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
            advice = (
                "webhooks must reach another machine"
                if kind is Kind.LOOPBACK
                else "use a public address"
            )
            raise TargetRefused(f"{host} is {what} ({address}); {advice}")
        chosen = chosen or str(address)
    if chosen is None:
        raise TargetRefused(f"{host} does not resolve to any address")
    return chosen
