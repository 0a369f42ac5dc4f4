"""Vietnamese text the way people type it: folded, tone-placement-proof, abbreviations expanded.

Two keys per word:

- the *folded* key drops every mark and turns đ into d (`Hòa` → `hoa`, `Đồng` → `dong`), so a
  query typed without diacritics, or with the wrong ones, still finds the word;
- the *exact* key keeps the letter shapes (â, ă, ê, ô, ơ, ư, đ) and moves the tone to a digit at
  the end (`hòa` and `hoà` → `hoa1`), so both tone placements and NFC/NFD input are one key,
  and a query typed with the right diacritics ranks the words that carry them higher.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path

from hoptac.contracts import vietnamese_text

# Combining tone marks (NFD) and the digit that stands for each in an exact key.
TONE_DIGITS = {
    "\u0300": "1",  # huyền (grave)
    "\u0301": "2",  # sắc (acute)
    "\u0309": "3",  # hỏi (hook above)
    "\u0303": "4",  # ngã (tilde)
    "\u0323": "5",  # nặng (dot below)
}

DATA = Path(__file__).parent / "data"


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# Administrative unit types, which people may or may not type before a place's name ("xã Vĩnh
# Lộc", "Vĩnh Lộc"), with how they are abbreviated. An abbreviation of one letter stands for the
# unit only with its dot ("H. Cái Nước"); longer ones with or without ("TP Huế", "TP. Huế").
_UNIT_ROWS = _read_csv("unit_types.csv")
UNIT_TYPES: tuple[tuple[str, ...], ...] = tuple(
    tuple(row["unit_type"].split()) for row in _UNIT_ROWS
)
_DOTTED: dict[str, str] = {
    abbreviation.rstrip(".").lower(): row["unit_type"]
    for row in _UNIT_ROWS
    for abbreviation in row["abbreviations"].split()
}
_DOTTED_PATTERN = re.compile(
    r"(?<![\w.])(" + "|".join(sorted(_DOTTED, key=len, reverse=True)) + r")\.(?=\s*\w)"
)

# The abbreviations of real cooperative names and addresses (data/abbreviations.csv), by folded
# form, with their expansions; one with several meanings ("CN": chăn nuôi or công nghiệp) lists
# them all, and a name holding it is found by any of them. The unit types' longer abbreviations
# ("TP", "TX", "TT") join them. Expanded in names and queries alike, so that a name written in
# full is found from its abbreviation and the reverse.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    row["abbreviation"]: tuple(row["expansion"].split("|"))
    for row in _read_csv("abbreviations.csv")
} | {
    abbreviation.rstrip(".").lower(): (row["unit_type"],)
    for row in _UNIT_ROWS
    for abbreviation in row["abbreviations"].split()
    if len(abbreviation.rstrip(".")) > 1
}

_WORD = re.compile(r"[^\W_]+")
_DIGITS_AND_LETTERS = re.compile(r"[^0-9a-z]")


def normalize(text: str) -> str:
    """NFC, with every run of whitespace made one space: what we store and compare."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def words(text: str) -> list[str]:
    """The lower-case words of `text` (NFC), punctuation dropped, a unit type's dotted
    abbreviation written out ("H. Cái Nước" → huyện cái nước)."""
    lowered = unicodedata.normalize("NFC", text).lower()
    if "." in lowered:
        lowered = _DOTTED_PATTERN.sub(lambda m: " " + _DOTTED[m.group(1)] + " ", lowered)
    return _WORD.findall(lowered)


# Vietnamese has a few thousand syllables: caching the two keys per word makes analysis cheap.
# `Đồng Hòa` → `dong hoa`: no marks, đ → d, lower case (the words the index holds).
fold = lru_cache(maxsize=100_000)(vietnamese_text.fold)


_UNIT_FIRST_WORDS = frozenset(fold(unit[0]) for unit in UNIT_TYPES)  # most words are not


@lru_cache(maxsize=100_000)
def exact(word: str) -> str:
    """`hoà`, `hòa` (NFC or NFD) → `hoa1`: letter shapes kept, the tone as a final digit."""
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        digit = TONE_DIGITS.get(ch)
        if digit is not None:
            tone = digit
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def has_marks(word: str) -> bool:
    """True when the word carries any diacritic (or đ): then its exact key means something."""
    return fold(word) != word.lower()


def expand(tokens: Sequence[str]) -> list[str]:
    """Expand known abbreviations (`htx` → `hợp`, `tác`, `xã`), keeping every other word; one
    with several meanings gives the words of all of them."""
    out: list[str] = []
    for token in tokens:
        expansions = ABBREVIATIONS.get(fold(token))
        if expansions is None:
            out.append(token)
        else:
            out.extend(word for expansion in expansions for word in expansion.split())
    return out


def analyse(text: str | None) -> list[str]:
    """The words of a text as indexed: NFC, lower case, abbreviations expanded."""
    return expand(words(text)) if text else []


@lru_cache(maxsize=100_000)
def word_keys(word: str) -> tuple[str, str]:
    """The folded and the exact keys one word of `words` is indexed by (its abbreviation
    expanded), each joined by spaces: a document's words are mostly the few thousand
    syllables of Vietnamese, so each is expanded and keyed once, not once a document."""
    expanded = expand((word,))
    return folded_text(expanded), exact_text(expanded)


def index_keys(words: Iterable[str]) -> tuple[list[str], list[str]]:
    """The folded and the exact keys of words as indexed, a string a word (`word_keys`): joined
    by spaces, the same as `folded_text` and `exact_text` of `expand(words)`."""
    folded: list[str] = []
    exact_keys: list[str] = []
    for word in words:
        word_folded, word_exact = word_keys(word)
        if word_folded:  # a word is never expanded to none, but joining "" would add a space
            folded.append(word_folded)
            exact_keys.append(word_exact)
    return folded, exact_keys


@dataclass(frozen=True)
class Slot:
    """One word of a query, or one abbreviation with several meanings (`alternatives`, each a
    run of words). An `optional` slot is a unit type before a place's name ("huyện" in "huyện
    Cái Nước"): it ranks the organisations that hold it higher but is not required."""

    alternatives: tuple[tuple[str, ...], ...]
    optional: bool = False

    @cached_property
    def single(self) -> str | None:
        """The word, when the slot is one plain word."""
        first = self.alternatives[0]
        return first[0] if len(self.alternatives) == 1 and len(first) == 1 else None

    @property
    def words(self) -> list[str]:
        return [word for alternative in self.alternatives for word in alternative]


def query_slots(text: str) -> list[Slot]:
    """A query's words as searched: abbreviations expanded (one with several meanings kept as
    one slot of alternatives), unit types before a name marked optional."""
    plain: list[str | tuple[tuple[str, ...], ...]] = []
    for token in words(text):
        expansions = ABBREVIATIONS.get(fold(token))
        if expansions is None:
            plain.append(token)
        elif len(expansions) == 1:
            plain.extend(expansions[0].split())
        else:
            plain.append(tuple(tuple(e.split()) for e in expansions))
    slots: list[Slot] = []
    position = 0
    while position < len(plain):
        length = _unit_type_at(plain, position)
        if length and position + length < len(plain):
            slots += [
                Slot(((str(w),),), optional=True) for w in plain[position : position + length]
            ]
            position += length
            continue
        entry = plain[position]
        slots.append(Slot(((entry,),)) if isinstance(entry, str) else Slot(entry))
        position += 1
    return slots


def place_phrases(slots: Sequence[Slot]) -> list[list[str]]:
    """A unit type typed before a name, with the two and the three words after it, folded
    ("huyện cái nước", "xã khánh bình tây"): phrases to look for among the units' names."""
    phrases = []
    for position, slot in enumerate(slots):
        if not slot.optional or (position > 0 and slots[position - 1].optional):
            continue
        unit = position
        while unit < len(slots) and slots[unit].optional:
            unit += 1
        for length in (2, 3):
            name = slots[unit : unit + length]
            if len(name) == length and not any(s.optional or s.single is None for s in name):
                phrases.append([fold(s.words[0]) for s in [*slots[position:unit], *name]])
    return phrases


def unit_type_length(words: Sequence[str]) -> int:
    """How many of the first words of a unit's official name are its type ("Thị trấn Cái
    Nước" → 2)."""
    folded = [fold(w) for w in words]
    for unit in UNIT_TYPES:
        if folded[: len(unit)] == [fold(w) for w in unit]:
            return len(unit)
    return 0


def name_keys(words: Sequence[str]) -> list[str]:
    """What a shared name is indexed by, so that its words match only together: each two
    neighbouring words, folded ("Tân Phú Đông" → tan_phu, phu_dong), or the one word of a
    one-word name ("Huế" → hue)."""
    folded = [fold(w) for w in words]
    if len(folded) == 1:
        return [] if folded[0].isdigit() else folded
    return [f"{a}_{b}" for a, b in pairwise(folded)]


def neighbour_keys(slots: Sequence[Slot], position: int) -> list[str]:
    """The shared-name keys (`name_keys`) a query word may match: itself (a one-word name)
    and its pairs with the words before and after it."""
    word = slots[position].single
    if word is None:
        return []
    folded = fold(word)
    keys = [] if folded.isdigit() else [folded]
    before = slots[position - 1].single if position > 0 else None
    after = slots[position + 1].single if position + 1 < len(slots) else None
    if before is not None:
        keys.append(f"{fold(before)}_{folded}")
    if after is not None:
        keys.append(f"{folded}_{fold(after)}")
    return keys


def _unit_type_at(tokens: Sequence[str | tuple[tuple[str, ...], ...]], position: int) -> int:
    """How many words of a unit type start at `position` (0 if none): compared folded when the
    word was typed without marks ("huyen"), with its marks when it has them ("tỉnh", not "tính").
    The "xã" of "hợp tác xã" is the kind of organisation, not a unit."""
    typed = tokens[position]
    if not isinstance(typed, str) or fold(typed) not in _UNIT_FIRST_WORDS:
        return 0
    before = [fold(t) for t in tokens[max(position - 2, 0) : position] if isinstance(t, str)]
    if before == ["hop", "tac"]:
        return 0
    for unit in UNIT_TYPES:
        run = tokens[position : position + len(unit)]
        if len(run) == len(unit) and all(
            isinstance(typed, str) and _same_word(typed, word)
            for typed, word in zip(run, unit, strict=True)
        ):
            return len(unit)
    return 0


def _same_word(typed: str, word: str) -> bool:
    return exact(typed) == exact(word) if has_marks(typed) else typed == fold(word)


def folded_text(tokens: Iterable[str]) -> str:
    return " ".join(fold(t) for t in tokens)


def exact_text(tokens: Iterable[str]) -> str:
    return " ".join(exact(t) for t in tokens)


def registration_key(text: str) -> str:
    """A registration number by its letters and digits only: `60-01 000001` → `6001000001`."""
    return _DIGITS_AND_LETTERS.sub("", fold(text))


def looks_like_registration_number(text: str) -> bool:
    key = registration_key(text)
    return len(key) >= 4 and sum(ch.isdigit() for ch in key) >= len(key) - 2
