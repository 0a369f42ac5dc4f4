"""Folding word by word gives the text that folding the whole does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.collection.domain.folding import fold
from hoptac.contracts import vietnamese_text

pytestmark = pytest.mark.unit

# Vietnamese letters precomposed and decomposed, lone marks, spaces of several kinds.
PIECES = ["Hợp", "tác", "xã", "Đồng", "hoà", "ĐỒNG", "o\u031b\u0300", "\u0301", " ", "\u00a0", "\t"]


def folded_whole(text: str) -> str:
    return " ".join(vietnamese_text.fold(text).split())


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_folds_as_the_whole_does(text: str) -> None:
    assert fold(text) == folded_whole(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_vietnamese_words_and_lone_marks_fold_as_the_whole_does(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert fold(text) == folded_whole(text)


def test_a_name_folds_to_plain_lower_case_words() -> None:
    assert fold("  Hợp tác xã  Đồng Hoà ") == "hop tac xa dong hoa"
