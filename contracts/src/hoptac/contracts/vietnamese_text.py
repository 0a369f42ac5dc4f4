"""Vietnamese text as every service compares and stores it.

A letter with diacritics can arrive precomposed (NFC: "ờ" one code point) or decomposed (NFD:
"o" + horn + grave), and both look the same: text is stored in NFC, and compared folded.
"""

from __future__ import annotations

import unicodedata


def nfc_clean(text: str) -> str:
    """NFC, without the whitespace around it: how a value a person typed is stored."""
    return unicodedata.normalize("NFC", text).strip()


def without_diacritics(text: str) -> str:
    """The letters without their marks, đ as d, case kept: "Đồng Hòa" → "Dong Hoa"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower case without diacritics, whatever the normal form of the input: "Đồng Hòa",
    "đồng hoà" and "dong hoa" all fold to "dong hoa". (Search's index holds folded words: a
    change here changes its tokens, and needs a reindex.)"""
    return without_diacritics(text.lower())
