"""The tracking model against the plain one: the set of sequences applied."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.platform.tracking import Tracking

pytestmark = pytest.mark.unit

batches = st.lists(st.lists(st.integers(min_value=1, max_value=60), max_size=8), max_size=12)


@given(batches)
def test_it_agrees_with_the_set_of_applied_sequences(applied_in_batches: list[list[int]]) -> None:
    tracking = Tracking()
    applied: set[int] = set()
    for batch in applied_in_batches:
        tracking = tracking.with_applied(batch)
        applied.update(batch)
    through = 0
    while through + 1 in applied:
        through += 1
    assert tracking.contiguous_through == through
    beyond = {s for s in applied if s > through}
    assert {s for start, end in tracking.beyond for s in range(start, end + 1)} == beyond
    highest = max(applied, default=0)
    assert tracking.missing == highest - len(applied)
    assert (tracking.gap is None) == (not beyond)
    if tracking.gap is not None:
        first, last = tracking.gap
        assert first == through + 1
        assert last + 1 == min(beyond)


def test_a_hole_holds_the_contiguous_sequence_until_it_is_filled() -> None:
    tracking = Tracking(3).with_applied([4, 6, 7])
    assert (tracking.contiguous_through, tracking.gap, tracking.missing) == (4, (5, 5), 1)
    assert tracking.with_applied([5]) == Tracking(7)
