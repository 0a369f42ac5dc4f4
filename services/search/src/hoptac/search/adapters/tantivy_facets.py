"""Facet counts for tantivy, two ways that give the same answer.

A page of results usually comes from a few hundred matches. For those, counting in Python from
numeric fast-field columns (one per facet, a code per value) is several times cheaper than
tantivy's terms aggregations, which cost a fixed ~0.25 ms each; for larger result sets the
aggregations win. Codes: the position in the coded list; area codes as integers; -1 for none;
the digital-adoption flags as a bit mask.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import tantivy

from hoptac.search.domain.documents import DIGITAL_FLAGS, SearchDocument
from hoptac.search.domain.query import CODED_VALUES, FACETS_ALL

NONE = -1
SIZES = {"province": 100, "commune": 100}  # the most frequent values shown per facet
TEXT_FIELDS = {
    "kind": "kind",
    "status": "status",
    "sector": "sector",
    "province": "province",
    "commune": "commune",
    "operating_in_practice": "operating",
    "ocop": "ocop",
    "digital": "digital",
}
CODED = {  # facet → (its code columns, how a code reads back)
    "kind": ("c_kind",),
    "status": ("c_status",),
    "sector": ("c_sector",),
    "operating_in_practice": ("c_operating",),
    "ocop": ("c_ocop",),
    "province": ("c_province", "c_province_legacy"),
    "commune": ("c_commune", "c_commune_legacy"),
    "digital": ("c_digital",),
}
CODE_COLUMNS = tuple(column for columns in CODED.values() for column in columns)
DIGITS = {"province": 2, "commune": 5}


def add_code_columns(sb: tantivy.SchemaBuilder) -> None:
    for column in CODE_COLUMNS:
        sb.add_integer_field(column, fast=True)


def code_values(document: SearchDocument) -> dict[str, int]:
    def position(facet: str, value: str) -> int:
        values = CODED_VALUES[facet]
        return values.index(value) if value in values else NONE

    def area(code: str | None) -> int:
        return int(code) if code else NONE

    mask = 0
    for bit, flag in enumerate(DIGITAL_FLAGS):
        if flag in document.digital:
            mask |= 1 << bit
    return {
        "c_kind": position("kind", document.kind),
        "c_status": position("status", document.status),
        "c_sector": position("sector", document.sector_group),
        "c_operating": position("operating_in_practice", document.operating_in_practice),
        "c_ocop": 1 if document.ocop_stars else 0,
        "c_province": area(document.province_code),
        "c_province_legacy": area(document.legacy_province_code),
        "c_commune": area(document.commune_code),
        "c_commune_legacy": area(document.legacy_commune_code),
        "c_digital": mask,
    }


def count_in_python(searcher: tantivy.Searcher, addresses: list[Any]) -> dict[str, dict[str, int]]:
    """Count the codes (C-speed Counters over ints), then name the most frequent ones only."""
    columns = {c: searcher.fast_field_values(c, addresses) for c in CODE_COLUMNS}
    out: dict[str, dict[str, int]] = {}
    for facet in FACETS_ALL:
        names = CODED[facet]
        counted: Counter[Any] = Counter(columns[names[0]])
        if len(names) == 2:  # current and legacy: a record counts once per distinct code
            current, legacy = columns[names[0]], columns[names[1]]
            counted.update(old for new, old in zip(current, legacy, strict=True) if old != new)
        counted.pop(NONE, None)
        counted.pop(None, None)
        if facet == "digital":  # bit masks: each set bit is one flag
            flags: Counter[str] = Counter()
            for mask, count in counted.items():
                for bit, flag in enumerate(DIGITAL_FLAGS):
                    if int(mask) >> bit & 1:
                        flags[flag] += count
            ranked = sorted(flags.items(), key=_rank)
        else:  # codes order as their names do: area codes are zero-padded, the rest are few
            top = sorted(counted.items(), key=_rank)[: SIZES.get(facet, 20)]
            ranked = sorted(((_name(facet, int(code)), n) for code, n in top), key=_rank)
        out[facet] = dict(ranked[: SIZES.get(facet, 20)])
    return out


def _rank(item: tuple[Any, int]) -> tuple[int, Any]:
    return -item[1], item[0]


def _name(facet: str, code: int) -> str:
    if facet == "ocop":
        return "true" if code else "false"
    if facet in DIGITS:
        return f"{code:0{DIGITS[facet]}d}"
    return CODED_VALUES[facet][code]


def count_by_aggregation(
    searcher: tantivy.Searcher, query: tantivy.Query
) -> dict[str, dict[str, int]]:
    aggregations = {
        name: {"terms": {"field": TEXT_FIELDS[name], "size": SIZES.get(name, 20)}}
        for name in FACETS_ALL
    }
    answer = searcher.aggregate(query, aggregations)
    return {
        name: {str(b["key"]): int(b["doc_count"]) for b in answer[name]["buckets"]}
        for name in FACETS_ALL
    }
