"""The status timeline and the public changes from the registry's versions."""

from __future__ import annotations

import pytest

from hoptac.portal.domain.history import public_changes, status_timeline

from ..fakes import HISTORY

pytestmark = pytest.mark.unit


def test_the_timeline_lists_each_status_from_the_day_it_took_effect() -> None:
    steps = status_timeline(HISTORY)
    assert [(s.status, s.since) for s in steps] == [
        ("operating", "2019-05-20"),
        ("suspended", "2023-03-01"),
    ]
    assert steps[1].reason == "rà soát"


def test_public_changes_leave_out_restricted_fields_and_come_newest_first() -> None:
    changes = public_changes(HISTORY)
    assert [c.version for c in changes] == [2, 1]
    assert [c.field for c in changes[0].changes] == ["status"]
