from __future__ import annotations

import pytest

from hoptac.search.domain.pacing import BURST_EVENTS, BurstPacing

pytestmark = pytest.mark.unit
PACING = BurstPacing(spacing=1.0, batch_size=1000)


def test_a_write_alone_in_its_batch_is_never_held_back() -> None:
    assert PACING.rest_after(1, 0.01, 0) == 0.0
    assert PACING.rest_after(BURST_EVENTS - 1, 0.01, 0) == 0.0


def test_after_a_burst_batch_the_next_starts_spacing_after_this_one() -> None:
    assert PACING.rest_after(BURST_EVENTS, 0.1, 0) == pytest.approx(0.9)
    assert PACING.rest_after(999, 1.0, 0) == 0.0
    assert PACING.rest_after(300, 1.5, 0) == 0.0


def test_a_full_batch_is_a_backlog_to_catch_up_with_at_once() -> None:
    assert PACING.rest_after(1000, 0.01, 0) == 0.0


def test_no_spacing_means_no_rest() -> None:
    assert BurstPacing(spacing=0.0, batch_size=1000).rest_after(300, 0.01, 0) == 0.0


def test_a_batch_with_events_still_waiting_behind_it_is_a_backlog_too() -> None:
    assert PACING.rest_after(400, 0.1, pending=1) == 0.0
    assert PACING.rest_after(400, 0.1, pending=0) == pytest.approx(0.9)
