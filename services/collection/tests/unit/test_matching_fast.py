"""Matching reads each word of a name once (cached) and lets rapidfuzz stop early below the
score that matters: the names, scores and candidates are those of the plain way, written out
here as the oracle (the code before 6 December 2026)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from hoptac.collection.domain.folding import fold
from hoptac.collection.domain.matching import (
    ABBREVIATIONS,
    ALIKE_WORDS,
    FILLER,
    KINDS,
    POSSIBLE,
    PROBABLE,
    Known,
    Name,
    by_name,
    core,
    expanded,
    prepared,
    prepared_score,
)

pytestmark = pytest.mark.unit

PAIRS = Path(__file__).with_name("matching_pairs.csv")
with PAIRS.open(encoding="utf-8", newline="") as handle:
    LABELLED = [name for row in csv.DictReader(handle) for name in (row["name_a"], row["name_b"])]

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"\d+")

# Pieces of names as files write them: kinds, abbreviations, places, numbers, punctuation.
PIECES = [
    "Hợp tác xã",
    "HTX",
    "Hop tac xa",
    "Hp tác xã",
    "Tổ hợp tác",
    "THT",
    "Quỹ tín dụng nhân dân",
    "QTDND",
    "Liên hiệp",
    "LHHTX",
    "NN",
    "DV",
    "Nông nghiệp",
    "Dịch vụ",
    "Tân Hưng",
    "Tân Hưng Đông",
    "Bình Minh",
    "xã",
    "và",
    "số",
    "2",
    "3",
    "12",
    "-",
    ",",
    "(",
    ")",
    "TM-DV",
    "Đ",
    "\u0301",
    "  ",
]
NAMES = st.one_of(
    st.sampled_from(LABELLED),
    st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join),
    st.text(max_size=30),
)


def plain_expanded(name: str) -> str:
    words = _NOT_WORD.sub(" ", fold(name)).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def plain_core(name: str) -> list[str]:
    words = plain_expanded(name).split()
    for kind in KINDS:
        lead = " ".join(words[: len(kind)])
        if len(words) > len(kind) and fuzz.ratio(lead, " ".join(kind)) >= ALIKE_WORDS:
            words = words[len(kind) :]
            break
    return [word for word in words if word not in FILLER]


def plain_prepared(name: str) -> Name:
    words = plain_core(name)
    joined = " ".join(words)
    return Name(tuple(words), joined, tuple(_NUMBER.findall(joined)))


def plain_score(left: Name, right: Name) -> float:
    if not left.words or not right.words or left.numbers != right.numbers:
        return 0.0
    score = max(
        fuzz.ratio(left.joined, right.joined), fuzz.token_sort_ratio(left.joined, right.joined)
    )
    longer, shorter = (
        (left.words, right.words)
        if len(left.words) > len(right.words)
        else (right.words, left.words)
    )
    if len(longer) != len(shorter) and any(
        all(fuzz.ratio(word, other) < ALIKE_WORDS for other in shorter) for word in longer
    ):
        score = min(score, PROBABLE - 1)
    return score


@settings(max_examples=500)
@given(NAMES)
def test_a_name_is_expanded_and_read_as_the_plain_way_does(name: str) -> None:
    assert expanded(name) == plain_expanded(name)
    assert core(name) == plain_core(name)
    assert prepared(name) == plain_prepared(name)


@settings(max_examples=500)
@given(NAMES, NAMES, st.sampled_from([0.0, POSSIBLE, PROBABLE]))
def test_a_score_at_or_above_its_floor_is_the_plain_score(
    left: str, right: str, floor: float
) -> None:
    a, b = prepared(left), prepared(right)
    plain = plain_score(a, b)

    assert prepared_score(a, b) == plain
    assert (prepared_score(a, b, floor) >= floor) == (plain >= floor)
    if plain >= floor:
        assert prepared_score(a, b, floor) == plain


@settings(max_examples=300)
@given(NAMES, st.lists(NAMES, max_size=6), st.sampled_from([POSSIBLE, PROBABLE]))
def test_candidates_are_those_scored_the_plain_way(
    name: str, register: list[str], floor: float
) -> None:
    known = [Known(f"k{n}", other, "31825", str(n)) for n, other in enumerate(register)]
    plain = sorted(
        (
            (other.id, score)
            for other in known
            if (score := plain_score(prepared(name), plain_prepared(other.name))) >= floor
        ),
        key=lambda found: -found[1],
    )

    found = by_name(prepared(name), "31825", known, floor)

    assert [(candidate.id, candidate.score) for candidate in found] == plain
