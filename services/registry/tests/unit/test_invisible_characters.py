"""The search for format characters finds the very character a look at each one would find, and
a body's text is cleaned as a walk field by field would clean it."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.registry.domain.errors import InvalidFields
from hoptac.registry.entrypoints.http.schemas import _invisible, _nfc, _text_problems, clean_text

pytestmark = pytest.mark.unit

FORMAT = st.sampled_from(["\u200b", "\u200d", "\ufeff", "\u202e", "\u00ad", "\U000e0001"])


def _first_format_character(value: str) -> str | None:
    return next((ch for ch in value if ch > "\x7f" and unicodedata.category(ch) == "Cf"), None)


@given(st.lists(st.one_of(st.characters(), FORMAT)).map("".join))
def test_the_first_format_character_is_found(value: str) -> None:
    assert _invisible(value) == _first_format_character(value)


def test_vietnamese_letters_and_emoji_are_not_format_characters() -> None:
    assert _invisible("Hợp tác xã Nông nghiệp Tân Hưng 🌾") is None


TEXT = st.lists(
    st.one_of(st.characters(), FORMAT, st.sampled_from(["\x00", "\x1f", "\x7f", "\n", "\u0301"]))
).map("".join)
BODIES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from("abcd"), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(BODIES)
def test_a_body_is_cleaned_as_a_walk_field_by_field_would_clean_it(body: Any) -> None:
    """The look at every string at once answers as the walk: the same fields refused, or the
    same text in NFC."""
    problems = _text_problems(body, "")
    if problems:
        with pytest.raises(InvalidFields) as refused:
            clean_text(body)
        assert refused.value.problems == problems
    else:
        assert clean_text(body) == _nfc(body)
