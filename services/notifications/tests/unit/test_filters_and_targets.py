"""Subscription filters and webhook target checks."""

from __future__ import annotations

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
    assert "organization.registered" in problems[0].message


@pytest.mark.parametrize(
    ("addresses", "policy", "refused"),
    [
        (["93.184.216.34"], TargetPolicy(), False),
        (["127.0.0.1"], TargetPolicy(), True),
        (["127.0.0.1"], TargetPolicy(allow_loopback=True), False),
        (["::1"], TargetPolicy(), True),
        (["::ffff:10.0.0.1"], TargetPolicy(allow_loopback=True), True),
        (["10.0.0.1"], TargetPolicy(allow_private=True), False),
        (["100.64.0.1"], TargetPolicy(), True),
        (["93.184.216.34", "192.168.0.1"], TargetPolicy(), True),
        ([], TargetPolicy(), True),
    ],
)
def test_addresses(addresses: list[str], policy: TargetPolicy, refused: bool) -> None:
    if refused:
        with pytest.raises(TargetRefused):
            check_addresses("host", addresses, policy)
    else:
        check_addresses("host", addresses, policy)


@pytest.mark.parametrize(
    "url",
    ["ftp://x.vn/", "https://", "https://u:p@x.vn/", "https://x.vn:99999/", "x.vn/hook"],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_url_shape(url)


def test_a_good_url_gives_its_host() -> None:
    assert check_url_shape("https://thue.gov.vn:8443/hooks?x=1") == "thue.gov.vn"
