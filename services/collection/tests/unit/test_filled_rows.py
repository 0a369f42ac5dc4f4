"""A row is read when any cell holds something: counting the empty cells in C
(`handlers._filled`) must say what the cell-by-cell test said, 0 and False being values."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hoptac.collection import handlers

CELLS = st.one_of(
    st.none(),
    st.just(""),
    st.just(" "),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.text(max_size=3),
)


@given(st.lists(CELLS, max_size=8))
def test_a_row_is_filled_when_a_cell_is_neither_none_nor_empty(cells: list[Any]) -> None:
    assert handlers._filled(cells) == any(c not in (None, "") for c in cells)


def test_zero_and_false_are_values() -> None:
    assert handlers._filled([None, 0, ""])
    assert handlers._filled([False])
    assert not handlers._filled([None, "", None])
