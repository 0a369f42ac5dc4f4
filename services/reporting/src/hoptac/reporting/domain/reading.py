"""The port every statistic and report is read through: three aggregates over the timeline.

Two adapters implement it and pass one contract suite (`tests/contract/`): the SQL one over
PostgreSQL (`adapters/queries.py`) and the in-memory copy (`adapters/memory_copy.py`). Both
give the same rows in the same order: keys ascending with a missing key last, coded values as
the contract's strings, every sum exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from hoptac.reporting.domain.stats import StatsQuery

Periods = Sequence[tuple[date, date]]  # (first day, last day) of each period, in order


class TooLarge(Exception):
    """This reader cannot give an exact answer (a sum beyond its arithmetic): ask another."""


class StatsReader(Protocol):
    async def stats(self, query: StatsQuery) -> list[dict[str, Any]]:
        """One row per group of `query.group_by` (plus the area levels it implies), with
        `organizations`, `members`, `workers` and `charter_capital` on `query.as_of`."""
        ...

    async def summary_cells(self, query: StatsQuery) -> list[dict[str, Any]]:
        """One row per (kind, status, sector group) with the measures, OCOP products by stars
        and the organisations with each digital-adoption flag."""
        ...

    async def trends(self, query: StatsQuery, periods: Periods) -> list[dict[str, int]]:
        """Per period: `organizations`, `operating`, `stopped`, `members`, `workers` on its last
        day and `registered` during it."""
        ...
