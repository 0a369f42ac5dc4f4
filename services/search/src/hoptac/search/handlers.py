"""What the service does with an event, a page of the change log, a search."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from hoptac.contracts.plain import event_values
from hoptac.platform.consumer import Message, Poison
from hoptac.platform.tracking import Tracking
from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.port import IndexBuild, SearchIndex
from hoptac.search.domain.changes import Change, Remove, Upsert
from hoptac.search.domain.documents import document_from_record

log = logging.getLogger("hoptac.search")

REMOVED = "organization.removed"


def change_of(event: dict[str, Any]) -> Change:
    """The change an event (its values, `event_values`) asks for."""
    version: int = event["organization_version"]
    if event["event_type"] == REMOVED:
        return Remove(str(event["organization_id"]), version)
    # Python values, not JSON ones: `document_from_record` takes both, and these cost less.
    record: dict[str, Any] = event["data"]["record"]
    record["version"] = version  # the envelope's version is the one ordering applies to
    return Upsert(document_from_record(record, official_areas()))


def decode(raw: bytes) -> tuple[Change, int]:
    """The change an event body asks for and its change-log sequence; Poison if unreadable."""
    try:
        event = event_values(raw, changed_values=False)  # search reads the record alone
    except ValidationError as error:
        raise Poison(f"not an organisation event: {error.errors()[0]['msg']}") from error
    except ValueError as error:
        raise Poison(f"not an organisation event: {error}") from error
    return change_of(event), event["sequence"]


def decode_all(bodies: Iterable[bytes]) -> tuple[list[Change], int | None]:
    changes = []
    last: int | None = None
    for body in bodies:
        change, sequence = decode(body)
        changes.append(change)
        last = sequence if last is None else max(last, sequence)
    return changes, last


class Projection:
    """Keeps the index equal to the register: from the stream, and from the change log.

    The index records the sequence up to which it holds every event (`Tracking`), so that an
    event missing from the stream (dead-lettered, say) leaves a gap that the change log fills,
    now or after a restart, instead of being passed over for good."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.tracking: Tracking | None = None  # read from the index when first needed
        self.gap_seen = asyncio.Event()
        self._applying = asyncio.Lock()  # the consumer and the catch-up both apply

    async def handle(self, messages: list[Message]) -> None:
        """One batch from the stream, all or nothing; older versions change nothing."""
        decoded = [decode(message.data) for message in messages]
        await self._apply([change for change, _ in decoded], [seq for _, seq in decoded])

    async def catch_up(self, pages: AsyncIterator[list[dict[str, Any]]]) -> int:
        """Apply change-log pages (at start, to fill a gap, after a generation switch)."""
        applied = 0
        async for page in pages:
            changes, sequences, _ = decode_page(page)
            applied += await self._apply(changes, sequences)
        return applied

    def forget_tracking(self) -> None:
        """After a switch to another generation: its own position is read again."""
        self.tracking = None

    async def _apply(self, changes: list[Change], sequences: list[int]) -> int:
        async with self._applying:
            before = self.tracking or Tracking(await self.index.last_sequence())
            after = before.with_applied(sequences)
            through = after.contiguous_through
            done = await self.index.apply(
                changes, through if through > before.contiguous_through else None
            )
            self.tracking = after
        if after.gap is not None:
            self.gap_seen.set()
        return done


def decode_page(page: list[dict[str, Any]]) -> tuple[list[Change], list[int], int]:
    """The changes of a change-log page, their sequences, and how many could not be read
    (logged: the change log is the registry's own record, so one bad row must not stop a
    rebuild)."""
    changes: list[Change] = []
    sequences: list[int] = []
    skipped = 0
    for raw in page:
        try:
            change, sequence = decode(orjson.dumps(raw))
        except Poison as error:
            skipped += 1
            log.error("change-log sequence %s skipped: %s", raw.get("sequence"), error)
            continue
        changes.append(change)
        sequences.append(sequence)
    return changes, sequences, skipped


async def apply_pages(
    target: IndexBuild,
    pages: AsyncIterator[list[dict[str, Any]]],
    progress: Callable[[PageApplied], None] | None = None,
) -> int:
    """Apply change-log pages in order to a new generation being built."""
    applied = 0
    async for page in pages:
        changes, sequences, skipped = decode_page(page)
        last = max(sequences, default=None)
        done = await target.apply(changes, last)
        applied += done
        if progress is not None:
            progress(PageApplied(len(page), done, skipped, last))
    return applied


@dataclass(frozen=True)
class PageApplied:
    events: int
    applied: int
    skipped: int
    last_sequence: int | None
