"""The search for format characters finds the very character a look at each one would find."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.registry.entrypoints.http.schemas import _invisible

pytestmark = pytest.mark.unit

FORMAT = st.sampled_from(["\u200b", "\u200d", "\ufeff", "\u202e", "\u00ad", "\U000e0001"])


def _first_format_character(value: str) -> str | None:
    return next((ch for ch in value if ch > "\x7f" and unicodedata.category(ch) == "Cf"), None)


@given(st.lists(st.one_of(st.characters(), FORMAT)).map("".join))
def test_the_first_format_character_is_found(value: str) -> None:
    assert _invisible(value) == _first_format_character(value)


def test_vietnamese_letters_and_emoji_are_not_format_characters() -> None:
    assert _invisible("Hợp tác xã Nông nghiệp Tân Hưng 🌾") is None
