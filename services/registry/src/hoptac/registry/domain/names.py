"""Keys that make variants of one name or one registration number compare equal."""

from __future__ import annotations

import re

from hoptac.contracts.organization import registration_key
from hoptac.contracts.vietnamese_text import fold

# Kind words say nothing about which organisation it is: "HTX Tân Hưng" and "Hợp tác xã Tân
# Hưng" are the same name.
_KIND_WORDS = re.compile(
    r"\b(lien hiep hop tac xa|lien hiep htx|lh htx|hop tac xa|htx|to hop tac|tht|"
    r"quy tin dung nhan dan|qtdnd)\b"
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    folded = _NOT_WORD.sub(" ", fold(name))
    return " ".join(_KIND_WORDS.sub(" ", folded).split())


# What identifies a registration number is part of the contract (collection matches rows by it).
# Migration 0003 computes the same key in SQL for the rows it found.
__all__ = ["name_key", "registration_key"]
