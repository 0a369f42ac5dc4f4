"""Approval that survives a crash: every registry row of a proposal carries the proposal's
correlation id, which the registry keeps with the change it commits. Whether an approval whose
answer was lost (collection stopped, or its own commit failed, after the registry committed)
was applied is then read from the registry, never guessed, and nothing is sent twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

# The registry's event for each kind of batch row.
EVENT_OF_OP = {
    "register": "organization.registered",
    "update": "organization.updated",
    "status": "organization.status_changed",
}

# Refusals that a change already applied under the same correlation id also gets: its
# registration number is taken (by itself), its record's version has moved (by itself), its
# status is already the one asked for.
MAYBE_APPLIED = frozenset({409, 412})


def correlation_id(proposal_id: UUID) -> str:
    return f"proposal:{proposal_id}"


def already_applied(
    rows: Sequence[dict[str, Any]], committed: Sequence[dict[str, Any]]
) -> list[dict[str, Any] | None]:
    """For each registry row of one proposal, in order, the result of the change the registry
    committed for it under the proposal's correlation id (as the batch write answers an applied
    row, marked `reconciled`), or None when it has none. A proposal has at most one row of each
    kind, so a committed change is matched to its row by its event."""
    left = list(committed)
    results: list[dict[str, Any] | None] = []
    for row in rows:
        event = EVENT_OF_OP[row["op"]]
        match = next((change for change in left if change["event_type"] == event), None)
        if match is None:
            results.append(None)
            continue
        left.remove(match)
        results.append(
            {
                "status": 201 if row["op"] == "register" else 200,
                "id": match["organization_id"],
                "version": match["organization_version"],
                "reconciled": True,
            }
        )
    return results


def settled(
    results: Sequence[dict[str, Any]],
    committed: Sequence[dict[str, Any]],
    rows: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """A proposal's results with each refusal of MAYBE_APPLIED replaced by the change the
    registry had in fact committed for that row, when it has one."""
    found = already_applied(rows, committed)
    return [
        applied
        if applied is not None and "error" in result and result["status"] in MAYBE_APPLIED
        else result
        for result, applied in zip(results, found, strict=True)
    ]
