"""Which records of one commune have a probable duplicate there (name score ≥ PROBABLE), found
without scoring every pair in Python: a pair can only reach PROBABLE when the plain or the
word-sorted ratio of the two names' cores does (name_score takes the larger of the two and may
only lower it), so rapidfuzz finds those pairs in its C++ loop, and name_score confirms the few
that pass (names whose numbers differ never do: name_score gives them 0). The same answer as
comparing every pair, far sooner in a commune of hundreds."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.process import extract

from hoptac.collection.domain.matching import PROBABLE, prepared, prepared_score

# Names prepared once however many batches compare them: each event compares a new name with
# its commune's. An entry holds about 700 bytes with its name: 131,072 (about 90 MB) keep a
# register of 100,000 records prepared even when an import visits every commune in turn, as
# bench/import/run.py's does (a least-recently-used cache smaller than such a cycle keeps none).
_prepared = lru_cache(maxsize=131_072)(prepared)


class Commune:
    """The records of one commune (each with its `id` and `name`), their names prepared once, to
    find a record's probable duplicates among them."""

    def __init__(self, records: Sequence[dict[str, Any]]) -> None:
        self.records = records
        self.names = [_prepared(record["name"]) for record in records]
        self.joined = [name.joined for name in self.names]

    def near(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        """Every other record of the commune with a name score ≥ PROBABLE against this one, in
        the commune's order."""
        name = _prepared(record["name"])
        near = {
            j
            for scorer in (fuzz.ratio, fuzz.token_sort_ratio)
            for _, _, j in extract(
                name.joined, self.joined, scorer=scorer, score_cutoff=PROBABLE, limit=None
            )
            if self.names[j].numbers == name.numbers
        }
        return [
            self.records[j]
            for j in sorted(near)
            if self.records[j]["id"] != record["id"]
            and prepared_score(name, self.names[j]) >= PROBABLE
        ]


def duplicated(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The records (of one commune) with a probable duplicate among the others: id → one such
    duplicate (the first in the commune's order)."""
    if len(records) < 2:
        return {}
    commune = Commune(records)
    found: dict[str, dict[str, Any]] = {}
    for record in records:
        if near := commune.near(record):
            found.setdefault(record["id"], near[0])
    return found
