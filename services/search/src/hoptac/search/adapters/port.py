"""The one search-index port. tantivy (embedded) and OpenSearch implement it and pass the same
contract suite (tests/contract)."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

import orjson

from hoptac.search.domain.changes import Change
from hoptac.search.domain.query import CommuneCounts, CursorKind, SearchQuery, SearchResult

# What a stored document is: a live organisation, a removal's tombstone, or the index's own state.
LIVE, REMOVED, META = "live", "removed", "meta"
META_ID = "__meta__"


def answer_body(
    total: int, items: Sequence[object], facets: dict[str, dict[str, int]], cursor: str | None
) -> bytes:
    """The JSON body of GET /v1/search; `items` may hold `orjson.Fragment`s (stored JSON)."""
    return orjson.dumps({"total": total, "items": items, "facets": facets, "next_cursor": cursor})


class IndexBuild(abc.ABC):
    """A new generation of the index being filled by a rebuild; searches do not see it until
    `SearchIndex.switch_to` makes it current."""

    name: str

    @abc.abstractmethod
    async def apply(self, changes: list[Change], last_sequence: int | None = None) -> int: ...

    @abc.abstractmethod
    async def finish(self) -> None:
        """Flush everything written; the build can then be switched to."""

    @abc.abstractmethod
    async def discard(self) -> None: ...


class SearchIndex(abc.ABC):
    cursor_kind: CursorKind  # what its cursors hold; a cursor of the other kind is refused

    async def prepare(self) -> None:  # noqa: B027 (optional hook: most engines need nothing)
        """Create what the engine needs before the first search (templates, aliases)."""

    @abc.abstractmethod
    async def apply(self, changes: list[Change], last_sequence: int | None = None) -> int:
        """Apply the changes that are newer than what the index holds, all or none, and record
        `last_sequence` (the change-log position) with them. Returns how many changed anything."""

    @abc.abstractmethod
    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def search_answer(self, query: SearchQuery) -> bytes:
        """The search's answer as GET /v1/search sends it. An engine that stores each hit's JSON
        may splice it in rather than decode it into a dict and encode it again."""
        result = await self.search(query)
        return answer_body(result.total, result.items, result.facets, result.next_cursor)

    @abc.abstractmethod
    async def suggest(self, q: str, limit: int) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    async def communes(self, query: SearchQuery) -> CommuneCounts:
        """The query's matches (every word held, every filter) by current commune: the map."""

    @abc.abstractmethod
    async def version_of(self, organization_id: str) -> int | None:
        """The version held for an organisation, live or removed (tombstone); None if unknown."""

    @abc.abstractmethod
    async def count(self) -> int:
        """Live documents."""

    @abc.abstractmethod
    async def last_sequence(self) -> int:
        """The highest change-log sequence applied (0 for an empty index)."""

    @abc.abstractmethod
    async def generation(self) -> str:
        """The name of the generation searches are answered from."""

    @abc.abstractmethod
    async def start_build(self) -> IndexBuild: ...

    @abc.abstractmethod
    async def switch_to(self, build: IndexBuild) -> None:
        """Make a finished build current, atomically for searches."""

    @abc.abstractmethod
    async def follow_switch(self) -> bool:
        """Pick up a generation another process switched to; True if it changed."""

    @abc.abstractmethod
    async def ready(self) -> None:
        """Raise when searches cannot be answered."""

    @abc.abstractmethod
    async def close(self) -> None: ...
