"""What the registry already applied of a proposal, read back by its correlation id."""

from __future__ import annotations

import pytest

from hoptac.collection.domain.applying import already_applied, settled

pytestmark = pytest.mark.unit

UPDATE = {"op": "update", "id": "o1", "version": 1, "body": {"members_count": 40}}
STATUS = {"op": "status", "id": "o1", "body": {"status": "dissolved", "reason": "x"}}


def committed(version: int, event: str) -> dict[str, object]:
    return {
        "correlation_id": "proposal:p",
        "organization_id": "o1",
        "organization_version": version,
        "event_type": f"organization.{event}",
    }


def test_each_row_is_matched_to_the_change_of_its_kind_and_the_others_are_left_to_send() -> None:
    found = already_applied([UPDATE, STATUS], [committed(2, "updated")])

    assert found == [{"status": 200, "id": "o1", "version": 2, "reconciled": True}, None]


def test_a_registration_found_committed_is_answered_as_created() -> None:
    register = {"op": "register", "body": {}}

    (found,) = already_applied([register], [committed(1, "registered")])

    assert found == {"status": 201, "id": "o1", "version": 1, "reconciled": True}


def test_only_a_refusal_that_an_applied_change_also_gets_is_replaced_by_that_change() -> None:
    stale = {"status": 412, "error": {"error": "stale_version"}}
    invalid = {"status": 422, "error": {"error": "invalid_request"}}
    ok = {"status": 200, "id": "o1", "version": 2}
    both = [committed(2, "updated"), committed(3, "status_changed")]

    assert settled([stale, invalid], both, [UPDATE, STATUS]) == [
        {"status": 200, "id": "o1", "version": 2, "reconciled": True},
        invalid,
    ]
    assert settled([ok, stale], [committed(2, "updated")], [UPDATE, STATUS]) == [ok, stale]
