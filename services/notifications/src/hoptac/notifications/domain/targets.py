"""Where webhooks may go. Private and loopback addresses are refused unless allowed, so that a
subscription cannot make this service call into the network it runs in."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class TargetPolicy:
    allow_loopback: bool = False
    allow_private: bool = False


class TargetRefused(ValueError):
    pass


def check_url_shape(url: str) -> str:
    """The host of a well-formed http(s) URL; raises TargetRefused with the reason."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("the URL must start with https:// (or http://)")
    if not parts.hostname:
        raise TargetRefused("the URL has no host")
    if parts.username or parts.password:
        raise TargetRefused("the URL must not carry a user name or password")
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as error:
        raise TargetRefused(f"the URL's port is not valid: {error}") from error
    return parts.hostname


def check_addresses(host: str, addresses: Iterable[str], policy: TargetPolicy) -> None:
    """Refuse the target if any address the host resolves to is not allowed."""
    found = False
    for text in addresses:
        found = True
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_loopback:
            if not policy.allow_loopback:
                raise TargetRefused(
                    f"{host} is a loopback address ({address}); webhooks must reach another machine"
                )
            continue
        if not address.is_global and not policy.allow_private:
            raise TargetRefused(
                f"{host} is a private or reserved address ({address}); use a public address"
            )
    if not found:
        raise TargetRefused(f"{host} does not resolve to any address")
