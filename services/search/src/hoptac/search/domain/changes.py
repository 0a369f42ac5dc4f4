"""What an event does to the index, and which of several changes to one organisation wins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hoptac.search.domain.documents import SearchDocument


@dataclass(frozen=True)
class Upsert:
    """Index this version of the organisation (registered, updated, status changed, merged)."""

    document: SearchDocument

    @property
    def organization_id(self) -> str:
        return self.document.id

    @property
    def version(self) -> int:
        return self.document.version


@dataclass(frozen=True)
class Remove:
    """The record was entered by mistake: drop it, and remember the version (a tombstone) so an
    older event delivered late cannot bring it back."""

    organization_id: str
    version: int


Change = Upsert | Remove


def newest_per_organization(changes: Iterable[Change]) -> list[Change]:
    """One change per organisation: the one with the highest version (the first on a tie)."""
    best: dict[str, Change] = {}
    for change in changes:
        held = best.get(change.organization_id)
        if held is None or change.version > held.version:
            best[change.organization_id] = change
    return list(best.values())


def applies(change: Change, held_version: int | None) -> bool:
    """Only a version newer than the one held (a live document or a tombstone) changes anything."""
    return held_version is None or change.version > held_version
