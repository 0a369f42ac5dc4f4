"""The policy library's own tantivy index, beside the organisations' (`<var_dir>/search-library`):
the embedded half of `library_port.DocumentIndex`.

The library holds hundreds of documents, thousands at most, so facets are counted over every
match read back from the index (bounded by MAX_MATCHES) rather than with tantivy's aggregations;
the organisations' index, with a hundred thousand records, needs those, this one does not.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import tantivy

from hoptac.search.adapters.library_port import (
    EXACT_BOOST,
    HEAD_BOOST,
    MAX_MATCHES,
    TRACKING_ID,
    DocumentIndex,
)
from hoptac.search.adapters.tantivy_schema import EXACT, FOLDED, register_analyzers
from hoptac.search.domain import text
from hoptac.search.domain.library_documents import FACETS, LibraryDocument, newest_per_document


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_integer_field("version", stored=True, indexed=True)
    sb.add_bytes_field("item", stored=True)
    sb.add_text_field("head_f", tokenizer_name=FOLDED)
    sb.add_text_field("head_x", tokenizer_name=EXACT)
    sb.add_text_field("body_f", tokenizer_name=FOLDED, index_option="freq")
    sb.add_text_field("body_x", tokenizer_name=EXACT, index_option="freq")
    for facet in FACETS:
        sb.add_text_field(facet, stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


class LibraryIndex(DocumentIndex):
    def __init__(self, path: Path, heap_bytes: int = 15_000_000) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        register_analyzers(self.index)
        self.writer = self.index.writer(heap_bytes, 1)
        self.index.reload()
        self._lock = asyncio.Lock()  # one change at a time through the one writer

    def _version_of(self, document_id: str) -> int | None:
        searcher = self.index.searcher()
        query = tantivy.Query.term_query(self.schema, "id", document_id)
        hits = searcher.search(query, 1).hits
        if not hits:
            return None
        return int(searcher.doc(hits[0][1])["version"][0])

    async def apply(
        self, documents: list[LibraryDocument], contiguous_through: int | None = None
    ) -> int:
        """Index the documents newer than what the index holds, and the tracking entry with
        them in one commit; returns how many documents changed."""
        async with self._lock:
            newest = newest_per_document(documents)
            changed = [d for d in newest if (self._version_of(d.id) or 0) < d.version]
            for document in changed:
                self.writer.delete_documents_by_term("id", document.id)
                self.writer.add_document(tantivy.Document(**_fields(document)))
            moved = contiguous_through is not None and contiguous_through > (
                self._version_of(TRACKING_ID) or 0
            )
            if moved:
                self.writer.delete_documents_by_term("id", TRACKING_ID)
                self.writer.add_document(
                    tantivy.Document(id=TRACKING_ID, version=contiguous_through)
                )
            if changed or moved:
                await asyncio.to_thread(self.writer.commit)
                self.index.reload()
            return len(changed)

    async def contiguous_through(self) -> int:
        return self._version_of(TRACKING_ID) or 0

    async def search(
        self, q: str, filters: dict[str, list[str]], limit: int, offset: int
    ) -> dict[str, Any]:
        return self._search(q, filters, limit, offset)

    def _search(
        self, q: str, filters: dict[str, list[str]], limit: int, offset: int
    ) -> dict[str, Any]:
        words = text.query_slots(q)
        word_clauses = [self._word(slot.words) for slot in words if not slot.optional]
        searcher = self.index.searcher()
        matches = searcher.search(self._query(word_clauses, filters), MAX_MATCHES).hits
        facets: dict[str, Counter[str]] = {}
        for facet in FACETS:
            others = {name: values for name, values in filters.items() if name != facet}
            hits = (
                matches
                if others == filters
                else searcher.search(self._query(word_clauses, others), MAX_MATCHES).hits
            )
            counter: Counter[str] = Counter()
            for _, address in hits:
                counter.update(searcher.doc(address).to_dict().get(facet, []))
            facets[facet] = counter
        items = [
            orjson.loads(searcher.doc(address)["item"][0])
            for _, address in matches[offset : offset + limit]
        ]
        return {
            "total": len(matches),
            "items": items,
            "facets": {name: dict(counter.most_common()) for name, counter in facets.items()},
        }

    def _word(self, alternatives: list[str]) -> tantivy.Query:
        """One query word (or an abbreviation's words): in the head or the body, folded; the
        same diacritics and a match in the head rank higher."""
        should: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for word in alternatives:
            folded, exact = text.fold(word), text.exact(word)
            for field, boost in (("head_f", HEAD_BOOST), ("body_f", 1.0)):
                term = tantivy.Query.term_query(self.schema, field, folded)
                should.append((tantivy.Occur.Should, tantivy.Query.boost_query(term, boost)))
            if text.has_marks(word):
                for field, boost in (("head_x", HEAD_BOOST), ("body_x", 1.0)):
                    term = tantivy.Query.term_query(self.schema, field, exact)
                    should.append(
                        (tantivy.Occur.Should, tantivy.Query.boost_query(term, boost * EXACT_BOOST))
                    )
        return tantivy.Query.boolean_query(should)

    def _query(self, words: list[tantivy.Query], filters: dict[str, list[str]]) -> tantivy.Query:
        must: list[tuple[tantivy.Occur, tantivy.Query]] = [
            (tantivy.Occur.Must, word) for word in words
        ]
        for name, values in filters.items():
            any_of = [
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, name, value))
                for value in values
            ]
            must.append((tantivy.Occur.Must, tantivy.Query.boolean_query(any_of)))
        if not must:
            must.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        tracking = tantivy.Query.term_query(self.schema, "id", TRACKING_ID)
        return tantivy.Query.boolean_query([*must, (tantivy.Occur.MustNot, tracking)])

    async def count(self) -> int:
        held = self.index.searcher().search(self._query([], {}), 1, count=True)
        return int(held.count or 0)  # type: ignore[attr-defined]  # the type stub lacks `count`

    async def close(self) -> None:
        """Let the writer go (it holds the directory's lock) once its merges are done."""
        async with self._lock:
            await asyncio.to_thread(self.writer.wait_merging_threads)


def _fields(document: LibraryDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "version": document.version,
        "item": orjson.dumps(document.item),
        "head_f": text.folded_text(document.head),
        "head_x": text.exact_text(document.head),
        "body_f": text.folded_text(document.body),
        "body_x": text.exact_text(document.body),
        **{name: values for name, values in document.facets.items() if values},
    }
