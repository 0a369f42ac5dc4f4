"""The library page's query: words and facet filters from the URL, checked before they are sent
on (a value the search service would refuse is dropped and said so, not passed through)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from hoptac.contracts.codes import Kind, SectorGroup
from hoptac.contracts.library import DocumentStatus, DocumentType, Topic

MAX_QUERY_CHARS = 200
MAX_VALUES = 10
# The facets shown, in order; each a filter of GET /v1/documents/search.
FACET_ORDER = ("type", "status", "topic", "issuer", "year")
_CODED: dict[str, frozenset[str]] = {
    "type": frozenset(DocumentType),
    "status": frozenset(DocumentStatus),
    "topic": frozenset(Topic),
    "kind": frozenset(Kind),
    "sector": frozenset(SectorGroup),
}
_YEAR = re.compile(r"\d{4}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _valid(name: str, value: str) -> bool:
    if name in _CODED:
        return value in _CODED[name]
    if name == "year":
        return _YEAR.fullmatch(value) is not None
    return 0 < len(value) <= 200 and not _CONTROL.search(value)  # issuer


@dataclass(frozen=True)
class LibraryForm:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    dropped: bool = False  # some value was not one the library knows

    @classmethod
    def parse(cls, items: list[tuple[str, str]]) -> LibraryForm:
        q = ""
        filters: dict[str, list[str]] = {}
        dropped = False
        for name, value in items:
            if name == "q":
                q = _CONTROL.sub(" ", value).strip()[:MAX_QUERY_CHARS]
            elif name in (*FACET_ORDER, "kind", "sector"):
                chosen = filters.setdefault(name, [])
                if _valid(name, value) and value not in chosen and len(chosen) < MAX_VALUES:
                    chosen.append(value)
                else:
                    dropped = dropped or not _valid(name, value)
        return cls(q, {k: v for k, v in filters.items() if v}, dropped)

    def params(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q)] if self.q else []
        return pairs + [(name, v) for name, values in self.filters.items() for v in values]

    def chosen(self, name: str, value: str) -> bool:
        return value in self.filters.get(name, [])

    def toggled(self, name: str, value: str) -> str:
        """The URL of this page with the value chosen, or no longer chosen."""
        values = self.filters.get(name, [])
        changed = [v for v in values if v != value] if value in values else [*values, value]
        filters = {**self.filters, name: changed}
        pairs = [("q", self.q)] if self.q else []
        pairs += [(n, v) for n, vs in filters.items() for v in vs]
        return "/library" + (f"?{urlencode(pairs)}" if pairs else "")
