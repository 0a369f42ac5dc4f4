"""A dry run that keeps nothing skips building an event it knows fits: the bound it judges by
must never say "fits" of an event that does not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from hoptac.registry.adapters.event_mapping import outbox_event, surely_fits
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain import organization as domain
from hoptac.registry.domain.organization import Organization
from hoptac.registry.domain.validation import ReferenceData

pytestmark = pytest.mark.unit

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)
CONTEXT = WriteContext("tester", "test", "import:42:row:7", "token:0123456789abcdef")
WIDE = "ữ" * 300  # three bytes a character, every bounded text at its bound


def bodies(make_body: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        make_body(),
        make_body(name_foreign=None, legal_representative=None, contact=None),
        make_body(
            name=WIDE,
            name_foreign=WIDE,
            registering_authority=WIDE,
            address={"street": WIDE, "province_code": "96", "commune_code": "31825"},
            ocop_products=[{"name": f"{i:03d}" + "ữ" * 297, "stars": 3} for i in range(100)],
            financials=[{"year": 1945 + i, "revenue": -(10**15)} for i in range(80)],
        ),
    ]


def test_the_bound_never_passes_a_registration_whose_event_is_larger(
    reference: ReferenceData, make_body: Callable[..., dict[str, Any]]
) -> None:
    for body in bodies(make_body):
        version = domain.register(body, reference, TODAY)
        org = Organization(uuid4(), [version])
        size = outbox_event(org.id, org.record, version, {}, CONTEXT, NOW).published_size
        assert not surely_fits(org.record, version, {}, CONTEXT, size - 1)
        assert surely_fits(org.record, version, {}, CONTEXT, 2 * size + 64 * 1024)


def test_the_bound_never_passes_an_update_whose_event_is_larger(
    reference: ReferenceData, make_body: Callable[..., dict[str, Any]]
) -> None:
    small, _, large = bodies(make_body)
    org = Organization(uuid4(), [domain.register(small, reference, TODAY)])
    patch = {key: large[key] for key in ("name", "name_foreign", "ocop_products", "financials")}
    version = domain.update(org, patch, None, reference, TODAY, reason=WIDE)
    assert version is not None
    changed = Organization(org.id, [*org.versions, version])
    event = outbox_event(org.id, changed.record, version, org.record, CONTEXT, NOW)
    size = event.published_size
    assert not surely_fits(changed.record, version, org.record, CONTEXT, size - 1)
