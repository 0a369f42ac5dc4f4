"""Facet counts for tantivy, two ways that give the same answer.

A page of results usually comes from a few hundred matches. For those, counting in Python from
numeric fast-field columns (one per facet, a code per value) is several times cheaper than
tantivy's terms aggregations, which cost a fixed ~0.25 ms each; for larger result sets the
aggregations win. The facets are the filters declared so (`domain.filters`); a value's code
follows the filter's shape: its position in the list of values; 1 for true, 0 for false; an
area code as an integer; flags (the digital-adoption ones) as a bit mask; -1 for none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import compress
from operator import attrgetter, itemgetter, ne
from typing import Any

import tantivy

from hoptac.search.domain.filters import Filter, Shape, facets

NONE = -1
FACETS = facets()


def _columns(facet: Filter) -> tuple[str, ...]:
    """Its code columns: one, or for an area the current code's and the legacy code's."""
    column = f"c_{facet.field}"
    return (column, f"{column}_legacy") if facet.legacy else (column,)


# The columns in the schema's order: an existing index opens only with the schema it was made
# with, so one value a record first, then the areas, then the flags, as they were added.
_ORDER = {Shape.ONE_OF: 0, Shape.YES_NO: 0, Shape.CODE: 1, Shape.FLAGS: 2}
CODE_COLUMNS = tuple(
    column for facet in sorted(FACETS, key=lambda f: _ORDER[f.shape]) for column in _columns(facet)
)
COLUMNS = {facet.name: _columns(facet) for facet in FACETS}


def add_code_columns(sb: tantivy.SchemaBuilder) -> None:
    for column in CODE_COLUMNS:
        sb.add_integer_field(column, fast=True)


def _coder(facet: Filter) -> Callable[[Any], int]:
    """How a value of `facet` becomes its code; made once per facet, used for every document."""
    if facet.shape is Shape.FLAGS:  # a bit per flag held; records hold few combinations
        bits = tuple((flag, 1 << bit) for bit, flag in enumerate(facet.values))
        return lru_cache(maxsize=4096)(
            lambda value: sum(bit for flag, bit in bits if flag in value)
        )
    if facet.shape is Shape.CODE:
        return lambda value: int(value) if value else NONE
    if facet.shape is Shape.YES_NO:
        return lambda value: 1 if value == "true" else 0
    positions: dict[str, int] = {}
    for position, allowed in enumerate(facet.values):
        positions.setdefault(allowed, position)
    return lambda value: positions.get(value, NONE)


# (column, the attribute it codes, the coder), flattened: one step a column for every document
_CODERS = tuple(
    (column, attrgetter(attribute), coder)
    for facet in FACETS
    for coder in [_coder(facet)]
    for column, attribute in zip(COLUMNS[facet.name], facet.code_attributes, strict=True)
)


def code_values(document: Any) -> dict[str, int]:
    """The code of each facet's value(s) in its column(s)."""
    return {column: coder(read(document)) for column, read, coder in _CODERS}


def count_in_python(searcher: tantivy.Searcher, addresses: list[Any]) -> dict[str, dict[str, int]]:
    """Count the codes, then name the most frequent ones only. Every loop over the matches
    runs in C (Counter over ints, `map`, `compress`, sorts keyed by `itemgetter`); Python
    touches only the distinct values (`Counter.subtract` would loop in Python: an area's legacy
    code is counted only where it differs from the current one instead)."""
    columns = {c: searcher.fast_field_values(c, addresses) for c in CODE_COLUMNS}
    out: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        names = COLUMNS[facet.name]
        current = columns[names[0]]
        counted: Counter[Any] = Counter(current)
        if len(names) == 2:  # current and legacy: a record counts once per distinct code
            legacy = columns[names[1]]
            counted.update(compress(legacy, map(ne, current, legacy)))  # where it differs
        counted.pop(NONE, None)
        counted.pop(None, None)
        size = facet.facet_size
        if facet.shape is Shape.FLAGS:  # bit masks: each set bit is one flag
            flags: Counter[str] = Counter()
            flags_of = _FLAGS_OF[facet.name]
            for mask, count in counted.items():
                for flag in flags_of[int(mask)]:
                    flags[flag] += count
            out[facet.name] = dict(_ranked(flags.items())[:size])
        elif facet.shape is Shape.CODE:  # area codes order as their zero-padded names do
            name = f"{{:0{facet.digits}d}}".format
            out[facet.name] = {name(code): n for code, n in _ranked(counted.items())[:size]}
        else:  # a few coded values: name them all, then rank by name
            values = _VALUE_OF[facet.name]
            ranked = _ranked([(values[int(c)], n) for c, n in counted.items()])
            out[facet.name] = dict(ranked[:size])
    return out


def _ranked(items: Iterable[tuple[Any, int]]) -> list[tuple[Any, int]]:
    """The most frequent first, equal counts by value: two C-speed sorts (the second is
    stable, also in reverse, so it keeps the values' order among equal counts)."""
    ranked = sorted(items)  # the values are distinct: only they are compared
    ranked.sort(key=_COUNT, reverse=True)
    return ranked


_COUNT = itemgetter(1)
_VALUE_OF = {  # a one-value facet's code → its value
    facet.name: ("false", "true") if facet.shape is Shape.YES_NO else facet.values
    for facet in FACETS
}
_FLAGS_OF = {  # the flags a bit mask holds, for every mask
    facet.name: [
        tuple(flag for bit, flag in enumerate(facet.values) if mask >> bit & 1)
        for mask in range(1 << len(facet.values))
    ]
    for facet in FACETS
    if facet.shape is Shape.FLAGS
}


def count_current_communes(searcher: tantivy.Searcher, addresses: list[Any]) -> dict[str, int]:
    """Each match once, at its current commune (none: not counted)."""
    current = COLUMNS["commune"][0]  # the legacy code's column is the second
    counted: Counter[Any] = Counter(searcher.fast_field_values(current, addresses))
    counted.pop(NONE, None)
    counted.pop(None, None)
    name = f"{{:0{_COMMUNE.digits}d}}".format
    return {name(code): n for code, n in counted.items()}


_COMMUNE = next(facet for facet in FACETS if facet.name == "commune")


def count_by_aggregation(
    searcher: tantivy.Searcher, query: tantivy.Query
) -> dict[str, dict[str, int]]:
    aggregations = {
        facet.name: {"terms": {"field": facet.field, "size": facet.facet_size}} for facet in FACETS
    }
    answer = searcher.aggregate(query, aggregations)
    return {
        facet.name: {str(b["key"]): int(b["doc_count"]) for b in answer[facet.name]["buckets"]}
        for facet in FACETS
    }
