"""Subscription filters and webhook target checks."""

from __future__ import annotations

import ipaddress

import pytest

from hoptac.notifications.domain.filters import EventFacts, EventFilter, build_filter
from hoptac.notifications.domain.targets import (
    TargetPolicy,
    TargetRefused,
    check_addresses,
    check_url_shape,
)

pytestmark = pytest.mark.unit

EVENT = EventFacts("organization.updated", "96", "cooperative", "agriculture")


def test_an_empty_filter_takes_everything_and_fields_combine_with_and() -> None:
    assert EventFilter().matches(EVENT)
    assert EventFilter(provinces=frozenset({"96", "01"})).matches(EVENT)
    assert not EventFilter(
        provinces=frozenset({"96"}), kinds=frozenset({"cooperative_group"})
    ).matches(EVENT)


def test_short_event_names_are_accepted_and_mistakes_named() -> None:
    built, problems = build_filter(event_types=["updated", "organization.merged"])
    assert built.event_types == {"organization.updated", "organization.merged"}
    assert problems == []
    _, problems = build_filter(
        event_types=["deleted"], provinces=["960"], kinds=["htx"], sectors=["farming"]
    )
    assert [p.field for p in problems] == ["event_types", "provinces", "kinds", "sectors"]
    assert "organization.registered" in str(problems[0].message)


PRODUCTION = TargetPolicy()  # loopback and private addresses refused

# One address inside each range the production policy refuses, and what the refusal says.
REFUSED: dict[str, tuple[str, str]] = {
    "this network 0.0.0.0/8": ("0.0.0.0", "unspecified"),
    "unspecified ::": ("::", "unspecified"),
    "loopback 127.0.0.0/8": ("127.1.2.3", "loopback"),
    "loopback ::1": ("::1", "loopback"),
    "private 10.0.0.0/8": ("10.20.30.40", "private"),
    "CGNAT 100.64.0.0/10": ("100.127.255.254", "carrier-grade NAT"),
    "link-local 169.254.0.0/16": ("169.254.169.254", "link-local"),
    "private 172.16.0.0/12": ("172.31.0.1", "private"),
    "IETF 192.0.0.0/24": ("192.0.0.8", "IETF"),
    "documentation 192.0.2.0/24": ("192.0.2.1", "documentation"),
    "6to4 relay 192.88.99.0/24": ("192.88.99.1", "6to4"),
    "private 192.168.0.0/16": ("192.168.1.1", "private"),
    "benchmarking 198.18.0.0/15": ("198.19.0.1", "benchmarking"),
    "documentation 198.51.100.0/24": ("198.51.100.7", "documentation"),
    "documentation 203.0.113.0/24": ("203.0.113.9", "documentation"),
    "multicast 224.0.0.0/4": ("239.255.255.250", "multicast"),
    "reserved 240.0.0.0/4": ("240.0.0.1", "reserved"),
    "broadcast": ("255.255.255.255", "broadcast"),
    "IPv4-mapped private": ("::ffff:10.0.0.1", "IPv4-mapped"),
    "IPv4-mapped loopback": ("::ffff:127.0.0.1", "loopback"),
    "IPv4-mapped link-local": ("::ffff:169.254.169.254", "link-local"),
    "IPv4-compatible private": ("::10.0.0.1", "global unicast"),
    "IPv4-compatible public": ("::8.8.8.8", "global unicast"),
    "NAT64 64:ff9b::/96 wrapping a private address": ("64:ff9b::a00:1", "NAT64"),
    "NAT64 64:ff9b::/96 wrapping a public address": ("64:ff9b::808:808", "NAT64"),
    "local NAT64 64:ff9b:1::/48": ("64:ff9b:1::a00:1", "NAT64"),
    "discard 100::/64": ("100::1", "discard"),
    "Teredo 2001::/32": ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    "benchmarking 2001:2::/48": ("2001:2::1", "benchmarking"),
    "documentation 2001:db8::/32": ("2001:db8::1", "documentation"),
    "6to4 2002::/16 wrapping a private address": ("2002:c0a8:101::1", "6to4"),
    "6to4 2002::/16 wrapping a public address": ("2002:808:808::1", "6to4"),
    "documentation 3fff::/20": ("3fff::1", "documentation"),
    "segment routing 5f00::/16": ("5f00::1", "segment-routing"),
    "unique local fc00::/7": ("fd12:3456::1", "unique local"),
    "link-local fe80::/10": ("fe80::1%eth0", "link-local"),
    "site-local fec0::/10": ("fec0::1", "site-local"),
    "multicast ff00::/8": ("ff02::1", "multicast"),
    "unassigned IPv6 outside 2000::/3": ("4000::1", "global unicast"),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_the_production_policy_refuses_each_range(case: str) -> None:
    address, reason = REFUSED[case]
    with pytest.raises(TargetRefused, match=reason):
        check_addresses("host", [address], PRODUCTION)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"]
)
def test_public_addresses_pass_and_are_the_ones_connected_to(address: str) -> None:
    chosen = check_addresses("host", [address, "1.1.1.1"], PRODUCTION)
    assert ipaddress.ip_address(chosen) == ipaddress.ip_address(address)


@pytest.mark.parametrize(
    ("address", "policy", "refused"),
    [
        ("127.0.0.1", TargetPolicy(allow_loopback=True), False),
        ("::ffff:127.0.0.1", TargetPolicy(allow_loopback=True), False),
        ("::ffff:10.0.0.1", TargetPolicy(allow_loopback=True), True),
        ("10.0.0.1", TargetPolicy(allow_private=True), False),
        ("2002:c0a8:101::1", TargetPolicy(allow_private=True), False),
        # No setting allows these: 0.0.0.0 reaches this machine, multicast is no server.
        ("0.0.0.0", TargetPolicy(allow_loopback=True, allow_private=True), True),
        ("224.0.0.1", TargetPolicy(allow_loopback=True, allow_private=True), True),
        ("ff02::1", TargetPolicy(allow_loopback=True, allow_private=True), True),
    ],
)
def test_settings_widen_the_policy(address: str, policy: TargetPolicy, refused: bool) -> None:
    if refused:
        with pytest.raises(TargetRefused):
            check_addresses("host", [address], policy)
    else:
        check_addresses("host", [address], policy)


def test_one_refused_address_among_several_refuses_the_host() -> None:
    with pytest.raises(TargetRefused, match=r"192\.168\.0\.1"):
        check_addresses("host", ["93.184.216.34", "192.168.0.1"], PRODUCTION)
    with pytest.raises(TargetRefused, match="does not resolve"):
        check_addresses("host", [], PRODUCTION)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x.vn/",
        "https://",
        "https://u:p@x.vn/",
        "https://u@x.vn/",
        "https://x.vn:99999/",
        "https://x.vn:0/",
        "x.vn/hook",
        "https://x.vn/a\r\nHost: evil",
        "https://x.vn/a\nb",
        "https://x.\tvn/",
        "https://x.vn/a b",
        "https://x.vn/\x00",
        "https://x.vn/\x7f",
        "https://x.vn/\u202e",
        "http://[::1/",
        "http://[zz::1]/",
        "http://[::1]x/",
    ],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_url_shape(url)


def test_a_good_url_gives_its_host() -> None:
    assert check_url_shape("https://thue.gov.vn:8443/hooks?x=1") == "thue.gov.vn"
    assert check_url_shape("http://[2606:4700::1111]:8080/h") == "2606:4700::1111"
