"""The one port of the policy library's document index. tantivy (embedded) and OpenSearch
implement it and pass the same tests (tests/integration/test_library_documents.py)."""

from __future__ import annotations

import abc
from typing import Any

from hoptac.search.domain.library_documents import LibraryDocument

# Facets are counted over at most this many matches (tantivy reads them back one by one).
MAX_MATCHES = 10_000
# A word in the number, title, issuer or summary counts this much more than one in the text;
# the same diacritics as typed add the exact boost.
HEAD_BOOST = 4.0
EXACT_BOOST = 1.5
# The entry that holds the index's tracking (`hoptac.platform.tracking`): the library change-log
# sequence up to which it holds every event, in the document's `version`. Searches leave it out.
TRACKING_ID = "__tracking__"


class DocumentIndex(abc.ABC):
    async def prepare(self) -> None:  # noqa: B027 (optional hook: tantivy needs nothing)
        """Create what the engine needs before the first search."""

    @abc.abstractmethod
    async def apply(
        self, documents: list[LibraryDocument], contiguous_through: int | None = None
    ) -> int:
        """Index the documents newer than what the index holds, and record
        `contiguous_through` (when given and higher than the one recorded) after them, so the
        recorded sequence never runs ahead of what is indexed; returns how many changed."""

    @abc.abstractmethod
    async def contiguous_through(self) -> int:
        """The library change-log sequence recorded by `apply`; 0 for a new index."""

    @abc.abstractmethod
    async def search(
        self, q: str, filters: dict[str, list[str]], limit: int, offset: int
    ) -> dict[str, Any]:
        """{total, items, facets}: matches of every query word (in the metadata or the text),
        best first, with the count of each facet value over all matches under the other
        filters given, most frequent first."""

    @abc.abstractmethod
    async def count(self) -> int: ...

    @abc.abstractmethod
    async def close(self) -> None: ...
