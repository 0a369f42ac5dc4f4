"""Legal status and the transitions Cooperative Law 17/2023/QH15 and Decree 92/2024 allow
(`legal_basis.py` cites them per status)."""

from __future__ import annotations

from hoptac.contracts.codes import FINAL_STATUSES, Status
from hoptac.platform.text import Text
from hoptac.registry.domain.errors import InvalidTransition
from hoptac.registry.domain.legal_basis import STATUS_BASIS, Citation, status_rule

# A status as messages name it, in the reader's language, with its code beside it.
STATUS_NAMES: dict[Status, Text] = {
    Status.OPERATING: Text("part.status_operating"),
    Status.SUSPENDED: Text("part.status_suspended"),
    Status.DISSOLVING: Text("part.status_dissolving"),
    Status.DISSOLVED: Text("part.status_dissolved"),
    Status.BANKRUPT: Text("part.status_bankrupt"),
    Status.CERTIFICATE_REVOKED: Text("part.status_certificate_revoked"),
}

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


def transition_rule(current: Status, target: Status) -> str:
    """The rule a change from `current` to `target`, allowed or refused, rests on: the rule of
    the status it leads to, or, from a final status, the rule that made it final."""
    return status_rule(current if current in FINAL_STATUSES else target)


def transition_basis(current: Status, target: Status) -> tuple[Citation, ...]:
    """The documents that rule cites."""
    return STATUS_BASIS[current] if current in FINAL_STATUSES else STATUS_BASIS[target]


def check_transition(current: Status, target: Status) -> None:
    basis = transition_basis(current, target)
    rule = transition_rule(current, target)
    if current == target:
        raise InvalidTransition(
            Text("registry.status_already", status=STATUS_NAMES[current]), basis, rule
        )
    if current in FINAL_STATUSES:
        raise InvalidTransition(
            Text("registry.status_final", status=STATUS_NAMES[current]), basis, rule
        )
    if target not in ALLOWED[current]:
        allowed = [STATUS_NAMES[s] for s in sorted(ALLOWED[current])]
        raise InvalidTransition(
            Text(
                "registry.transition_not_allowed",
                current=STATUS_NAMES[current],
                target=STATUS_NAMES[target],
                allowed=allowed,
            ),
            basis,
            rule,
        )
