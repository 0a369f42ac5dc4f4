"""An exact in-memory copy of the timeline, column by column, for the same three aggregates.

The copy is read in one REPEATABLE READ snapshot together with the projection's generation
number, and used only while that number is still the current one: every transaction that
changes the timeline bumps it, so an answer from the copy is the answer PostgreSQL would give
(`adapters/queries.py`), row for row, in the same order. Sums stay exact: they are added in
float64 only when every partial sum provably fits in its 53 bits, else in two halves of the
bits (`_sum_by`); beyond that (never at any realistic size) the caller falls back to SQL
(`TooLarge`, from the `StatsReader` port).

Why: a statistic over PostgreSQL is a scan of every row valid on the day (100k organisations:
25–55 ms of scanning and hashing, more on a busy machine); over these arrays it is a few
vectorised passes, a few milliseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.platform.driver import asyncpg_connection
from hoptac.reporting.adapters import codes
from hoptac.reporting.domain.facts import OCOP_STARS
from hoptac.reporting.domain.reading import TooLarge
from hoptac.reporting.domain.stats import HIERARCHIES, StatsQuery, finest_grouped

EPOCH = date(1970, 1, 1)
OPEN = np.iinfo(np.int32).max  # valid_to 'infinity'
_EXACT = float(2**53)  # float64 adds whole numbers exactly below this
_SPLIT = 26  # bits of the low half when a sum is added in two halves
AREAS = ("province", "commune", "legacy_province", "legacy_district", "legacy_commune")
_NUMBERS = ("kind", "status", "sector_group", *(f"ocop_{s}" for s in OCOP_STARS))
_FLAGS = tuple(f"digital_{flag}" for flag in DIGITAL_FLAGS)
_SUMS = ("members", "workers", "charter_capital")

# Every column a fixed-width number (areas too: digits as width·10¹² + value), so that a
# binary COPY is one array of fixed-size records that numpy reads without a Python loop.
_WIDTH = 10**12
_LOAD = (
    "SELECT valid_from - DATE '1970-01-01', "
    "CASE WHEN valid_to = 'infinity' THEN 2147483647 ELSE valid_to - DATE '1970-01-01' END, "
    "registered_on - DATE '1970-01-01', "
    + ", ".join(_NUMBERS)
    + ", "
    + " | ".join(f"({flag}::int << {bit})" for bit, flag in enumerate(_FLAGS))
    + ", "
    + ", ".join(f"coalesce({name}, 0)::bigint" for name in _SUMS)  # sum() skips nulls
    + ", "
    + ", ".join(f"coalesce(length({n}) * {_WIDTH} + {n}::bigint, -1)" for n in AREAS)
    + ", organization_id FROM timeline"
)
_DTYPE = np.dtype(
    [("fields", ">i2")]
    + [(f"{name}{part}", ">i4" if part == "_size" else kind)
       for name, kind in [
           ("valid_from", ">i4"), ("valid_to", ">i4"), ("registered_on", ">i4"),
           *((n, ">i2") for n in _NUMBERS), ("flags", ">i4"),
           ("members", ">i8"), ("workers", ">i8"), ("charter_capital", ">i8"),
           *((n, ">i8") for n in AREAS), ("org", "S16"),
       ]
       for part in ("_size", "")]
)  # fmt: skip
# The encoding above is exact for codes of at most 12 plain digits (all of them, by the
# contract); checked on the distinct values of the same snapshot, else no copy at all.
_DISTINCT_CODES = " UNION ALL ".join(
    f"(SELECT DISTINCT {n} FROM timeline WHERE {n} IS NOT NULL)" for n in AREAS
)
_GENERATION = "SELECT generation FROM projection_state"


# The yes/no facts the summary counts, as bits of one small number per row.
_BITS = {
    **{f"ocop_{stars}_orgs": bit for bit, stars in enumerate(OCOP_STARS)},
    "ocop_orgs": len(OCOP_STARS),
    **{flag: len(OCOP_STARS) + 1 + bit for bit, flag in enumerate(_FLAGS)},
}


@dataclass(frozen=True)
class ChangePoints:
    """The timeline as sorted change points with running sums, for trends without filters.

    The state on day D is what started on or before D minus what ended on or before D (every
    interval starts before it ends): two binary searches per period, whatever the rows.
    """

    # Days sorted, and after each prefix of them the running (organisations, operating,
    # members, workers): shape (rows + 1, 4).
    starts: np.ndarray[Any, Any]
    started: np.ndarray[Any, Any]
    ends: np.ndarray[Any, Any]
    ended: np.ndarray[Any, Any]
    registrations: np.ndarray[Any, Any]  # registration days of the intervals that start with it

    @classmethod
    def of(
        cls,
        valid_from: np.ndarray[Any, Any],
        valid_to: np.ndarray[Any, Any],
        registered_on: np.ndarray[Any, Any],
        operating: np.ndarray[Any, Any],
        members: np.ndarray[Any, Any],
        workers: np.ndarray[Any, Any],
    ) -> ChangePoints:
        figures = np.stack([np.ones(len(valid_from)), operating, members, workers], axis=1).astype(
            np.float64
        )

        def running(order: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
            sums = np.zeros((len(order) + 1, 4), dtype=np.float64)
            np.cumsum(figures[order], axis=0, out=sums[1:])
            return sums

        by_start = np.argsort(valid_from, kind="stable")
        by_end = np.argsort(valid_to, kind="stable")
        return cls(
            valid_from[by_start],
            running(by_start),
            valid_to[by_end],
            running(by_end),
            np.sort(registered_on[valid_from == registered_on]),
        )

    def trends(self, ends: np.ndarray[Any, Any], first_day: int) -> list[dict[str, int]]:
        started = self.started[np.searchsorted(self.starts, ends, side="right")]
        ended = self.ended[np.searchsorted(self.ends, ends, side="right")]
        state = (started - ended).tolist()
        bounds = np.concatenate([[first_day - 1], ends])
        registered = np.diff(np.searchsorted(self.registrations, bounds, side="right")).tolist()
        result = []
        for (organizations, operating, members, workers), new in zip(
            state, registered, strict=True
        ):
            result.append(
                {
                    "organizations": int(organizations),
                    "operating": int(operating),
                    "stopped": int(organizations) - int(operating),
                    "members": int(members),
                    "workers": int(workers),
                    "registered": int(new),
                }
            )
        return result


def _plain_digits(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) <= 12


async def _read(raw: Any) -> tuple[int, np.ndarray[Any, Any]] | None:
    """In the transaction open on `raw`: the generation and the timeline rows (`_DTYPE`
    records); None if an area code is not plain digits."""
    generation = int(await raw.fetchval(_GENERATION))
    for (code,) in await raw.fetch(_DISTINCT_CODES):
        if not _plain_digits(code):
            return None
    chunks: list[bytes] = []

    async def keep(chunk: bytes) -> None:
        chunks.append(chunk)

    await raw.copy_from_query(_LOAD, output=keep, format="binary")
    data = b"".join(chunks)[19:-2]  # binary COPY: 19 bytes of header, 2 of trailer
    return generation, np.frombuffer(data, dtype=_DTYPE)


async def snapshot(conn: AsyncConnection) -> tuple[int, np.ndarray[Any, Any]] | None:
    """The generation and the whole timeline (`_DTYPE` records) from one snapshot; None if an
    area code is not plain digits."""
    raw = await asyncpg_connection(conn)
    async with raw.transaction(isolation="repeatable_read", readonly=True):
        return await _read(raw)


def _area(code: str | None) -> int:
    """As `_LOAD` encodes an area code (checked to be plain digits)."""
    return -1 if code is None else len(code) * _WIDTH + int(code)


def records_of(rows: Sequence[Mapping[str, Any]]) -> np.ndarray[Any, Any] | None:
    """Timeline rows as the projection inserts them (dates, coded numbers, area codes as text,
    `valid_to` a date or 'infinity'), as the `_DTYPE` records `_LOAD` would read back for them;
    None if an area code is not plain digits (or not text). Built here, not read back, because
    a burst of registrations hands over thousands of these a second."""
    if not all(
        code is None or (isinstance(code, str) and _plain_digits(code))
        for row in rows
        for code in (row[name] for name in AREAS)
    ):
        return None
    records = np.zeros(len(rows), dtype=_DTYPE)
    records["valid_from"] = [_day(row["valid_from"]) for row in rows]
    records["valid_to"] = [
        OPEN if row["valid_to"] == "infinity" else _day(row["valid_to"]) for row in rows
    ]
    records["registered_on"] = [_day(row["registered_on"]) for row in rows]
    for name in _NUMBERS:
        records[name] = [row[name] for row in rows]
    records["flags"] = [
        sum(int(row[flag]) << bit for bit, flag in enumerate(_FLAGS)) for row in rows
    ]
    for name in _SUMS:
        records[name] = [row[name] or 0 for row in rows]  # sum() skips nulls
    for name in AREAS:
        records[name] = [_area(row[name]) for row in rows]
    records["org"] = [row["organization_id"].bytes for row in rows]
    return records


def _day(day: date) -> int:
    return (day - EPOCH).days


@dataclass
class Columns:
    generation: int
    rows: int
    org: np.ndarray[Any, Any]  # each row's organisation id, 16 bytes
    valid_from: np.ndarray[Any, Any]
    valid_to: np.ndarray[Any, Any]
    registered_on: np.ndarray[Any, Any]
    numbers: dict[str, np.ndarray[Any, Any]]
    flags: dict[str, np.ndarray[Any, Any]]
    sums: dict[str, np.ndarray[Any, Any]]
    # Areas: an index into the sorted distinct codes, -1 where null (and so last, like NULLS LAST).
    areas: dict[str, np.ndarray[Any, Any]]
    names: dict[str, list[str]]
    total_abs: dict[str, float]
    pattern: np.ndarray[Any, Any]  # per row: an index into `patterns`
    patterns: np.ndarray[Any, Any]  # the distinct bit patterns of the summary's yes/no facts
    changes: ChangePoints | None = None  # None unless every interval starts before it ends
    _by_org: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = None

    def rows_of(self, organizations: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """A mask of the rows of these organisations (ids as 16 bytes)."""
        if self._by_org is None:  # once per copy, on the first patch
            order = np.argsort(self.org, kind="stable")
            self._by_org = (order, self.org[order])
        order, sorted_org = self._by_org
        wanted = np.sort(organizations)
        starts = np.searchsorted(sorted_org, wanted, side="left")
        stops = np.searchsorted(sorted_org, wanted, side="right")
        mask = np.zeros(self.rows, dtype=np.bool_)
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            mask[order[start:stop]] = True
        return mask

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    async def load(cls, conn: AsyncConnection) -> Columns | None:
        """The timeline and its generation from one snapshot; None if a code is not digits."""
        read = await snapshot(conn)
        if read is None:
            return None
        generation, table = read
        # Deriving the columns takes a CPU-bound moment (100k rows: about 0.15 s): in a thread,
        # so that requests keep being answered meanwhile.
        return await asyncio.to_thread(cls.of, generation, table)

    @classmethod
    def of(cls, generation: int, table: np.ndarray[Any, Any]) -> Columns:
        """The copy of a timeline given as binary-COPY records (`_DTYPE`)."""
        count = len(table)
        org = np.ascontiguousarray(table["org"])

        def take(name: str, dtype: Any) -> np.ndarray[Any, Any]:
            return np.ascontiguousarray(table[name], dtype=dtype)

        sums = {name: take(name, np.int64) for name in _SUMS}
        areas: dict[str, np.ndarray[Any, Any]] = {}
        names: dict[str, list[str]] = {}
        for name in AREAS:
            distinct, inverse = np.unique(table[name].astype(np.int64), return_inverse=True)
            texts = [
                str(int(code) % _WIDTH).zfill(int(code) // _WIDTH)
                for code in distinct.tolist()
                if code >= 0
            ]
            nulls = len(distinct) - len(texts)  # -1 sorts first
            order = sorted(range(len(texts)), key=texts.__getitem__)  # text order, like SQL
            rank = np.empty(len(distinct), dtype=np.int32)
            rank[:nulls] = -1
            rank[nulls:] = np.argsort(np.asarray(order, dtype=np.int64)).astype(np.int32)
            areas[name] = rank[inverse.reshape(-1)] if count else np.zeros(0, dtype=np.int32)
            names[name] = [texts[i] for i in order]
        total_abs = {name: float(np.abs(sums[name].astype(np.float64)).sum()) for name in _SUMS}
        for stars in OCOP_STARS:
            total_abs[f"ocop_{stars}"] = float(
                np.abs(table[f"ocop_{stars}"].astype(np.float64)).sum()
            )
        numbers = {name: take(name, np.int16) for name in _NUMBERS}
        packed = table["flags"].astype(np.int64)
        flags = {name: (packed >> bit) & 1 == 1 for bit, name in enumerate(_FLAGS)}
        bits = np.zeros(count, dtype=np.int64)
        for stars in OCOP_STARS:
            bits |= (numbers[f"ocop_{stars}"] > 0).astype(np.int64) << _BITS[f"ocop_{stars}_orgs"]
        any_ocop = np.zeros(count, dtype=np.bool_)
        for stars in OCOP_STARS:
            any_ocop |= numbers[f"ocop_{stars}"] > 0
        bits |= any_ocop.astype(np.int64) << _BITS["ocop_orgs"]
        for flag in _FLAGS:
            bits |= flags[flag].astype(np.int64) << _BITS[flag]
        patterns, pattern = np.unique(bits, return_inverse=True)
        valid_from, valid_to = take("valid_from", np.int32), take("valid_to", np.int32)
        registered_on = take("registered_on", np.int32)
        changes = None
        if bool(np.all(valid_from < valid_to)):
            changes = ChangePoints.of(
                valid_from,
                valid_to,
                registered_on,
                numbers["status"] == codes.OPERATING,
                sums["members"],
                sums["workers"],
            )
        return cls(
            generation,
            count,
            org,
            valid_from,
            valid_to,
            registered_on,
            numbers,
            flags,
            sums,
            areas,
            names,
            total_abs,
            pattern.reshape(-1).astype(np.int64),
            patterns if len(patterns) else np.zeros(1, dtype=np.int64),
            changes,
        )

    # --- the aggregates --------------------------------------------------------------------

    def _key(self, key: str) -> np.ndarray[Any, Any]:
        """The stored value of a group key or filter column (area codes as indexes)."""
        if key in ("status_class", "sector_class"):
            column, value = ("status", codes.OPERATING)
            if key == "sector_class":
                column, value = ("sector_group", codes.AGRICULTURE)
            selected: np.ndarray[Any, Any] = self.numbers[column] == value
            return selected
        if key in self.areas:
            return self.areas[key]
        return self.numbers[key]

    def _filtered(
        self,
        query: StatsQuery,
        mask: np.ndarray[Any, Any],
        without: np.ndarray[Any, Any] | None = None,
    ) -> np.ndarray[Any, Any]:
        if without is not None:
            mask &= ~without
        for key, values in query.filters.items():
            wanted = codes.wanted(key, values)
            if key in self.areas:
                index = {name: i for i, name in enumerate(self.names[key])}
                wanted = [index[v] for v in wanted if v in index]
            mask &= np.isin(self._key(key), np.asarray(wanted, dtype=np.int32))
        return mask

    def _valid_on(self, day: date) -> np.ndarray[Any, Any]:
        number = _day(day)
        mask: np.ndarray[Any, Any] = (self.valid_from <= number) & (self.valid_to > number)
        return mask

    def _sum_by(
        self, name: str, group: np.ndarray[Any, Any], values: np.ndarray[Any, Any], size: int
    ) -> list[int]:
        """Exact sums of `values` (of column `name`, masked) per group number."""
        if self.total_abs[name] < _EXACT:
            return [int(v) for v in np.bincount(group, weights=values, minlength=size)]
        if len(values) * 2**_SPLIT >= _EXACT or self.total_abs[name] / 2**_SPLIT >= _EXACT / 2:
            raise TooLarge(name)
        whole = values.astype(np.int64)
        high = np.bincount(group, weights=whole >> _SPLIT, minlength=size)
        low = np.bincount(group, weights=whole & (2**_SPLIT - 1), minlength=size)
        return [int(h) * 2**_SPLIT + int(lo) for h, lo in zip(high, low, strict=True)]

    def _check_exact(self, names: Sequence[str]) -> None:
        for name in names:
            if self.total_abs[name] >= _EXACT:
                raise TooLarge(name)

    def _level(self, hierarchy: str, finest: str) -> tuple[np.ndarray[Any, Any], list[str]]:
        """As queries._level: the finest known level, as an index into sorted level names."""
        levels = HIERARCHIES[hierarchy]
        known = levels[: levels.index(finest) + 1]
        labels = sorted([*known, "unknown"])
        result = np.full(self.rows, labels.index("unknown"), dtype=np.int32)
        for level in known:  # coarse to fine: the finer known level wins
            result[self.areas[level] >= 0] = labels.index(level)
        return result, labels

    def _groups(
        self, columns: Sequence[np.ndarray[Any, Any]], mask: np.ndarray[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Distinct key tuples among masked rows, in ascending order (nulls, -1, last, as
        PostgreSQL's ascending ORDER BY puts them), and each masked row's group number."""
        if not columns:
            return np.zeros((1, 0), dtype=np.int64), np.zeros(int(mask.sum()), dtype=np.int64)
        # One number per row: the keys in mixed radix, the first key most significant.
        bases = [int(np.asarray(c).max(initial=0)) + 2 for c in columns]
        combined = np.zeros(int(mask.sum()), dtype=np.int64)
        for column, base in zip(columns, bases, strict=True):
            values = np.asarray(column)[mask].astype(np.int64)
            combined = combined * base + np.where(values < 0, base - 1, values)
        span = int(np.prod(np.asarray(bases, dtype=np.float64)))
        if span <= 4 * 1024 * 1024:
            present = np.flatnonzero(np.bincount(combined, minlength=span))
            number = np.full(span, -1, dtype=np.int64)
            number[present] = np.arange(len(present))
            distinct_ids, inverse = present, number[combined]
        else:
            distinct_ids, inverse = np.unique(combined, return_inverse=True)
        keys = np.empty((len(distinct_ids), len(columns)), dtype=np.int64)
        rest = distinct_ids.astype(np.int64)
        for position in range(len(columns) - 1, -1, -1):
            base = bases[position]
            digit = rest % base
            keys[:, position] = np.where(digit == base - 1, -1, digit)
            rest = rest // base
        return keys, inverse.reshape(-1)

    def stats(self, query: StatsQuery) -> list[dict[str, Any]]:
        return [codes.decode(row) for row in self.stats_rows(query)]

    def stats_rows(
        self, query: StatsQuery, without: np.ndarray[Any, Any] | None = None
    ) -> list[dict[str, Any]]:
        """`stats` before decoding (codes as stored), leaving out the rows `without` marks."""
        mask = self._filtered(query, self._valid_on(query.as_of), without)
        names: list[str] = list(query.group_by)
        columns = [self._key(key) for key in query.group_by]
        level_labels: dict[str, list[str]] = {}
        for hierarchy in HIERARCHIES:
            finest = finest_grouped(query.group_by, hierarchy)
            if finest is not None:
                level, labels = self._level(hierarchy, finest)
                names.append(f"{hierarchy}_level")
                columns.append(level)
                level_labels[f"{hierarchy}_level"] = labels
        distinct, group = self._groups(columns, mask)
        if not query.group_by and not level_labels:
            distinct = np.zeros((1, 0), dtype=np.int64)  # one row, even when nothing counts
        size = len(distinct)
        counts = np.bincount(group, minlength=size)
        totals = {name: self._sum_by(name, group, self.sums[name][mask], size) for name in _SUMS}
        rows = []
        for index, values in enumerate(distinct.tolist()):
            row: dict[str, Any] = {}
            for name, value in zip(names, values, strict=True):
                row[name] = self._decode(name, value, level_labels)
            row["organizations"] = int(counts[index]) if index < len(counts) else 0
            for measure in _SUMS:
                row[measure] = int(totals[measure][index]) if index < len(counts) else 0
            rows.append(row)
        return rows

    def _decode(self, name: str, value: int, level_labels: dict[str, list[str]]) -> Any:
        if name in level_labels:
            return level_labels[name][value]
        if name in self.areas:
            return None if value < 0 else self.names[name][value]
        if name in ("status_class", "sector_class"):
            return bool(value)
        return value

    def summary_cells(self, query: StatsQuery) -> list[dict[str, Any]]:
        return [codes.decode(row) for row in self.summary_rows(query)]

    def summary_rows(
        self, query: StatsQuery, without: np.ndarray[Any, Any] | None = None
    ) -> list[dict[str, Any]]:
        """`summary_cells` before decoding, leaving out the rows `without` marks."""
        mask = self._filtered(query, self._valid_on(query.as_of), without)
        cells = ("kind", "status", "sector_group")
        distinct, group = self._groups([self.numbers[c] for c in cells], mask)
        size = len(distinct)
        figures: dict[str, list[int]] = {
            "organizations": [int(v) for v in np.bincount(group, minlength=size)],
        }
        for name in (*_SUMS, *(f"ocop_{s}" for s in OCOP_STARS)):
            values = self.sums[name] if name in self.sums else self.numbers[name]
            figures[name] = self._sum_by(name, group, values[mask], size)
        # The yes/no facts of each row as bits (few distinct patterns): one count per (cell,
        # pattern), then per fact.
        span = len(self.patterns)
        pairs = group * span + self.pattern[mask]
        if size * span <= 4 * 1024 * 1024:
            together = np.bincount(pairs, minlength=size * span)
            present = np.flatnonzero(together)
            counts = together[present]
        else:
            present, counts = np.unique(pairs, return_counts=True)
        cell_of, bits_of = present // span, self.patterns[present % span]
        for name, bit in _BITS.items():
            has = (bits_of >> bit) & 1 == 1
            per_cell = np.bincount(cell_of[has], weights=counts[has], minlength=size)
            figures[name] = [int(v) for v in per_cell]
        rows = []
        for index, values in enumerate(distinct.tolist()):
            row: dict[str, Any] = dict(zip(cells, values, strict=True))
            row.update({name: figure[index] for name, figure in figures.items()})
            rows.append(row)
        return rows

    def trends(
        self,
        query: StatsQuery,
        periods: Sequence[tuple[date, date]],
        without: np.ndarray[Any, Any] | None = None,
    ) -> list[dict[str, int]]:
        """As queries.trends: add each interval at the first period whose last day it covers,
        take it away at the first one after it ends; registrations by the period they fall in."""
        self._check_exact(("members", "workers"))
        ends = np.array([_day(end) for _, end in periods], dtype=np.int64)
        count = len(periods)
        first_day, last_day = _day(periods[0][0]), _day(periods[-1][1])
        if self.changes is not None and not query.filters and without is None:
            return self.changes.trends(ends, first_day)
        mask = (self.valid_from <= last_day) & (self.valid_to > first_day)
        mask = self._filtered(query, mask, without)
        valid_from = self.valid_from[mask].astype(np.int64)
        valid_to = self.valid_to[mask].astype(np.int64)
        start = np.searchsorted(ends, valid_from, side="left") + 1
        stop = np.minimum(np.searchsorted(ends, valid_to, side="left") + 1, count + 1)
        operating = (self.numbers["status"][mask] == codes.OPERATING).astype(np.float64)
        figures = [
            np.ones(len(start), dtype=np.float64),
            operating,
            self.sums["members"][mask].astype(np.float64),
            self.sums["workers"][mask].astype(np.float64),
        ]
        delta = [
            np.bincount(start, weights=w, minlength=count + 2)
            - np.bincount(stop, weights=w, minlength=count + 2)
            for w in figures
        ]
        running = [np.cumsum(d) for d in delta]
        registered_on = self.registered_on[mask].astype(np.int64)
        newly = (
            (valid_from == registered_on)
            & (registered_on >= first_day)
            & (registered_on <= last_day)
        )
        registrations = np.bincount(
            np.searchsorted(ends, registered_on[newly], side="left") + 1, minlength=count + 2
        )
        result = []
        for period in range(1, count + 1):
            organizations, operating_now, members, workers = (int(r[period]) for r in running)
            result.append(
                {
                    "organizations": organizations,
                    "operating": operating_now,
                    "stopped": organizations - operating_now,
                    "members": members,
                    "workers": workers,
                    "registered": int(registrations[period]),
                }
            )
        return result
