"""Which organisation of the register a row is about, when it does not say (no id).

First by registration number (the registry compares numbers in any writing). Otherwise by name
within the same commune: names folded (no diacritics, đ as d), the usual abbreviations written
out (HTX, THT, QTDND, LH, NN, DV, …) and the words every cooperative's name has (its kind) left
out, then compared with rapidfuzz. Each candidate carries its score and why. A match is never
applied by itself: a candidate goes to a person, who decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz

from hoptac.collection.domain.folding import fold

# Abbreviations found in provincial lists, written out; several words may share one.
ABBREVIATIONS = {
    "htx": "hop tac xa",
    "lhhtx": "lien hiep hop tac xa",
    "lh": "lien hiep",
    "tht": "to hop tac",
    "qtdnd": "quy tin dung nhan dan",
    "qtd": "quy tin dung",
    "nn": "nong nghiep",
    "dv": "dich vu",
    "tm": "thuong mai",
    "tmdv": "thuong mai dich vu",
    "sx": "san xuat",
    "kd": "kinh doanh",
    "sxkd": "san xuat kinh doanh",
    "ts": "thuy san",
    "xd": "xay dung",
    "vt": "van tai",
    "mt": "moi truong",
    "cn": "cong nghiep",
    "ttcn": "tieu thu cong nghiep",
    "tcn": "thu cong nghiep",
    "nts": "nuoi trong thuy san",
    "vsmt": "ve sinh moi truong",
    "dvnn": "dich vu nong nghiep",
    "nndv": "nong nghiep dich vu",
}
# The kind of organisation, and joining words: in every name, so they tell no two apart.
KINDS = tuple(
    phrase.split()
    for phrase in (
        "lien hiep hop tac xa",
        "quy tin dung nhan dan",
        "hop tac xa",
        "to hop tac",
        "quy tin dung",
    )
)
FILLER = frozenset({"va", "and", "xa", "phuong"})  # "xã Tân Hưng": the place, named as such
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"\d+")

PROBABLE = 90.0  # at or above: shown as the probable same organisation
POSSIBLE = 80.0  # at or above: shown to the reviewer as a possible one


def expanded(name: str) -> str:
    """The name folded, its abbreviations written out."""
    return " ".join(_expanded_words(name))


def _expanded_words(name: str) -> list[str]:
    # Folding, splitting at what is not a letter or digit and writing out never join two words
    # of the name: each is expanded alone, and once however many names hold it.
    return [piece for word in name.split() for piece in _expanded_word(word)]


@lru_cache(maxsize=50_000)
def _expanded_word(word: str) -> tuple[str, ...]:
    pieces = _NOT_WORD.sub(" ", fold(word)).split()
    return tuple(" ".join(ABBREVIATIONS.get(piece, piece) for piece in pieces).split())


def core(name: str) -> list[str]:
    """What tells this organisation from others: the words of the expanded name after its
    kind, which is recognised even misspelt ("Hp tác xã")."""
    words = _expanded_words(name)
    kind = _kind_words(tuple(words[:_LONGEST_KIND]), len(words) > _LONGEST_KIND)
    return [word for word in words[kind:] if word not in FILLER]


_LONGEST_KIND = max(len(kind) for kind in KINDS)


@lru_cache(maxsize=10_000)  # a file's names begin with a few dozen ways of writing their kind
def _kind_words(lead: tuple[str, ...], longer: bool) -> int:
    """How many of a name's first words (`lead`; `longer`: more words follow) are its kind."""
    for kind in KINDS:
        if (longer or len(lead) > len(kind)) and fuzz.ratio(
            " ".join(lead[: len(kind)]), " ".join(kind)
        ) >= ALIKE_WORDS:
            return len(kind)
    return 0


ALIKE_WORDS = 80.0  # two words this alike are one word misspelt


@dataclass(frozen=True)
class Name:
    """A name read for comparison (its core, the numbers in it) once, however many other
    names it is then compared with."""

    words: tuple[str, ...]
    joined: str
    numbers: tuple[str, ...]


def prepared(name: str) -> Name:
    words = core(name)
    joined = " ".join(words)
    return Name(tuple(words), joined, tuple(_NUMBER.findall(joined)))


def name_score(a: str, b: str) -> float:
    """0-100: how alike two names are, word order aside (`prepared_score`)."""
    return prepared_score(prepared(a), prepared(b))


def prepared_score(left: Name, right: Name, floor: float = 0.0) -> float:
    """0-100: how alike two names are, word order aside; a score below `floor` may be given as
    a lower one (rapidfuzz then stops comparing early).

    Two names that differ in a number (Tổ hợp tác số 2 and số 3) are different organisations,
    however alike. One name with a word the other lacks (Tân Hưng and Tân Hưng Đông, a
    neighbouring hamlet) is at most a possible match, never a probable one."""
    if not left.words or not right.words:
        return 0.0
    if left.numbers != right.numbers:
        return 0.0
    # In order (a misspelt word stays in place) or sorted (words in another order).
    score = max(
        fuzz.ratio(left.joined, right.joined, score_cutoff=floor),
        fuzz.token_sort_ratio(left.joined, right.joined, score_cutoff=floor),
    )
    if score > PROBABLE - 1 and _lacks_a_word(left.words, right.words):
        score = PROBABLE - 1
    return score


def _lacks_a_word(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Whether the name of more words has one unlike every word of the other."""
    longer, shorter = (left, right) if len(left) > len(right) else (right, left)
    return len(longer) != len(shorter) and any(
        all(fuzz.ratio(word, other) < ALIKE_WORDS for other in shorter) for word in longer
    )


@dataclass(frozen=True)
class Known:
    """An organisation of the register, as far as matching needs it."""

    id: str
    name: str
    commune_code: str | None
    registration_number: str

    @cached_property
    def prepared(self) -> Name:
        return prepared(self.name)


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    score: float
    why: str

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "score": round(self.score, 1), "why": self.why}


def by_name(
    name: Name, commune_code: str | None, known: Iterable[Known], floor: float = POSSIBLE
) -> list[Candidate]:
    """Organisations of the same commune whose name scores `floor` or more, best first."""
    if commune_code is None:
        return []
    found = []
    for other in known:
        if other.commune_code != commune_code:
            continue
        score = prepared_score(name, other.prepared, floor)
        if score >= floor:
            why = f"tên gần giống ({score:.0f}/100) trong cùng xã {commune_code}"
            found.append(Candidate(other.id, other.name, score, why))
    return sorted(found, key=lambda c: -c.score)
