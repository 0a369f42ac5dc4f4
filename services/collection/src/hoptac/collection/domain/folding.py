"""Text folded for comparison: lower case, no diacritics, đ as d, one space between words."""

from __future__ import annotations

from hoptac.contracts import vietnamese_text


def fold(text: str) -> str:
    return " ".join(vietnamese_text.fold(text).split())
