"""Full collections are put off while any request holding them off runs, then the process's
own thresholds come back."""

from __future__ import annotations

import gc

import pytest

from hoptac.platform.collections_put_off import PUT_OFF, full_collections_put_off

pytestmark = pytest.mark.unit


def test_overlapping_requests_share_one_putting_off_and_the_last_to_end_gives_it_back() -> None:
    usual = gc.get_threshold()
    first, second = full_collections_put_off(), full_collections_put_off()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold() == (usual[0], usual[1], PUT_OFF)
    first.__exit__(None, None, None)
    assert gc.get_threshold() == (usual[0], usual[1], PUT_OFF)
    second.__exit__(None, None, None)
    assert gc.get_threshold() == usual


def test_the_thresholds_come_back_when_the_request_fails() -> None:
    usual = gc.get_threshold()
    with pytest.raises(RuntimeError), full_collections_put_off():
        raise RuntimeError
    assert gc.get_threshold() == usual
