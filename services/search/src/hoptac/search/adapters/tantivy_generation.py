"""One generation of the embedded index (a complete tantivy index in its own folder), and the
pointer file that names the current one (the layout: `tantivy_index`).

A generation is searched by the service and by its reader processes (`tantivy_readers`), and
written only by the one process that holds tantivy's writer lock. `tantivy_index` keeps the
generations and switches between them; both it and the readers build on this module, which
depends on neither.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

import orjson
import tantivy

from hoptac.search.adapters.port import LIVE, META_ID, answer_body
from hoptac.search.adapters.tantivy_broad import BroadAnswers, is_broad
from hoptac.search.adapters.tantivy_facets import (
    count_by_aggregation,
    count_current_communes,
    count_in_python,
)
from hoptac.search.adapters.tantivy_queries import MAX_COMPLETIONS, QueryBuilder, Vocabulary
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
    CommuneCounts,
    SearchQuery,
    SearchResult,
    Sort,
    encode_cursor,
)

POINTER = "current"
FACET_WINDOW = 1000  # up to this many matches, facets are counted from their columns…
# …and by relevance up to this many, collected in the one pass that finds the page. Above
# 1,000 matches tantivy's aggregations would run the search again (2.2 ms for 1,500 matches,
# where counting the collected ones takes 1.3); up to 3,000 collecting them all costs less.
RELEVANCE_WINDOW = 3000


def current_name(root: Path) -> str | None:
    """The name of the generation the pointer names, if there is one."""
    try:
        name = (root / POINTER).read_text().strip()
    except FileNotFoundError:
        return None
    return name or None


def point_to(root: Path, name: str) -> None:
    """Make `name` the current generation, atomically (written aside, synced, renamed)."""
    temporary = root / f".{POINTER}.{os.getpid()}"
    temporary.write_text(name + "\n")
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, root / POINTER)


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
                held_version = held.get(change.organization_id)
                if not applies(change, held_version):
                    continue
                # An organisation has one document at most: none to replace when none is held
                # (most of an import's burst; a delete costs at the commit, in every segment).
                if held_version is not None:
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
        searcher = self.index.searcher()
        # Most of an import's burst is new organisations: an id no document has ever held
        # (doc_freq counts deleted documents too, so 0 is sure) is not searched for: 1,000 new
        # ids cost 0.8 ms of look-ups instead of a 4.4 ms search (5,000 documents held).
        ids = [
            organization_id for organization_id in ids if searcher.doc_freq("id", organization_id)
        ]
        if not ids:
            return {}
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

    def communes(self, query: SearchQuery) -> CommuneCounts:
        """Every match of the query's words and filters (all words held), counted once at
        its current commune."""
        searcher = self.index.searcher()
        words = self.queries.text_query(query.q, False, self._vocabulary(searcher))
        combined = self._combined(words, query)
        total = _count(searcher.search(combined, 1, count=True))
        every = searcher.search(combined, total, count=False).hits if total else []
        return CommuneCounts(total, count_current_communes(searcher, [a for _, a in every]))

    def _combined(self, words: tantivy.Query | None, query: SearchQuery) -> tantivy.Query:
        clauses = ([words] if words is not None else []) + self.queries.filters(query)
        return self.queries.all_of(clauses)

    def _search(
        self, searcher: tantivy.Searcher, vocabulary: Vocabulary, query: SearchQuery
    ) -> Found:
        queries = self.queries
        words = queries.text_query(query.q, False, vocabulary)
        combined = self._combined(words, query)
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
            window = max(window, RELEVANCE_WINDOW)
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
