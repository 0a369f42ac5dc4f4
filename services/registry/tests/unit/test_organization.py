"""The organisation aggregate: registration, updates as of a day, status, merger, removal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from hoptac.contracts.codes import EventName, Status
from hoptac.registry.domain import organization as domain
from hoptac.registry.domain.errors import InvalidFields, InvalidTransition, Removed, StaleVersion
from hoptac.registry.domain.history import current_record
from hoptac.registry.domain.organization import Organization
from hoptac.registry.domain.validation import ReferenceData

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 22)
Registered = Callable[..., Organization]


@pytest.fixture
def registered(reference: ReferenceData, make_body: Callable[..., dict[str, Any]]) -> Registered:
    def make(**overrides: Any) -> Organization:
        version = domain.register(make_body(**overrides), reference, TODAY)
        return Organization(uuid4(), [version])

    return make


def apply(org: Organization, version: object) -> Organization:
    assert version is not None
    return Organization(org.id, [*org.versions, version])  # type: ignore[list-item]


def field_paths(error: InvalidFields) -> list[str]:
    return [p.field for p in error.problems]


def test_registration_starts_operating_on_the_registration_day(
    reference: ReferenceData, registered: Registered
) -> None:
    org = registered()
    assert org.version == 1
    assert org.record["status"] == "operating"
    assert org.record["status_since"] == "2015-03-12"
    assert org.versions[0].effective_date == date(2015, 3, 12)


def test_a_new_organisation_holds_the_registration_and_the_record_its_changes_make(
    reference: ReferenceData, make_body: Callable[..., dict[str, Any]]
) -> None:
    body = make_body(contact=None, digital={}, address={"province_code": "96", "legacy": None})
    org_id = uuid4()
    org = domain.registered(org_id, body, reference, TODAY)
    assert (org.id, org.versions) == (org_id, [domain.register(body, reference, TODAY)])
    assert org.record == current_record(org.versions)
    assert list(org.record) == list(current_record(org.versions))


def test_registration_in_the_future_is_refused(
    reference: ReferenceData, make_body: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(InvalidFields) as error:
        domain.register(make_body(registered_on="2027-01-01"), reference, TODAY)
    assert field_paths(error.value) == ["registered_on"]


def test_a_commune_outside_the_province_is_refused(
    reference: ReferenceData, make_body: Callable[..., dict[str, Any]]
) -> None:
    body = make_body(address={"province_code": "01", "commune_code": "31825"})
    with pytest.raises(InvalidFields) as error:
        domain.register(body, reference, TODAY)
    assert "address.commune_code" in field_paths(error.value)


def test_an_unknown_vsic_division_is_refused(
    reference: ReferenceData, make_body: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(InvalidFields) as error:
        domain.register(
            make_body(sector={"group": "agriculture", "vsic": ["0411"]}), reference, TODAY
        )
    assert field_paths(error.value) == ["sector.vsic.0"]


def test_update_records_field_level_changes(
    reference: ReferenceData, registered: Registered
) -> None:
    org = registered()
    version = domain.update(org, {"members_count": 30}, None, reference, TODAY)
    assert version is not None
    assert version.event == EventName.UPDATED
    assert [(c.field, c.before, c.after) for c in version.changes] == [("members_count", 25, 30)]
    assert version.effective_date == TODAY


def test_an_update_that_changes_nothing_makes_no_version(
    reference: ReferenceData, registered: Registered
) -> None:
    org = registered()
    assert domain.update(org, {"members_count": 25}, None, reference, TODAY) is None


def test_required_fields_cannot_be_removed(
    reference: ReferenceData, registered: Registered
) -> None:
    org = registered()
    with pytest.raises(InvalidFields) as error:
        domain.update(org, {"name": None}, None, reference, TODAY)
    assert field_paths(error.value) == ["name"]


def test_status_cannot_be_patched(reference: ReferenceData, registered: Registered) -> None:
    with pytest.raises(InvalidFields, match="POST /v1/organizations"):
        domain.update(registered(), {"status": "dissolved"}, None, reference, TODAY)


def test_a_correction_about_last_year_changes_last_year_only(
    reference: ReferenceData, registered: Registered
) -> None:
    org = registered()
    org = apply(org, domain.update(org, {"members_count": 40}, date(2026, 1, 10), reference, TODAY))
    org = apply(org, domain.update(org, {"members_count": 33}, date(2025, 6, 1), reference, TODAY))
    assert org.on(date(2025, 5, 31))["members_count"] == 25  # type: ignore[index]
    assert org.on(date(2025, 12, 31))["members_count"] == 33  # type: ignore[index]
    assert org.record["members_count"] == 40


def test_nothing_is_known_before_registration(
    reference: ReferenceData, registered: Registered
) -> None:
    assert registered().on(date(2015, 3, 11)) is None


def test_suspension_needs_an_end_date(reference: ReferenceData, registered: Registered) -> None:
    org = registered()
    with pytest.raises(InvalidFields) as error:
        domain.change_status(org, Status.SUSPENDED, date(2026, 1, 1), "tạm ngừng", None, TODAY)
    assert field_paths(error.value) == ["suspended_until"]
    version = domain.change_status(
        org, Status.SUSPENDED, date(2026, 1, 1), "tạm ngừng", date(2026, 12, 31), TODAY
    )
    after = apply(org, version).record
    assert (after["status"], after["status_since"], after["suspended_until"]) == (
        "suspended",
        "2026-01-01",
        "2026-12-31",
    )


def test_a_dissolved_organisation_cannot_come_back(
    reference: ReferenceData, registered: Registered
) -> None:
    org = registered()
    org = apply(org, domain.change_status(org, Status.DISSOLVED, None, "giải thể", None, TODAY))
    with pytest.raises(InvalidTransition, match="final"):
        domain.change_status(org, Status.OPERATING, None, "khôi phục", None, TODAY)


def test_a_status_change_cannot_predate_the_current_status(
    reference: ReferenceData, registered: Registered
) -> None:
    org = registered()
    org = apply(
        org, domain.change_status(org, Status.DISSOLVING, date(2024, 5, 1), "giải thể", None, TODAY)
    )
    with pytest.raises(InvalidFields, match="2024-05-01"):
        domain.change_status(org, Status.DISSOLVED, date(2024, 4, 1), "xong", None, TODAY)


def test_status_as_of_a_date_follows_effective_dates(
    reference: ReferenceData, registered: Registered
) -> None:
    org = registered()
    org = apply(
        org, domain.change_status(org, Status.DISSOLVED, date(2022, 7, 1), "giải thể", None, TODAY)
    )
    assert org.on(date(2022, 6, 30))["status"] == "operating"  # type: ignore[index]
    assert org.on(date(2022, 7, 1))["status"] == "dissolved"  # type: ignore[index]


def test_merger_dissolves_and_points_at_the_successor(
    reference: ReferenceData, registered: Registered
) -> None:
    org = registered()
    successor = registered(registration_number="6001000002")
    version = domain.merge(org, successor, None, "sáp nhập", TODAY)
    after = apply(org, version).record
    assert version.event == EventName.MERGED
    assert (after["status"], after["merged_into"]) == ("dissolved", str(successor.id))


def test_merging_into_itself_is_refused(reference: ReferenceData, registered: Registered) -> None:
    org = registered()
    with pytest.raises(InvalidFields):
        domain.merge(org, org, None, "sáp nhập", TODAY)


def test_a_removed_record_cannot_change(reference: ReferenceData, registered: Registered) -> None:
    org = registered()
    org.apply(domain.remove(org, "nhập nhầm", TODAY))
    assert org.removed
    with pytest.raises(Removed):
        domain.update(org, {"members_count": 1}, None, reference, TODAY)


def test_a_stale_version_is_refused(reference: ReferenceData, registered: Registered) -> None:
    with pytest.raises(StaleVersion, match="version 3"):
        registered().require_version(3)
