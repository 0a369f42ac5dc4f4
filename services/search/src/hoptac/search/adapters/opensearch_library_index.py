"""The policy library's document index on OpenSearch: the production half of
`library_port.DocumentIndex`, beside the organisations' index (`opensearch_index.py`), with the
same analysis.

Text is analysed by `domain.text` before it is sent (folded and exact keys), as for tantivy, and
a query is the same shape: every word in the head (number, title, issuer, summary) or the body
(the file's text), a head match and the same diacritics ranking higher. Writes use external
versioning with the document's version, so OpenSearch itself refuses an older or equal one
(409: "nothing to do"). Facets count each value under the other filters: the query holds only
the words, the filters are a `post_filter` for the hits and a `filter` aggregation per facet.
"""

from __future__ import annotations

import contextlib
from typing import Any

from opensearchpy import AsyncOpenSearch, ConflictError, NotFoundError
from opensearchpy.helpers import async_bulk

from hoptac.search.adapters.library_port import (
    EXACT_BOOST,
    HEAD_BOOST,
    MAX_MATCHES,
    TRACKING_ID,
    DocumentIndex,
)
from hoptac.search.adapters.opensearch_index import ANALYSIS, KEYWORD, error_status
from hoptac.search.domain import text
from hoptac.search.domain.library_documents import FACETS, LibraryDocument, newest_per_document

FACET_SIZE = 1_000  # every value: issuers and years are the many ones, and they are hundreds
NOT_TRACKING = {"term": {"id": TRACKING_ID}}  # in `must_not`: no search sees the tracking entry
MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": KEYWORD,
        "version": {"type": "long"},
        "item": {"type": "object", "enabled": False},
        "head_f": {"type": "text", "analyzer": "vi_folded"},
        "head_x": {"type": "text", "analyzer": "vi_exact"},
        "body_f": {"type": "text", "analyzer": "vi_folded"},
        "body_x": {"type": "text", "analyzer": "vi_exact"},
        **{facet: KEYWORD for facet in FACETS},
    },
}


def source_of(document: LibraryDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "version": document.version,
        "item": document.item,
        "head_f": text.folded_text(document.head),
        "head_x": text.exact_text(document.head),
        "body_f": text.folded_text(document.body),
        "body_x": text.exact_text(document.body),
        **{name: values for name, values in document.facets.items() if values},
    }


def word_query(alternatives: list[str]) -> dict[str, Any]:
    """One query word (or an abbreviation's words), as tantivy's `LibraryIndex._word`."""
    ways: list[dict[str, Any]] = []
    for word in alternatives:
        folded, exact = text.fold(word), text.exact(word)
        for field, boost in (("head_f", HEAD_BOOST), ("body_f", 1.0)):
            ways.append({"term": {field: {"value": folded, "boost": boost}}})
        if text.has_marks(word):
            for field, boost in (("head_x", HEAD_BOOST), ("body_x", 1.0)):
                ways.append({"term": {field: {"value": exact, "boost": boost * EXACT_BOOST}}})
    return {"bool": {"should": ways, "minimum_should_match": 1}}


def search_body(q: str, filters: dict[str, list[str]], limit: int, offset: int) -> dict[str, Any]:
    words = [word_query(slot.words) for slot in text.query_slots(q) if not slot.optional]
    terms = {name: {"terms": {name: values}} for name, values in filters.items()}
    facets = {
        facet: {
            "filter": {"bool": {"filter": [t for name, t in terms.items() if name != facet]}},
            "aggs": {"values": {"terms": {"field": facet, "size": FACET_SIZE}}},
        }
        for facet in FACETS
    }
    return {
        "query": {"bool": {"must": words or [{"match_all": {}}], "must_not": [NOT_TRACKING]}},
        "post_filter": {"bool": {"filter": list(terms.values())}},
        "aggs": facets,
        "from": offset,
        "size": max(0, min(limit, MAX_MATCHES - offset)),  # as far as tantivy reads matches
        "sort": ["_score", {"id": "asc"}],
        "track_total_hits": MAX_MATCHES,
        "_source": ["item"],
    }


class OpenSearchLibraryIndex(DocumentIndex):
    def __init__(self, url: str, name: str) -> None:
        self.client = AsyncOpenSearch(hosts=[url])
        self.name = name

    async def prepare(self) -> None:
        """The index with its analysis, or, made by an older release, the fields added since."""
        if await self.client.indices.exists(index=self.name):
            await self.client.indices.put_mapping(index=self.name, body=MAPPINGS)
            return
        settings = {"analysis": ANALYSIS, "number_of_shards": 1}
        await self.client.indices.create(
            index=self.name, body={"settings": settings, "mappings": MAPPINGS}
        )

    async def drop(self) -> None:
        """Delete the index (tests)."""
        await self.client.indices.delete(index=self.name, ignore_unavailable=True)

    async def apply(
        self, documents: list[LibraryDocument], contiguous_through: int | None = None
    ) -> int:
        """The documents first, then the tracking entry, so the recorded sequence never runs
        ahead of what is indexed (a bulk request is not one transaction)."""
        applied = await self._index_documents(documents)
        if contiguous_through is not None:
            # A conflict: an equal or later sequence is recorded already.
            with contextlib.suppress(ConflictError):
                await self.client.index(
                    index=self.name,
                    id=TRACKING_ID,
                    body={"id": TRACKING_ID, "version": contiguous_through},
                    params={"version": contiguous_through, "version_type": "external"},
                )
        return applied

    async def contiguous_through(self) -> int:
        try:
            found = await self.client.get(index=self.name, id=TRACKING_ID)
        except NotFoundError:
            return 0
        return int(found["_source"]["version"])

    async def _index_documents(self, documents: list[LibraryDocument]) -> int:
        batch = [
            {
                "_op_type": "index",
                "_index": self.name,
                "_id": document.id,
                "version": document.version,
                "version_type": "external",
                "_source": source_of(document),
            }
            for document in newest_per_document(documents)
        ]
        if not batch:
            return 0
        _, errors = await async_bulk(
            self.client, batch, raise_on_error=False, refresh="wait_for", max_retries=2
        )
        failed = [e for e in errors if error_status(e) != 409]  # type: ignore[union-attr]
        if failed:
            raise RuntimeError(f"OpenSearch refused {len(failed)} documents: {failed[:3]}")
        return len(batch) - len(errors)  # type: ignore[arg-type]

    async def search(
        self, q: str, filters: dict[str, list[str]], limit: int, offset: int
    ) -> dict[str, Any]:
        answer = await self.client.search(
            index=self.name, body=search_body(q, filters, limit, offset)
        )
        return {
            "total": int(answer["hits"]["total"]["value"]),
            "items": [hit["_source"]["item"] for hit in answer["hits"]["hits"]],
            "facets": {
                facet: {
                    str(b["key"]): int(b["doc_count"])
                    for b in answer["aggregations"][facet]["values"]["buckets"]
                }
                for facet in FACETS
            },
        }

    async def count(self) -> int:
        body = {"query": {"bool": {"must_not": [NOT_TRACKING]}}}
        return int((await self.client.count(index=self.name, body=body))["count"])

    async def close(self) -> None:
        await self.client.close()
