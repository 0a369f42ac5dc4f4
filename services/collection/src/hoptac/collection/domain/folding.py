"""Text folded for comparison: lower case, no diacritics, đ as d, one space between words.

Folding never joins nor splits words (no letter folds to a space, nor a space to a letter), so a
text is folded word by word, and each word once however often the names and labels of a file
repeat it (Hợp, tác, xã, Nông…): the same text as folding the whole."""

from __future__ import annotations

from functools import lru_cache

from hoptac.contracts import vietnamese_text


def fold(text: str) -> str:
    words = (word.lower() if word.isascii() else _folded(word) for word in text.split())
    return " ".join(word for word in words if word)  # a lone mark folds to nothing


@lru_cache(maxsize=50_000)  # the words of a language, not the numbers a file holds
def _folded(word: str) -> str:
    return vietnamese_text.fold(word)
