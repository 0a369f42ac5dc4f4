"""Keys that make variants of one name or one registration number compare equal."""

from __future__ import annotations

import re
import unicodedata

# Kind words say nothing about which organisation it is: "HTX Tân Hưng" and "Hợp tác xã Tân
# Hưng" are the same name.
_KIND_WORDS = re.compile(
    r"\b(lien hiep hop tac xa|lien hiep htx|lh htx|hop tac xa|htx|to hop tac|tht|"
    r"quy tin dung nhan dan|qtdnd)\b"
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, without diacritics (đ becomes d), in NFC-independent form."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def name_key(name: str) -> str:
    folded = _NOT_WORD.sub(" ", fold(name))
    return " ".join(_KIND_WORDS.sub(" ", folded).split())


_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Z]+")


def registration_key(number: str) -> str:
    """What identifies a registration number however it is written: "06001-000.001" and
    "6001000001" are one number. Case, punctuation, spaces and leading zeros do not count.
    (Migration 0003 computes the same key in SQL for the rows it found.)"""
    return _NOT_ALPHANUMERIC.sub("", number.upper()).lstrip("0")
