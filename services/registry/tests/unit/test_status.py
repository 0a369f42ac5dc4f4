from __future__ import annotations

import pytest

from hoptac.contracts.codes import FINAL_STATUSES, Status
from hoptac.registry.domain.errors import InvalidTransition
from hoptac.registry.domain.legal_basis import REQUIRED_FIELDS, STATUS_BASIS
from hoptac.registry.domain.status import ALLOWED, check_transition, transition_basis
from hoptac.registry.domain.validation import REQUIRED

pytestmark = pytest.mark.unit


def test_dissolved_and_bankrupt_are_final() -> None:
    for final in FINAL_STATUSES:
        for target in Status:
            with pytest.raises(InvalidTransition):
                check_transition(final, target)


def test_a_revoked_certificate_can_be_restored() -> None:
    check_transition(Status.CERTIFICATE_REVOKED, Status.OPERATING)


def test_a_suspension_can_end() -> None:
    check_transition(Status.SUSPENDED, Status.OPERATING)


def test_dissolving_cannot_go_back_to_operating() -> None:
    with pytest.raises(InvalidTransition, match="the law allows: bankrupt, dissolved"):
        check_transition(Status.DISSOLVING, Status.OPERATING)


def test_the_same_status_is_not_a_change() -> None:
    with pytest.raises(InvalidTransition, match="already operating"):
        check_transition(Status.OPERATING, Status.OPERATING)


def test_every_status_has_its_rules() -> None:
    assert set(ALLOWED) == set(Status)


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_every_transition_allowed_or_refused_cites_its_basis(
    current: Status, target: Status
) -> None:
    basis = transition_basis(current, target)
    assert basis, f"{current} → {target} cites nothing"
    if target in ALLOWED[current]:
        return
    with pytest.raises(InvalidTransition) as refused:
        check_transition(current, target)
    assert refused.value.basis == basis


def test_every_status_and_every_required_field_cites_a_document() -> None:
    assert set(STATUS_BASIS) == set(Status)
    assert all(STATUS_BASIS.values())
    assert tuple(REQUIRED_FIELDS) == REQUIRED
    assert all(REQUIRED_FIELDS.values())
