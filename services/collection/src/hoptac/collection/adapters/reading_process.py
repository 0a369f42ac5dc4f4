"""A file's rows read and its names matched on the machine's second core: one worker process,
started with the app and shut down with it, reads the second half of a file's rows (every
cell checked, as `RowReader` reads them) while the service's own process reads the first half,
then matches the names while the service's process hashes the rows and talks to PostgreSQL.
Both are plain Python, bound to one core by the GIL: threads would not share them out.

What crosses between the processes is kept small: the rows' cells go a few thousand rows at a
time; the code lists are built again in the worker from the VSIC divisions (the whole lists
pickle to 1.7 MB) and kept there; the rows' changes come back as JSON, not pickled objects,
since what comes back is read by the service's process, whose time is the one to save. A row
reads the same in either process: reading a cell is a pure function of the cell, its field
and the lists."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from typing import Any
from uuid import UUID

import orjson

from hoptac.collection.adapters.code_lists import code_lists
from hoptac.collection.domain.cells import CodeLists
from hoptac.collection.domain.imports import Alike, alike
from hoptac.collection.domain.matching import Candidate, Known, Name
from hoptac.collection.domain.problems import Problem
from hoptac.collection.domain.rows import ReadRow, RowChange, RowReader
from hoptac.platform.collections_put_off import full_collections_put_off
from hoptac.platform.startup_memory import freeze_startup_objects
from hoptac.platform.text import Text

log = logging.getLogger(__name__)

PART = 2_500  # rows sent to the worker at once: a few pickles per file, not one per row

Rows = Sequence[tuple[int, Sequence[Any]]]  # (the row's number in the file, its cells)
Vsic = tuple[tuple[str, str], ...]  # the VSIC divisions the lists are built from
_Problem = tuple[str, str, dict[str, object], int | None, str | None, str | None]
_Change = tuple[str | None, dict[str, Any], str | None, str | None, str | None]
_Read = tuple[bytes | list[_Change | None], dict[int, list[_Problem]]]


def start() -> ProcessPoolExecutor:
    """The worker, started now (spawned: the service's threads and event loop are not
    copied into it) so that the first import does not wait for its imports."""
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    pool.submit(_ready)
    return pool


def _ready() -> None:
    """Run first in the worker: what every part needs made, then kept out of the garbage
    collector's walks, as the service does with what its start made."""
    _lists(())
    freeze_startup_objects()


class ReadingProcess:
    """Reads rows in the worker (`pool`), or in this process when there is none (the tests'
    apps, which run no lifespan) or it has died: the answers are the same either way."""

    def __init__(self, pool: Executor | None = None) -> None:
        self.pool = pool

    def read_later(
        self, rows: Rows, paths: Sequence[str | None], vsic: Mapping[str, str]
    ) -> list[asyncio.Future[list[ReadRow]]] | None:
        """`rows` read in the worker, `PART` at a time, each part's future in order; None
        without a worker."""
        if self.pool is None:
            return None
        divisions = tuple(sorted(vsic.items()))
        loop = asyncio.get_running_loop()
        return [
            asyncio.ensure_future(self._part(loop, rows[start : start + PART], paths, divisions))
            for start in range(0, len(rows), PART)
        ]

    async def _part(
        self,
        loop: asyncio.AbstractEventLoop,
        rows: Rows,
        paths: Sequence[str | None],
        divisions: Vsic,
    ) -> list[ReadRow]:
        pool = self.pool
        assert pool is not None
        try:
            read = await loop.run_in_executor(pool, read_rows, rows, list(paths), divisions)
        except BrokenProcessPool:
            self._died(pool)
            return _read_rows(rows, read_rows(rows, list(paths), divisions))
        return _read_rows(rows, read)

    async def alike(self, changes: Sequence[RowChange], known: Sequence[Known]) -> Alike:
        """`alike(changes, known)`, worked out in the worker when there is one (a thread
        otherwise): its names matched while this process hashes and stores."""
        pool = self.pool
        if pool is None:
            return await asyncio.to_thread(alike, changes, known)
        names = [
            (
                change.row,
                str(change.record.get("name", "")),
                (change.record.get("address") or {}).get("commune_code"),
            )
            for change in changes
            if change.organization_id is None
        ]
        try:
            found = await asyncio.get_running_loop().run_in_executor(
                pool, matched, names, list(known)
            )
        except BrokenProcessPool:
            self._died(pool)
            return await asyncio.to_thread(alike, changes, known)
        prepared, candidates, earlier = found
        return Alike(
            {
                row: (commune, Name(tuple(words), joined, tuple(numbers)))
                for (row, _, _), (commune, words, joined, numbers) in zip(
                    names, orjson.loads(prepared), strict=True
                )
            },
            candidates,
            earlier,
        )

    def _died(self, pool: Executor) -> None:
        """`pool`'s worker has died (killed, out of memory): this process reads and matches
        from now on, until the service restarts. Not a new worker: one that cannot start
        would be started again for every part."""
        if self.pool is pool:
            log.warning("the reading process stopped: reading here from now on")
            self.pool = None
            pool.shutdown(wait=False)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def read_rows(rows: Rows, paths: list[str | None], divisions: Vsic) -> _Read:
    """Run in the worker: each row read as `RowReader` reads it. The changes go back as JSON
    (orjson reads it back several times faster than pickle builds the same dicts), or as
    they are when one holds what orjson does not write (an integer beyond 64 bits); the
    problems, few, pickled by row."""
    reader = RowReader(paths, _lists(divisions))
    changes: list[_Change | None] = []
    problems: dict[int, list[_Problem]] = {}
    with full_collections_put_off():  # a part's objects are freed when it is sent
        for index, (number, cells) in enumerate(rows):
            row = reader.read(number, cells)
            change = row.change
            if row.problems:
                problems[index] = [_plain(problem) for problem in row.problems]
            changes.append(
                None
                if change is None
                else (
                    None if change.organization_id is None else str(change.organization_id),
                    change.record,
                    change.status,
                    change.status_reason,
                    change.effective_date,
                )
            )
    try:
        return orjson.dumps(changes), problems
    except orjson.JSONEncodeError:
        return changes, problems


def matched(
    names: list[tuple[int, str, str | None]], known: list[Known]
) -> tuple[bytes, dict[int, list[Candidate]], dict[int, int]]:
    """Run in the worker: `alike` of the new rows (row, name, commune); each row's prepared
    name back as JSON, in the order of `names`."""
    changes = [
        RowChange(row, None, {"name": name, "address": {"commune_code": commune}})
        for row, name, commune in names
    ]
    with full_collections_put_off():
        found = alike(changes, known)
    prepared = [
        (commune, name.words, name.joined, name.numbers)
        for commune, name in (found.names[row] for row, _, _ in names)
    ]
    return orjson.dumps(prepared), found.candidates, found.earlier


@lru_cache(maxsize=2)  # the registry's VSIC list changes with a decree
def _lists(divisions: Vsic) -> CodeLists:
    return code_lists(dict(divisions))


def _plain(problem: Problem) -> _Problem:
    # A Text's values are a read-only mapping, which does not pickle.
    message = problem.message
    return (
        problem.code,
        message.key,
        dict(message.values),
        problem.row,
        problem.column,
        problem.field,
    )


def _read_rows(rows: Rows, read: _Read) -> list[ReadRow]:
    sent, problems = read
    changes = orjson.loads(sent) if isinstance(sent, bytes) else sent
    return [
        ReadRow(
            number,
            None
            if change is None
            else RowChange(
                number,
                None if change[0] is None else UUID(change[0]),
                change[1],
                change[2],
                change[3],
                change[4],
            ),
            [
                Problem(code, Text(key, **values), row, column, path)
                for code, key, values, row, column, path in problems.get(index, ())
            ],
        )
        for index, ((number, _), change) in enumerate(zip(rows, changes, strict=True))
    ]
