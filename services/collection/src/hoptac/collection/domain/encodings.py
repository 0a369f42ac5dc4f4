"""Vietnamese text typed in the legacy 8-bit encodings still found in provincial files, and its
conversion to Unicode: TCVN3 (ABC, fonts .VnTime) and VNI (VNI-Windows, fonts VNI-Times).

A spreadsheet keeps such text as the Latin-1 characters of the font's bytes ("Hîp t¸c x·" in
TCVN3, "Hôïp taùc xaõ" in VNI, both "Hợp tác xã"); a CSV saved from such a sheet holds the bytes.
The letters are mapped by the table `legacy_letters.tsv` beside this module (the 134 letters
with diacritics and đ, both cases; TCVN3 has no code for a capital with a tone mark: the capital
font .VnTimeH draws the small letter's code as a capital, so a cell whose plain letters are all
capitals is read back in capitals).

A cell is read three ways: as Unicode, as TCVN3, as VNI. A reading is plausible when each of its
words that is not plain ASCII is a Vietnamese syllable. A file is taken to be in a legacy
encoding only when some cell makes sense in it and not as Unicode: ordinary Unicode text and
plain ASCII are never converted. In such a file, a cell that makes sense both ways is converted
too, unless other cells are certainly Unicode (a letter beyond Latin-1): then it is ambiguous,
and refused naming the encoding rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

ENCODINGS = ("TCVN3", "VNI")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
_WORD_BREAK = re.compile(r"[\s!-@\[-`{-~]+")  # spaces, ASCII digits and punctuation
_NUCLEI = (
    "iêu|oai|oao|oay|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu|yêu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_SYLLABLE = re.compile(
    rf"(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx])?(?:{_NUCLEI})(?:ch|ng|nh|[cmnpt])?"
)


@cache
def tables() -> Mapping[str, Mapping[str, str]]:
    """For each encoding, its letters' codes (one or two characters) → the Unicode letter."""
    text = (
        resources.files("hoptac.collection.domain")
        .joinpath("legacy_letters.tsv")
        .read_text("utf-8")
    )
    found: dict[str, dict[str, str]] = {name: {} for name in ENCODINGS}
    for line in text.splitlines()[1:]:
        letter, *codes = line.split("\t")
        for name, code in zip(ENCODINGS, codes, strict=True):
            if code:
                found[name][code] = letter
    return found


@cache
def _codes(encoding: str) -> re.Pattern[str]:
    """Any code of `encoding`, the longest first (VNI's "aâ" is â, not a and a mark)."""
    codes = sorted(tables()[encoding], key=len, reverse=True)
    return re.compile("|".join(re.escape(code) for code in codes))


def converted(text: str, encoding: str) -> str:
    """`text` typed in `encoding`, in Unicode NFC."""
    table = tables()[encoding]
    done = _codes(encoding).sub(lambda code: table[code.group()], text)
    if encoding == "TCVN3" and _all_capitals(text):
        done = done.upper()
    return unicodedata.normalize("NFC", done)


def _all_capitals(text: str) -> bool:
    """Typed in the capital font .VnTimeH: every plain letter a capital."""
    letters = [ch for ch in text if ch.isascii() and ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


@lru_cache(maxsize=50_000)  # a file's words repeat: Hợp, tác, xã, Nông…
def is_syllable(word: str) -> bool:
    """A Vietnamese syllable: initial, vowels, final, with at most one tone mark."""
    marks = unicodedata.normalize("NFD", word.lower())
    if sum(1 for ch in marks if ch in _TONE_MARKS) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in marks if ch not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(bare) is not None


def _words(text: str) -> list[str]:
    return [word for word in _WORD_BREAK.split(text) if word and not word.isascii()]


def _plausible(text: str) -> bool:
    return all(is_syllable(word) for word in _words(text))


def _telling(before: str, after: str) -> bool:
    """A reading shows its encoding by a converted word of more than one letter (a lone "½"
    read as TCVN3's ẵ proves nothing)."""
    return any(len(word) > 1 for word in _words(after)) and before != after


@dataclass(frozen=True)
class Cell:
    row: int  # as the spreadsheet numbers it
    index: int  # the column's position
    before: str
    after: str


@dataclass
class Finding:
    """What a file's text says about legacy encodings."""

    encoding: str | None = None  # the one the file was typed in, if any
    mixed: tuple[str, ...] = ()  # more than one: the file is refused
    converted: list[Cell] = field(default_factory=list)
    ambiguous: list[Cell] = field(default_factory=list)

    def applied(self, rows: Sequence[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
        """The rows with their converted cells in Unicode."""
        by_row: dict[int, list[Cell]] = {}
        for cell in self.converted:
            by_row.setdefault(cell.row, []).append(cell)
        done = []
        for number, cells in rows:
            if number in by_row:
                cells = list(cells)
                for cell in by_row[number]:
                    cells[cell.index] = cell.after
            done.append((number, cells))
        return done


def _legacy_readings(value: str) -> dict[str, str]:
    readings = {}
    for encoding in ENCODINGS:
        reading = converted(value, encoding)
        if _telling(value, reading) and _plausible(reading):
            readings[encoding] = reading
    return readings


def legacy_text(rows: Sequence[tuple[int, Sequence[Any]]]) -> Finding:
    """The legacy encoding a file's cells were typed in, and each cell converted from it.
    Each distinct text is judged once: a file repeats its places and answers, and a file in
    Unicode (the usual one) is done with after that one pass."""
    texts = {value for _, cells in rows for value in cells if isinstance(value, str)}
    certainly_unicode = False  # a letter beyond Latin-1 is never a legacy font's
    judged: dict[str, tuple[bool, dict[str, str]]] = {}
    evidence: dict[str, int] = dict.fromkeys(ENCODINGS, 0)
    for value in texts:
        if value.isascii():
            continue
        if _BEYOND_LATIN1.search(value):
            certainly_unicode = True
            continue
        as_unicode, readings = _plausible(value), _legacy_readings(value)
        judged[value] = (as_unicode, readings)
        if not as_unicode and len(readings) == 1:
            evidence[next(iter(readings))] += 1
    found = tuple(encoding for encoding in ENCODINGS if evidence[encoding])
    if len(found) > 1:
        return Finding(mixed=found)
    if not found:
        return Finding()
    (encoding,) = found
    finding = Finding(encoding)
    for number, cells in rows:
        for index, value in enumerate(cells):
            if not isinstance(value, str) or value not in judged:
                continue
            as_unicode, readings = judged[value]
            if encoding not in readings:
                continue
            cell = Cell(number, index, value, readings[encoding])
            if as_unicode and certainly_unicode:
                finding.ambiguous.append(cell)
            else:
                finding.converted.append(cell)
    return finding
