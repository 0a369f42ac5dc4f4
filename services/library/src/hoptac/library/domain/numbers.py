"""Numbers and symbols of legal documents: `17/2023/QH15`, `92/2024/NĐ-CP`, `19/CT-TTg`."""

from __future__ import annotations

import re
import unicodedata

# A serial number, an optional year, then the symbol of the kind and the issuer (letters,
# digits, hyphens and slashes: `QĐ-UBND`, `NQ/TW`).
_SHAPE = re.compile(r"\d{1,5}(/\d{4})?/(?=[0-9\-/]*[A-Za-zĐđ])[0-9A-Za-zĐđ\-/]{0,40}[0-9A-Za-zĐđ]")


def normalise(number: str) -> str:
    """As printed (the case of `TTg`, the Prime Minister, is part of it), in one Unicode form,
    spaces removed: `92/2024/ NĐ-CP` is the same number."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", number))


def is_number(number: str) -> bool:
    return _SHAPE.fullmatch(normalise(number)) is not None


def number_key(number: str) -> str:
    """What makes two numbers the same document (the symbol's case and spacing do not)."""
    return normalise(number).casefold()
