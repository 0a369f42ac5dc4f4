"""The embedded search index: tantivy on local disk, in generations switched by a pointer file.

    <root>/current            the name of the generation searches use (replaced atomically)
    <root>/gen-<timestamp>/   one complete tantivy index each

Only one process may write a generation (tantivy holds a lock): the search service. A rebuild
(`hoptac search reindex`) writes a new generation from another process, then replaces the
pointer; the service notices (`follow_switch`), opens the new generation and catches up.
Each organisation has at most one document: live, or a tombstone holding the version at which
it was removed. A meta document holds the last change-log sequence applied, committed with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hoptac.search.adapters.port import IndexBuild, SearchIndex
from hoptac.search.adapters.tantivy_generation import Generation, current_name, point_to
from hoptac.search.adapters.tantivy_readers import Readers
from hoptac.search.domain.changes import Change
from hoptac.search.domain.query import CommuneCounts, CursorKind, SearchQuery, SearchResult

log = logging.getLogger("hoptac.search.tantivy")


class TantivyBuild(IndexBuild):
    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        self.name = generation.name

    async def apply(self, changes: list[Change], last_sequence: int | None = None) -> int:
        return await asyncio.to_thread(self.generation.apply, changes, last_sequence)

    async def finish(self) -> None:
        await asyncio.to_thread(self.generation.close)

    async def discard(self) -> None:
        await asyncio.to_thread(self.generation.close)
        shutil.rmtree(self.generation.path, ignore_errors=True)


class TantivyIndex(SearchIndex):
    """The service's index (`writable=True`) or a rebuilding process's view of it."""

    cursor_kind = CursorKind.OFFSET

    def __init__(
        self,
        root: Path,
        writable: bool = True,
        heap_bytes: int = 64_000_000,
        search_processes: int = 0,
    ) -> None:
        self.root = root
        self.search_processes = search_processes
        self._readers: Readers | None = None
        self.writable = writable
        self.heap_bytes = heap_bytes
        root.mkdir(parents=True, exist_ok=True)
        name = current_name(self.root) or self._new_name()
        try:
            self._current = Generation(root / name, writable, heap_bytes)
        except ValueError as error:
            if "schema does not match" not in str(error) or not writable:
                raise
            # An index from another release: start a new generation, which the service fills
            # from the change log (Background.catch_up) while the old one stays on disk.
            log.warning("generation %s has an older schema; starting a new one", name)
            name = self._new_name()
            self._current = Generation(root / name, writable, heap_bytes)
        if current_name(self.root) != name:
            point_to(self.root, name)
        self._lock = asyncio.Lock()

    @property
    def current(self) -> Generation:
        return self._current

    async def apply(self, changes: list[Change], last_sequence: int | None = None) -> int:
        async with self._lock:
            return await asyncio.to_thread(self._current.apply, changes, last_sequence)

    async def prepare(self) -> None:
        if self.search_processes > 0 and self._readers is None:
            self._readers = Readers(self.root, self.search_processes)
            await self._readers.start()

    # Searches run in reader processes when there are some (tantivy_readers.py), else in the
    # calling thread (the event loop), not in a worker thread: a search takes a millisecond or
    # two of CPU, and handing it to a thread and back cost more than that (thread switches,
    # contention for the GIL): about a third more CPU per request.
    async def search(self, query: SearchQuery) -> SearchResult:
        if self._readers is not None:
            return await self._readers.search(query)
        return self._current.search(query)

    async def search_answer(self, query: SearchQuery) -> bytes:
        if self._readers is not None:
            return await self._readers.search_answer(query)
        return self._current.search_answer(query)

    async def suggest(self, q: str, limit: int) -> list[dict[str, Any]]:
        if self._readers is not None:
            return await self._readers.suggest(q, limit)
        return self._current.suggest(q, limit)

    async def communes(self, query: SearchQuery) -> CommuneCounts:
        if self._readers is not None:
            return await self._readers.communes(query)
        return self._current.communes(query)

    async def version_of(self, organization_id: str) -> int | None:
        return self._current.held_versions([organization_id]).get(organization_id)

    async def count(self) -> int:
        return self._current.count()

    async def last_sequence(self) -> int:
        return self._current.last_sequence

    async def generation(self) -> str:
        return self._current.name

    async def start_build(self) -> TantivyBuild:
        path = self.root / self._new_name()
        generation = await asyncio.to_thread(Generation, path, True, self.heap_bytes * 4, 2)
        return TantivyBuild(generation)

    async def switch_to(self, build: IndexBuild) -> None:
        assert isinstance(build, TantivyBuild)
        point_to(self.root, build.name)
        await self.follow_switch()
        self._remove_old_generations()

    async def follow_switch(self) -> bool:
        name = current_name(self.root)
        if name is None or name == self._current.name:
            return False
        async with self._lock:
            fresh = await asyncio.to_thread(
                Generation, self.root / name, self.writable, self.heap_bytes
            )
            old, self._current = self._current, fresh
        await asyncio.to_thread(old.close)
        log.info("now answering from generation %s (was %s)", name, old.name)
        return True

    async def ready(self) -> None:
        self._current.index.searcher()

    async def close(self) -> None:
        if self._readers is not None:
            readers, self._readers = self._readers, None
            await readers.close()
        async with self._lock:
            await asyncio.to_thread(self._current.close)

    # --- the pointer -----------------------------------------------------------------------

    @staticmethod
    def _new_name() -> str:
        return "gen-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")

    def _remove_old_generations(self, keep: int = 2) -> None:
        """Keep the current generation and the one before it (still open in a service that
        has not followed the switch yet); remove older ones."""
        generations = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        current = current_name(self.root)
        for path in generations[:-keep]:
            if path.name != current:
                with contextlib.suppress(OSError):
                    shutil.rmtree(path)
