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
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import orjson
import tantivy

from hoptac.search.adapters.port import LIVE, META_ID, IndexBuild, SearchIndex, answer_body
from hoptac.search.adapters.tantivy_broad import BroadAnswers, is_broad
from hoptac.search.adapters.tantivy_facets import count_by_aggregation, count_in_python
from hoptac.search.adapters.tantivy_queries import MAX_COMPLETIONS, QueryBuilder, Vocabulary
from hoptac.search.adapters.tantivy_readers import Readers
from hoptac.search.adapters.tantivy_schema import (
    build_schema,
    meta_document,
    register_analyzers,
    to_tantivy,
    tombstone,
)
from hoptac.search.domain import text
from hoptac.search.domain.changes import Change, Upsert, applies, newest_per_organization
from hoptac.search.domain.query import (
    CursorKind,
    SearchQuery,
    SearchResult,
    Sort,
    encode_cursor,
)

log = logging.getLogger("hoptac.search.tantivy")
T = TypeVar("T")

POINTER = "current"
FACET_WINDOW = 1000  # up to this many matches, facets are counted from their columns


class Generation:
    """One tantivy index on disk, with its writer when this process may write it."""

    def __init__(self, path: Path, writable: bool, heap_bytes: int, threads: int = 1) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.name = path.name
        self.schema = build_schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        register_analyzers(self.index)
        self.queries = QueryBuilder(self.schema)
        self.writer: tantivy.IndexWriter | None = (
            self.index.writer(heap_bytes, threads) if writable else None
        )
        self.index.reload()
        self._last_sequence = self._read_last_sequence()
        self._broad = BroadAnswers()

    # --- writing ---------------------------------------------------------------------------

    def apply(self, changes: list[Change], last_sequence: int | None) -> int:
        writer = self.writer
        if writer is None:
            raise RuntimeError(f"generation {self.name} is open read-only")
        winners = newest_per_organization(changes)
        held = self.held_versions([c.organization_id for c in winners])
        applied = 0
        try:
            for change in winners:
                if not applies(change, held.get(change.organization_id)):
                    continue
                writer.delete_documents_by_term("id", change.organization_id)
                if isinstance(change, Upsert):
                    writer.add_document(to_tantivy(change.document))
                else:
                    writer.add_document(tombstone(change.organization_id, change.version))
                applied += 1
            moved = last_sequence is not None and last_sequence > self._last_sequence
            if moved:
                writer.delete_documents_by_term("id", META_ID)
                writer.add_document(meta_document(int(last_sequence or 0)))
            if applied or moved:
                writer.commit()
                self.index.reload()
                self._broad.clear()
        except BaseException:
            writer.rollback()
            raise
        if moved:
            self._last_sequence = int(last_sequence or 0)
        return applied

    def refresh(self) -> None:
        """Another process committed (this is a reader process's view): search its latest."""
        self.index.reload()
        self._broad.clear()
        self._last_sequence = self._read_last_sequence()

    def close(self) -> None:
        if self.writer is not None:
            writer, self.writer = self.writer, None
            writer.wait_merging_threads()

    # --- reading ---------------------------------------------------------------------------

    def held_versions(self, ids: list[str]) -> dict[str, int]:
        if not ids:
            return {}
        searcher = self.index.searcher()
        query = tantivy.Query.term_set_query(self.schema, "id", ids)
        hits = searcher.search(query, len(ids), count=False).hits
        held: dict[str, int] = {}
        for _, address in hits:
            doc = searcher.doc(address)
            held[str(doc.get_first("id"))] = int(doc.get_first("version") or 0)
        return held

    @property
    def last_sequence(self) -> int:
        return self._last_sequence

    def _read_last_sequence(self) -> int:
        return self.held_versions([META_ID]).get(META_ID, 0)

    def count(self) -> int:
        searcher = self.index.searcher()
        result = searcher.search(self.queries.term("state", LIVE), 1, count=True)
        return _count(result)

    def search(self, query: SearchQuery) -> SearchResult:
        found = self._found(query)
        items = [orjson.loads(stored) for stored in found.items]
        return SearchResult(found.total, items, found.facets, found.next_cursor)

    def search_answer(self, query: SearchQuery) -> bytes:
        """The answer's JSON with each hit's stored JSON spliced in, never decoded."""
        found = self._found(query)
        items = [orjson.Fragment(stored) for stored in found.items]
        return answer_body(found.total, items, found.facets, found.next_cursor)

    def _found(self, query: SearchQuery) -> Found:
        epoch = self._broad.epoch  # before the searcher: an answer from an older one is not kept
        searcher = self.index.searcher()
        vocabulary = self._vocabulary(searcher)
        if query.cursor is None and (is_broad(query.q, vocabulary) or not text.analyse(query.q)):
            filters = repr(sorted(query.filters.items()))
            key = ("search", query.q, query.sort, filters, query.bbox, query.limit, query.facets)
            return self._broad.get(key, epoch, lambda: self._search(searcher, vocabulary, query))
        return self._search(searcher, vocabulary, query)

    def _search(
        self, searcher: tantivy.Searcher, vocabulary: Vocabulary, query: SearchQuery
    ) -> Found:
        queries = self.queries
        words = queries.text_query(query.q, False, vocabulary)
        clauses = ([words] if words is not None else []) + queries.filters(query)
        combined = queries.all_of(clauses)
        offset = int((query.cursor or {}).get("o", 0))
        options: dict[str, Any] = {"count": True}
        if query.sort is Sort.NAME:
            options.update(order_by_field="name_sort", order=tantivy.Order.Asc)
        elif query.sort is Sort.REGISTERED_ON:
            options.update(order_by_field="registered", order=tantivy.Order.Asc)
        elif query.sort is Sort.REGISTERED_ON_DESC:
            options.update(order_by_field="registered", order=tantivy.Order.Desc)
        # By relevance, one pass collects the page and, when the matches are few, all of them
        # for the facets; sorting by a field costs per collected hit, so that takes two passes.
        window = offset + query.limit
        if query.facets and query.sort is Sort.RELEVANCE:
            window = max(window, FACET_WINDOW)
        result = searcher.search(combined, window, **options)
        total = _count(result)
        if not total and words is not None and query.relaxable:
            # Nothing holds every word: the organisations holding the most of them, first.
            relaxed = queries.text_query(query.q, False, vocabulary, relaxed=True)
            combined = queries.all_of([relaxed, *queries.filters(query)])  # type: ignore[list-item]
            result = searcher.search(combined, window, **options)
            total = _count(result)
        page = result.hits[offset : offset + query.limit]
        items = [_stored(searcher, a) for _, a in page]
        following = offset + len(items)
        cursor = encode_cursor(query, {"o": following}) if following < total and items else None
        facets: dict[str, dict[str, int]] = {}
        if query.facets and total <= len(result.hits):
            facets = count_in_python(searcher, [a for _, a in result.hits])
        elif query.facets and total <= FACET_WINDOW:
            every = searcher.search(combined, total, count=False).hits  # by score: no sorting
            facets = count_in_python(searcher, [a for _, a in every])
        elif query.facets:
            facets = count_by_aggregation(searcher, combined)
        return Found(total, items, facets, cursor)

    @staticmethod
    def _vocabulary(searcher: tantivy.Searcher) -> Vocabulary:
        def frequency(word: str) -> int:  # among its own words, or else in shared names
            return int(searcher.doc_freq("all_f", word)) or int(searcher.doc_freq("shared_f", word))

        def completions(prefix: str) -> list[str]:
            found = searcher.terms_with_prefix("all_f", prefix, limit=MAX_COMPLETIONS)
            return [str(term) for term, _ in found]

        def name_frequency(word: str) -> int:
            return int(searcher.doc_freq("name_f", word))

        def shared_frequency(key: str) -> int:
            return int(searcher.doc_freq("shared_k", key))

        documents = max(int(searcher.num_docs), 1)
        return Vocabulary(frequency, documents, completions, name_frequency, shared_frequency)

    def suggest(self, q: str, limit: int) -> list[dict[str, Any]]:
        epoch = self._broad.epoch
        searcher = self.index.searcher()
        vocabulary = self._vocabulary(searcher)
        if is_broad(q, vocabulary):
            key = ("suggest", text.folded_text(text.analyse(q)), limit)
            return self._broad.get(
                key, epoch, lambda: self._suggest(searcher, vocabulary, q, limit)
            )
        return self._suggest(searcher, vocabulary, q, limit)

    def _suggest(
        self, searcher: tantivy.Searcher, vocabulary: Vocabulary, q: str, limit: int
    ) -> list[dict[str, Any]]:
        words = self.queries.suggestion_query(q, vocabulary)
        if words is None:
            return []
        query = self.queries.all_of([words, self.queries.live()])
        out = []
        for _, address in searcher.search(query, limit, count=False).hits:
            item = _item(searcher, address)
            out.append({k: item[k] for k in ("id", "name", "kind", "status", "province_code")})
        return out


def _count(result: tantivy.SearchResult) -> int:
    return int(result.count or 0)  # type: ignore[attr-defined]  # the type stub lacks `count`


class Found(NamedTuple):
    """A page of matches, each hit as its stored JSON (a broad search's is kept as is)."""

    total: int
    items: list[bytes]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None


def _stored(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> bytes:
    stored: bytes = searcher.doc(address).get_first("item") or b"{}"
    return stored


def _item(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
    item: dict[str, Any] = orjson.loads(_stored(searcher, address))
    return item


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
        name = self._pointer() or self._new_name()
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
        if self._pointer() != name:
            self._point_to(name)
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
        self._point_to(build.name)
        await self.follow_switch()
        self._remove_old_generations()

    async def follow_switch(self) -> bool:
        name = self._pointer()
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

    def _pointer(self) -> str | None:
        try:
            name = (self.root / POINTER).read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def _point_to(self, name: str) -> None:
        temporary = self.root / f".{POINTER}.{os.getpid()}"
        temporary.write_text(name + "\n")
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / POINTER)

    @staticmethod
    def _new_name() -> str:
        return "gen-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")

    def _remove_old_generations(self, keep: int = 2) -> None:
        """Keep the current generation and the one before it (still open in a service that
        has not followed the switch yet); remove older ones."""
        generations = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        current = self._pointer()
        for path in generations[:-keep]:
            if path.name != current:
                with contextlib.suppress(OSError):
                    shutil.rmtree(path)
