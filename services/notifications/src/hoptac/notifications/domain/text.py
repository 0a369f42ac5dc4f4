"""Text a person typed, checked before it is stored: PostgreSQL refuses NUL and lone surrogates
(a 500 if they reach it), and control or bidi-override characters let a label or a URL look like
something it is not."""

from __future__ import annotations

import unicodedata

# Explicit direction embeddings, overrides and isolates (Unicode bidi controls).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_character(value: str) -> str | None:
    """The first character that has no place in a one-line label or a URL, described."""
    for position, character in enumerate(value):
        category = unicodedata.category(character)
        if category in ("Cc", "Cs") or character in BIDI_CONTROLS:
            return f"character U+{ord(character):04X} at position {position}"
    return None
