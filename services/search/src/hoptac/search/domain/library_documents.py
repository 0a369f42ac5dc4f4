"""A policy library document as the search service indexes it, from the library's events.

Its words go through the same analysis as an organisation's (`domain/text.py`): folded keys to
match with or without diacritics, exact keys to rank the same diacritics higher.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hoptac.contracts.library import DocumentEnvelope
from hoptac.search.domain import text

# What a hit shows: the public metadata, never the text or the file's bytes.
ITEM_FIELDS = (
    "id",
    "version",
    "number",
    "title",
    "type",
    "issuer",
    "signed_on",
    "in_force_from",
    "status",
    "topics",
    "kinds",
    "sectors",
    "area",
    "summary",
)
# The library's own facets: filter name → what a document holds for it.
FACETS = ("type", "status", "issuer", "topic", "year", "kind", "sector", "area")


@dataclass(frozen=True)
class LibraryDocument:
    id: str
    version: int
    item: dict[str, Any]
    head: list[str]  # number, title, issuer, summary: a match here ranks higher
    body: list[str]  # the file's text
    facets: dict[str, list[str]]

    @classmethod
    def from_event(cls, event: DocumentEnvelope) -> LibraryDocument:
        record = event.data.record.model_dump(mode="json")
        head = " ".join(
            [record["number"], record["title"], record["issuer"], record["summary"] or ""]
        )
        signed = record["signed_on"]
        return cls(
            id=record["id"],
            version=record["version"],
            item={name: record[name] for name in ITEM_FIELDS},
            head=text.analyse(head) + number_words(record["number"]),
            body=text.analyse(event.data.text),
            facets={
                "type": [record["type"]],
                "status": [record["status"]],
                "issuer": [record["issuer"]],
                "topic": list(record["topics"]),
                "year": [signed[:4]] if signed else [],
                "kind": list(record["kinds"]),
                "sector": list(record["sectors"]),
                "area": [record["area"]],
            },
        )


def newest_per_document(documents: list[LibraryDocument]) -> list[LibraryDocument]:
    """The newest version of each document in a batch: an index applies only that."""
    newest: dict[str, LibraryDocument] = {}
    for document in documents:
        if document.version > getattr(newest.get(document.id), "version", 0):
            newest[document.id] = document
    return list(newest.values())


def number_words(number: str) -> list[str]:
    """A number typed whole or in its parts: `92/2024/NĐ-CP` → 92, 2024, nđ, cp, and
    `nđcp` as one word, as people often type a symbol."""
    parts = text.words(number)
    return [*parts, "".join(parts[2:] if parts[1:2] and parts[1].isdigit() else parts[1:])]
