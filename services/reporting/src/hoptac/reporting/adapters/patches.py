"""Answers from the in-memory copy after the projection changed, without reloading it.

The consumer runs in the service's process: after each batch commits it hands over the
generation the batch made and the whole new timeline of every organisation it touched, as the
batch inserted it (`Delta`: every touched organisation's rows are deleted and inserted again,
so those rows are exactly what PostgreSQL then holds for it). While those deltas cover every
generation from the copy's to the current one, the current answer is exactly

    (the copy without the rows of the touched organisations) + (their rows now)

because every figure is a count or a sum over rows, and a group exists where at least one of
its rows does: `Patched` answers both parts and adds them up by group. A change made elsewhere
(`hoptac reporting rebuild`) leaves a generation without a delta: then the service answers
from PostgreSQL until the copy is reloaded, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from hoptac.reporting.adapters import codes
from hoptac.reporting.adapters.columns import Columns
from hoptac.reporting.domain.stats import StatsQuery

SUMMARY_CELLS = ("kind", "status", "sector_group")
STATS_MEASURES = frozenset({"organizations", "members", "workers", "charter_capital"})


@dataclass(frozen=True)
class Delta:
    generation: int  # the projection's generation right after the change
    organizations: np.ndarray[Any, Any]  # the ids (16 bytes) whose whole timeline `rows` is
    rows: np.ndarray[Any, Any]  # binary-COPY records of the timeline (columns._DTYPE)


class Deltas:
    """The deltas since the copy was taken, bounded: past `max_rows` they are dropped (answers
    then come from PostgreSQL until the copy is reloaded) and `full` says a reload is due."""

    def __init__(self, max_rows: int = 20_000) -> None:
        self.max_rows = max_rows
        self._held: list[Delta] = []
        self._rows = 0
        self._view: Patched | None = None

    @property
    def full(self) -> bool:
        return self._rows >= self.max_rows // 2

    def add(self, delta: Delta) -> None:
        self._held.append(delta)
        self._rows += len(delta.rows)
        if self._rows > self.max_rows:
            self._held, self._rows = [], 0

    def forget_through(self, generation: int) -> None:
        """Drop what a copy taken at `generation` already holds."""
        self._held = [d for d in self._held if d.generation > generation]
        self._rows = sum(len(d.rows) for d in self._held)

    def view(self, base: Columns, generation: int) -> Patched | None:
        """The answers at `generation` over `base`, or None when a generation between them has
        no delta (or `generation` is older than the copy)."""
        cached = self._view
        if cached is not None and cached.base is base and cached.generation == generation:
            return cached
        needed = [d for d in self._held if base.generation < d.generation <= generation]
        wanted = list(range(base.generation + 1, generation + 1))
        if not wanted or [d.generation for d in needed] != wanted:
            return None
        self._view = Patched.of(base, needed)
        return self._view


def _newest_rows(deltas: Sequence[Delta]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Every touched organisation once, and the rows of its newest delta (vectorised: a view
    is built for each new generation, over thousands of deltas)."""
    touched = np.concatenate([d.organizations for d in deltas])
    touched_in = np.repeat(np.arange(len(deltas)), [len(d.organizations) for d in deltas])
    order = np.lexsort((touched_in, touched))  # by organisation, then delta
    touched, touched_in = touched[order], touched_in[order]
    last = np.append(touched[1:] != touched[:-1], True)  # each organisation's newest delta
    organizations, newest = touched[last], touched_in[last]
    # Joined as bytes: concatenating many structured arrays promotes their dtype pair by pair.
    rows = np.frombuffer(b"".join(d.rows.tobytes() for d in deltas), dtype=deltas[0].rows.dtype)
    rows_in = np.repeat(np.arange(len(deltas)), [len(d.rows) for d in deltas])
    keep = newest[np.searchsorted(organizations, rows["org"])] == rows_in
    return organizations, rows[keep]


def _merge(parts: Iterable[list[dict[str, Any]]], measures: Any) -> list[dict[str, Any]]:
    """Rows of several parts added up by group, ordered as the copy and PostgreSQL order them
    (keys ascending, a missing key last)."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rows in parts:
        for row in rows:
            key = tuple(value for name, value in row.items() if name not in measures)
            held = merged.get(key)
            if held is None:
                merged[key] = dict(row)
            else:
                for name in measures:
                    held[name] += row[name]
    order = sorted(merged, key=lambda key: tuple((value is None, value) for value in key))
    return [codes.decode(merged[key]) for key in order]


@dataclass
class Patched:
    base: Columns
    generation: int
    changed: Columns  # the touched organisations' rows now
    without: np.ndarray[Any, Any]  # the base's rows of the touched organisations

    @classmethod
    def of(cls, base: Columns, deltas: Sequence[Delta]) -> Patched:
        touched, rows = _newest_rows(deltas)
        generation = deltas[-1].generation
        return cls(base, generation, Columns.of(generation, rows), base.rows_of(touched))

    def stats(self, query: StatsQuery) -> list[dict[str, Any]]:
        parts = (self.base.stats_rows(query, self.without), self.changed.stats_rows(query))
        return _merge(parts, STATS_MEASURES)

    def summary_cells(self, query: StatsQuery) -> list[dict[str, Any]]:
        base = self.base.summary_rows(query, self.without)
        changed = self.changed.summary_rows(query)
        measures = {name for row in (*base, *changed) for name in row} - set(SUMMARY_CELLS)
        return _merge((base, changed), measures)

    def trends(
        self, query: StatsQuery, periods: Sequence[tuple[date, date]]
    ) -> list[dict[str, int]]:
        base = self.base.trends(query, periods, self.without)
        changed = self.changed.trends(query, periods)
        return [
            {name: figure + more[name] for name, figure in period.items()}
            for period, more in zip(base, changed, strict=True)
        ]
