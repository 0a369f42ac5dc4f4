"""The production search index: OpenSearch through opensearch-py's async client.

    alias <name>  →  index <name>-<timestamp>   (one physical index per generation)

An index template gives every generation the same Vietnamese-aware analysis and mapping. Text is
analysed by `domain.text` before it is sent (folded and exact keys, abbreviations expanded), the
same as for tantivy, so both engines rank alike; the analyzers then fold (asciifolding, with đ
mapped to d) and lower-case as a safety net for anything sent by other tools.

Writes use external versioning with the organisation's version, so OpenSearch itself refuses an
older or equal version (409, counted as "nothing to do"). A removal is written as a tombstone
document at its version: a deleted document's version is forgotten after `gc_deletes`, a
tombstone's is not. The change-log position is a meta document versioned by the sequence.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from opensearchpy import AsyncOpenSearch, NotFoundError
from opensearchpy.helpers import async_bulk

from hoptac.search.adapters.port import LIVE, META, META_ID, REMOVED, IndexBuild, SearchIndex
from hoptac.search.domain import text
from hoptac.search.domain.changes import Change, Upsert, newest_per_organization
from hoptac.search.domain.documents import SearchDocument
from hoptac.search.domain.filters import FILTERS, by_name, facets
from hoptac.search.domain.query import (
    CommuneCounts,
    CursorKind,
    SearchQuery,
    SearchResult,
    Sort,
    encode_cursor,
)
from hoptac.search.domain.text import Slot

FACETS = facets()
FILTER_OF = by_name()
MAX_COMMUNES = 5_000  # more than the country's communes (3,321 since 1 July 2025)

ANALYSIS: dict[str, Any] = {
    "char_filter": {"vi_d": {"type": "mapping", "mappings": ["đ => d", "Đ => D"]}},
    "analyzer": {
        "vi_folded": {
            "type": "custom",
            "tokenizer": "whitespace",
            "char_filter": ["vi_d"],
            "filter": ["lowercase", "asciifolding"],
        },
        "vi_exact": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
    },
}
KEYWORD = {"type": "keyword"}
MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": KEYWORD,
        "state": KEYWORD,
        "version": {"type": "long"},
        "item": {"type": "object", "enabled": False},
        "name_f": {"type": "text", "analyzer": "vi_folded"},
        "name_x": {"type": "text", "analyzer": "vi_exact"},
        "other_f": {"type": "text", "analyzer": "vi_folded"},
        "other_x": {"type": "text", "analyzer": "vi_exact"},
        "shared_f": {"type": "text", "analyzer": "vi_folded"},
        "shared_k": {"type": "text", "analyzer": "vi_folded", "index_options": "docs"},
        "regno": KEYWORD,
        **{declared.field: KEYWORD for declared in FILTERS},
        "commune_now": KEYWORD,  # the current commune alone, for the map's counts
        "location": {"type": "geo_point"},
        "name_sort": KEYWORD,
        "registered": {"type": "integer"},
    },
}


def index_template(alias: str) -> dict[str, Any]:
    """What every generation behind `alias` is made with; deploy/k8s carries a copy for
    operators whose OpenSearch user may not put templates."""
    return {
        "index_patterns": [f"{alias}-*"],
        "template": {
            "settings": {"analysis": ANALYSIS, "number_of_shards": 1},
            "mappings": MAPPINGS,
        },
    }


def source_of(document: SearchDocument) -> dict[str, Any]:
    words = document.own_words()
    shared = document.shared()
    source: dict[str, Any] = {
        "id": document.id,
        "state": LIVE,
        "version": document.version,
        "item": document.item(),
        "name_f": words.name_folded,
        "name_x": words.name_exact,
        "other_f": words.own_folded,
        "other_x": words.own_exact,
        "shared_f": shared.folded,
        "shared_k": shared.keys,
        "regno": text.registration_key(document.registration_number),
        **{declared.field: declared.indexed(document) for declared in FILTERS},
        "commune_now": document.commune_code,
        "name_sort": words.sort_name,
        "registered": document.registered_on.toordinal(),
    }
    if document.lat is not None and document.lon is not None:
        source["location"] = {"lat": document.lat, "lon": document.lon}
    return source


def actions(index: str, changes: list[Change], last_sequence: int | None) -> list[dict[str, Any]]:
    out = []
    for change in newest_per_organization(changes):
        if isinstance(change, Upsert):
            source = source_of(change.document)
        else:
            source = {"id": change.organization_id, "state": REMOVED, "version": change.version}
        out.append(_versioned(index, change.organization_id, change.version, source))
    if last_sequence is not None:
        meta = {"id": META_ID, "state": META, "version": last_sequence}
        out.append(_versioned(index, META_ID, last_sequence, meta))
    return out


def _versioned(index: str, id_: str, version: int, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "_op_type": "index",
        "_index": index,
        "_id": id_,
        "version": version,
        "version_type": "external",
        "_source": source,
    }


async def write(
    client: AsyncOpenSearch, index: str, changes: list[Change], last_sequence: int | None
) -> int:
    """Bulk-write; a version conflict means "already newer" and is not an error. Anything else
    raises, and the caller tries the whole batch again (the applied part then conflicts)."""
    batch = actions(index, changes, last_sequence)
    if not batch:
        return 0
    _, errors = await async_bulk(
        client, batch, raise_on_error=False, refresh="wait_for", max_retries=2
    )
    failed = [e for e in errors if error_status(e) != 409]  # type: ignore[union-attr]
    if failed:
        raise RuntimeError(f"OpenSearch refused {len(failed)} documents: {failed[:3]}")
    written = len(batch) - len(errors)  # type: ignore[arg-type]
    meta_written = last_sequence is not None and not any(
        _id(e) == META_ID
        for e in errors  # type: ignore[union-attr]
    )
    return written - (1 if meta_written else 0)


def error_status(error: dict[str, Any]) -> int:
    """The HTTP status of one failed item of a bulk request."""
    return int(next(iter(error.values())).get("status", 0))


def _id(error: dict[str, Any]) -> str:
    return str(next(iter(error.values())).get("_id"))


TIER = 100.0  # relaxed: each word an organisation holds, above any sum of the other boosts
BOOST_PLACE_PHRASE = 5.0


class Queries:
    """The same query shape as tantivy's QueryBuilder, in the OpenSearch DSL."""

    @staticmethod
    def word(token: str, prefix: bool, places: list[str] | None = None) -> dict[str, Any]:
        """The word in the name, the organisation's other words, or a shared name (a unit's,
        a business line's) with its neighbour in the query (`places`: `text.neighbour_keys`)."""
        folded = text.fold(token)
        ways: list[dict[str, Any]] = [
            {"term": {"name_f": {"value": folded, "boost": 3.0}}},
            {"term": {"other_f": {"value": folded, "boost": 1.0}}},
            *({"term": {"shared_k": {"value": key, "boost": 1.0}}} for key in places or ()),
        ]
        if text.has_marks(token):
            exact = text.exact(token)
            ways += [
                {"term": {"name_x": {"value": exact, "boost": 2.0}}},
                {"term": {"other_x": {"value": exact, "boost": 0.6}}},
            ]
        if len(folded) >= 4 and not folded.isdigit():
            for field in ("name_f", "other_f"):
                fuzzy = {"value": folded, "fuzziness": "AUTO", "prefix_length": 1, "boost": 0.4}
                ways.append({"fuzzy": {field: fuzzy}})
        if prefix:
            ways.append({"prefix": {"name_f": {"value": folded, "boost": 0.6}}})
            ways.append({"prefix": {"other_f": {"value": folded, "boost": 0.3}}})
        return {"bool": {"should": ways, "minimum_should_match": 1}}

    def slot(self, slot: Slot, prefix: bool, places: list[str]) -> dict[str, Any]:
        """One word, or an abbreviation with several meanings: any of them, all its words."""
        if slot.single is not None:
            return self.word(slot.single, prefix, places)
        return {
            "bool": {
                "should": [
                    {
                        "bool": {
                            "must": [
                                self.word(w, prefix and n == len(alternative) - 1)
                                for n, w in enumerate(alternative)
                            ]
                        }
                    }
                    for alternative in slot.alternatives
                ],
                "minimum_should_match": 1,
            }
        }

    def text(self, q: str, as_you_type: bool, relaxed: bool = False) -> dict[str, Any] | None:
        """Every word required (`relaxed`: any, each one held counting TIER), a unit type
        before a place's name optional, the words as a phrase in the name and a unit type with
        the name after it as a phrase in the units' names ranking higher."""
        slots = text.query_slots(q)
        words: dict[str, Any] | None = None
        if slots:
            required: list[dict[str, Any]] = []
            ranking: list[dict[str, Any]] = []
            for position, slot in enumerate(slots):
                last = as_you_type and position == len(slots) - 1
                places = text.neighbour_keys(slots, position)
                if slot.optional:
                    ranking.append({"term": {"other_f": text.fold(slot.words[0])}})
                elif relaxed:
                    need = self.slot(slot, last, places)
                    ranking += [{"constant_score": {"filter": need, "boost": TIER}}, need]
                else:
                    required.append(self.slot(slot, last, places))
            phrase = " ".join(text.fold(w) for s in slots for w in s.alternatives[0])
            kind = "match_phrase_prefix" if as_you_type else "match_phrase"
            boost = 5.0 if as_you_type else 2.0
            ranking.append({kind: {"name_f": {"query": phrase, "slop": 1, "boost": boost}}})
            ranking += self.places(slots)
            body: dict[str, Any] = {"must": required, "should": ranking}
            if not required:
                body["minimum_should_match"] = 1
            words = {"bool": body}
        if not text.looks_like_registration_number(q):
            return words
        key = text.registration_key(q)
        number: list[dict[str, Any]] = [
            {"term": {"regno": {"value": key, "boost": 1000.0}}},
            {"prefix": {"regno": {"value": key, "boost": 50.0}}},
        ]
        return {"bool": {"should": number + ([words] if words else []), "minimum_should_match": 1}}

    @staticmethod
    def places(slots: list[Slot]) -> list[dict[str, Any]]:
        """A unit type and the name after it, as a phrase in the units' names."""
        return [
            {"match_phrase": {"shared_f": {"query": " ".join(place), "boost": BOOST_PLACE_PHRASE}}}
            for place in text.place_phrases(slots)
        ]

    @staticmethod
    def filters(query: SearchQuery) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"term": {"state": LIVE}}]
        for name, values in query.filters.items():
            declared = FILTER_OF[name]
            field = declared.field
            if declared.all_of:
                out.extend({"term": {field: v}} for v in values)
            else:
                out.append({"terms": {field: list(values)}})
        if query.bbox is not None:
            box = query.bbox
            corners = {
                "top_left": {"lat": box.max_lat, "lon": box.min_lon},
                "bottom_right": {"lat": box.min_lat, "lon": box.max_lon},
            }
            out.append({"geo_bounding_box": {"location": corners}})
        return out


SORTS: dict[Sort, list[Any]] = {
    Sort.RELEVANCE: ["_score", {"name_sort": "asc"}, {"id": "asc"}],
    Sort.NAME: [{"name_sort": "asc"}, {"id": "asc"}],
    Sort.REGISTERED_ON: [{"registered": "asc"}, {"id": "asc"}],
    Sort.REGISTERED_ON_DESC: [{"registered": "desc"}, {"id": "asc"}],
}


class OpenSearchBuild(IndexBuild):
    def __init__(self, client: AsyncOpenSearch, name: str) -> None:
        self.client = client
        self.name = name

    async def apply(self, changes: list[Change], last_sequence: int | None = None) -> int:
        return await write(self.client, self.name, changes, last_sequence)

    async def finish(self) -> None:
        await self.client.indices.refresh(index=self.name)

    async def discard(self) -> None:
        await self.client.indices.delete(index=self.name, ignore_unavailable=True)


class OpenSearchIndex(SearchIndex):
    cursor_kind = CursorKind.SEARCH_AFTER

    def __init__(self, url: str, alias: str) -> None:
        self.client = AsyncOpenSearch(hosts=[url])
        self.alias = alias
        self.queries = Queries()
        self._generation: str | None = None

    # --- set-up ----------------------------------------------------------------------------

    async def ensure(self) -> None:
        """The index template, and a first generation behind the alias if there is none."""
        await self.client.indices.put_index_template(
            name=f"{self.alias}-template", body=index_template(self.alias)
        )
        if not await self.client.indices.exists_alias(name=self.alias):
            name = self._new_name()
            await self.client.indices.create(
                index=name, body={"aliases": {self.alias: {"is_write_index": True}}}
            )
        else:
            # A generation made by an older release lacks the fields added since, and its strict
            # mapping would refuse every write that carries them: add them (OpenSearch accepts
            # new fields on a live index). Its documents gain them at the next reindex.
            await self.client.indices.put_mapping(index=self.alias, body=MAPPINGS)
        self._generation = await self._resolve()

    async def prepare(self) -> None:
        await self.ensure()

    async def drop(self) -> None:
        """Delete every generation and the template (tests)."""
        await self.client.indices.delete(index=f"{self.alias}-*", ignore_unavailable=True)
        await self.client.indices.delete_index_template(name=f"{self.alias}-template", ignore=[404])

    # --- the port --------------------------------------------------------------------------

    async def apply(self, changes: list[Change], last_sequence: int | None = None) -> int:
        return await write(self.client, self.alias, changes, last_sequence)

    async def search(self, query: SearchQuery) -> SearchResult:
        words = self.queries.text(query.q, as_you_type=False)
        answer = await self.client.search(index=self.alias, body=self._body(query, words))
        if not answer["hits"]["total"]["value"] and words is not None and query.relaxable:
            # Nothing holds every word: the organisations holding the most of them, first.
            relaxed = self.queries.text(query.q, as_you_type=False, relaxed=True)
            answer = await self.client.search(index=self.alias, body=self._body(query, relaxed))
        hits = answer["hits"]["hits"]
        total = int(answer["hits"]["total"]["value"])
        items = [hit["_source"]["item"] for hit in hits]
        cursor = None
        if len(hits) == query.limit:
            cursor = encode_cursor(query, {"a": hits[-1]["sort"]})
        facets = {
            facet.name: {
                str(b["key"]): int(b["doc_count"])
                for b in answer["aggregations"][facet.name]["buckets"]
            }
            for facet in (FACETS if query.facets else ())
        }
        return SearchResult(total, items, facets, cursor)

    def _body(self, query: SearchQuery, words: dict[str, Any] | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "query": {
                "bool": {"must": [words] if words else [], "filter": self.queries.filters(query)}
            },
            "size": query.limit,
            "sort": SORTS[query.sort],
            "track_total_hits": True,
            "_source": ["item"],
        }
        if query.cursor:
            body["search_after"] = query.cursor["a"]
        if query.facets:
            body["aggs"] = {
                facet.name: {"terms": {"field": facet.field, "size": facet.facet_size}}
                for facet in FACETS
            }
        return body

    async def suggest(self, q: str, limit: int) -> list[dict[str, Any]]:
        words = self.queries.text(q, as_you_type=True)
        if words is None:
            return []
        body = {
            "query": {"bool": {"must": [words], "filter": [{"term": {"state": LIVE}}]}},
            "size": limit,
            "_source": ["item"],
        }
        answer = await self.client.search(index=self.alias, body=body)
        keys = ("id", "name", "kind", "status", "province_code")
        return [{k: h["_source"]["item"][k] for k in keys} for h in answer["hits"]["hits"]]

    async def communes(self, query: SearchQuery) -> CommuneCounts:
        words = self.queries.text(query.q, as_you_type=False)
        body = {
            "query": {
                "bool": {"must": [words] if words else [], "filter": self.queries.filters(query)}
            },
            "size": 0,
            "track_total_hits": True,
            "aggs": {"communes": {"terms": {"field": "commune_now", "size": MAX_COMMUNES}}},
        }
        answer = await self.client.search(index=self.alias, body=body)
        buckets = answer["aggregations"]["communes"]["buckets"]
        return CommuneCounts(
            int(answer["hits"]["total"]["value"]),
            {str(b["key"]): int(b["doc_count"]) for b in buckets},
        )

    async def version_of(self, organization_id: str) -> int | None:
        try:
            found = await self.client.get(index=self.alias, id=organization_id)
        except NotFoundError:
            return None
        return int(found["_source"]["version"])

    async def count(self) -> int:
        answer = await self.client.count(
            index=self.alias, body={"query": {"term": {"state": LIVE}}}
        )
        return int(answer["count"])

    async def last_sequence(self) -> int:
        return await self.version_of(META_ID) or 0

    async def generation(self) -> str:
        return self._generation or await self._resolve()

    async def start_build(self) -> OpenSearchBuild:
        name = self._new_name()
        await self.client.indices.create(index=name)
        return OpenSearchBuild(self.client, name)

    async def switch_to(self, build: IndexBuild) -> None:
        """One `_aliases` call: searches see the old index or the new one, never neither."""
        old = await self._resolve()
        await self.client.indices.update_aliases(
            body={
                "actions": [
                    {"remove": {"index": old, "alias": self.alias}},
                    {"add": {"index": build.name, "alias": self.alias, "is_write_index": True}},
                ]
            }
        )
        self._generation = build.name
        await self._remove_old_generations(keep={old, build.name})

    async def follow_switch(self) -> bool:
        current = await self._resolve()
        changed = self._generation is not None and current != self._generation
        self._generation = current
        return changed

    async def ready(self) -> None:
        if not await self.client.indices.exists_alias(name=self.alias):
            raise RuntimeError(f"OpenSearch has no alias {self.alias}")

    async def close(self) -> None:
        await self.client.close()

    # --- helpers ---------------------------------------------------------------------------

    async def _resolve(self) -> str:
        answer = await self.client.indices.get_alias(name=self.alias)
        return str(next(iter(answer)))

    def _new_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dt%H%M%S%f")
        return f"{self.alias}-{stamp}"

    async def _remove_old_generations(self, keep: set[str]) -> None:
        pattern = re.compile(rf"^{re.escape(self.alias)}-\d{{8}}t\d+$")
        indices = await self.client.indices.get(index=f"{self.alias}-*")
        for name in indices:
            if pattern.match(name) and name not in keep:
                await self.client.indices.delete(index=name, ignore_unavailable=True)
