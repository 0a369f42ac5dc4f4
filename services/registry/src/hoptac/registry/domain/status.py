"""Legal status and the transitions Cooperative Law 17/2023/QH15 and Decree 92/2024 allow."""

from __future__ import annotations

from hoptac.contracts.codes import Status
from hoptac.registry.domain.errors import InvalidTransition

FINAL = frozenset({Status.DISSOLVED, Status.BANKRUPT})

# Dissolution normally passes through `dissolving`, but records of the past often know only the
# outcome, so an operating or suspended organisation may be recorded as dissolved directly.
ALLOWED: dict[Status, frozenset[Status]] = {
    Status.OPERATING: frozenset(
        {
            Status.SUSPENDED,
            Status.DISSOLVING,
            Status.DISSOLVED,
            Status.BANKRUPT,
            Status.CERTIFICATE_REVOKED,
        }
    ),
    Status.SUSPENDED: frozenset(
        {
            Status.OPERATING,
            Status.DISSOLVING,
            Status.DISSOLVED,
            Status.BANKRUPT,
            Status.CERTIFICATE_REVOKED,
        }
    ),
    Status.DISSOLVING: frozenset({Status.DISSOLVED, Status.BANKRUPT}),
    Status.CERTIFICATE_REVOKED: frozenset(
        {Status.OPERATING, Status.DISSOLVING, Status.DISSOLVED, Status.BANKRUPT}
    ),
    Status.DISSOLVED: frozenset(),
    Status.BANKRUPT: frozenset(),
}


def check_transition(current: Status, target: Status) -> None:
    if current == target:
        raise InvalidTransition(f"the organisation is already {current.value}")
    if current in FINAL:
        raise InvalidTransition(
            f"{current.value} is final: no status change is possible; if it was entered by "
            "mistake, a reviewer corrects it: POST /v1/organizations/{id}/status with "
            '"correction": true'
        )
    if target not in ALLOWED[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current]))
        raise InvalidTransition(
            f"cannot go from {current.value} to {target.value}; from {current.value} "
            f"the law allows: {allowed}"
        )
