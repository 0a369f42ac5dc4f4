"""Keeps each record's data-quality scores stored and current: every organisation event of the
registry (from the stream, or from its change log when catching up) updates the record kept
here and scores it, with those of its neighbours whose uniqueness the change moved (a new name
can make a neighbour a probable duplicate; a name changed, a record moved or removed can end
one); once a day the records scored before today are scored again, since freshness moves with
the date.

The change-log sequences applied are recorded with their effect (`hoptac.platform.tracking`):
an event missing below one applied (dead-lettered, say) is a gap the change log fills, now or
after a restart, instead of being passed over for good."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.collection.adapters import quality_store as store
from hoptac.collection.domain.campaigns import vietnam_day
from hoptac.collection.domain.quality import quality
from hoptac.collection.domain.uniqueness import Commune, duplicated
from hoptac.collection.handlers import Clock
from hoptac.contracts.plain import event_values
from hoptac.platform.consumer import Message, Poison
from hoptac.platform.tracking import Tracking

log = logging.getLogger("hoptac.collection.scores")

REMOVED = "organization.removed"
STALE_PER_ROUND = 5_000  # records looked at per transaction when the date moved


UNIQUE = 100.0  # a stored uniqueness: no probable duplicate in the commune


@dataclass(frozen=True, slots=True)
class Change:
    """What the scores read of an organisation event."""

    sequence: int
    organization_id: UUID
    organization_version: int
    event_type: str
    recorded_at: datetime
    record: Mapping[str, Any]  # the public record after the change, as the contract reads it


def decode(raw: bytes | Mapping[str, Any]) -> Change:
    """An event checked by the contract's rules (`hoptac.contracts.plain`: its values without
    building its models, a third of the work); anything else is poison."""
    try:
        values = event_values(raw, changed_values=False)
    except ValidationError as error:
        raise Poison(f"not an organisation event: {error.errors()[0]['msg']}") from error
    except ValueError as error:
        raise Poison(f"not an organisation event: {error}") from error
    return Change(
        values["sequence"],
        values["organization_id"],
        values["organization_version"],
        values["event_type"],
        values["recorded_at"],
        values["data"]["record"],
    )


class Scores:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.tracking: Tracking | None = None  # as this process last read or wrote it
        self.gap_seen = asyncio.Event()  # set when a sequence below one applied is missing

    async def handle_messages(self, messages: list[Message]) -> None:
        """The consumer's handler: a batch in one transaction, or nothing."""
        await self.apply([decode(message.data) for message in messages])

    async def apply(self, events: Sequence[Change], rescore: bool = True) -> int:
        """Keep what these events show, and score the records they changed with the neighbours
        whose uniqueness moved (or, when `rescore` is false, mark the communes they touched to
        be scored by rescore_stale); returns how many events were newer than what was kept."""
        if not events:
            return 0
        async with self.engine.begin() as conn:
            recorded = await store.tracking(conn, for_update=True)
            tracking = recorded.with_applied(event.sequence for event in events)
            await store.record_tracking(conn, tracking)
            before = await store.held(conn, {event.organization_id for event in events})
            newer = {
                (event.organization_id, event.organization_version): event
                for event in events
                if event.organization_version > before.get(event.organization_id, (0, None))[0]
            }
            latest: dict[UUID, Change] = {}
            for event in newer.values():
                held = latest.get(event.organization_id)
                if held is None or event.organization_version > held.organization_version:
                    latest[event.organization_id] = event
            kept = [_kept(event) for event in latest.values()]
            communes = {before[k.organization_id][1] for k in kept if k.organization_id in before}
            communes |= {k.record["address"].get("commune_code") for k in kept}
            touched = sorted(c for c in communes if c)
            if rescore:
                scores, neighbours = await self._score_changes(conn, kept, touched)
                await store.keep(conn, kept, scores)
                await store.save_scores(conn, neighbours)
            else:
                await store.keep(conn, kept)
                await store.unscore(conn, touched)
            changed = [
                (event.organization_id, event.recorded_at)
                for event in events
                if event.event_type != REMOVED
            ]
            await store.note_changes(conn, [(org, vietnam_day(at)) for org, at in changed])
            await store.clear_lapsed(conn, changed)
        self._tracked(tracking)
        return len(newer)

    async def catch_up(self, pages: AsyncIterator[list[dict[str, Any]]]) -> int:
        """Apply pages of the registry's change log, then score what they touched once (a page
        at a time, a commune would be scored again for every page). An entry that cannot be
        read is logged and skipped: the change log is the registry's own record, one bad row
        must not stop the rest."""
        applied = 0
        async for page in pages:
            events = []
            for raw in page:
                try:
                    events.append(decode(raw))
                except Poison as error:
                    log.error("change-log sequence %s skipped: %s", raw.get("sequence"), error)
            applied += await self.apply(events, rescore=False)
        await self.rescore_stale()
        return applied

    async def read_tracking(self) -> Tracking:
        """The sequences applied, by this process or another on the same database."""
        async with self.engine.connect() as conn:
            tracking = await store.tracking(conn)
        self._tracked(tracking)
        return tracking

    def _tracked(self, tracking: Tracking) -> None:
        self.tracking = tracking
        if tracking.gap is not None:
            self.gap_seen.set()

    async def rescore_stale(self) -> int:
        """Score again every record last scored before today, or marked to be; returns how
        many."""
        today = vietnam_day(self.clock())
        done = 0
        while True:
            async with self.engine.begin() as conn:
                communes, loose = await store.stale(conn, today, STALE_PER_ROUND)
                if not communes and not loose:
                    return done
                done += await self._rescore(conn, communes, loose)

    async def _score_changes(
        self, conn: AsyncConnection, kept: Sequence[store.Kept], communes: Sequence[str]
    ) -> tuple[dict[UUID, dict[str, Any]], list[dict[str, Any]]]:
        """The scores of the records about to be kept (by id; each is written once, with its
        scores), and of the neighbours in these communes whose uniqueness they move (to write):
        one a changed record is now alike (it had no probable duplicate), one that had a
        probable duplicate and has none left, one not scored yet. A record's other dimensions
        depend on it alone and on the date, so a neighbour's move only with its own changes or
        with the day (rescore_stale); comparing the commune's names, instead of reading and
        scoring every neighbour again, keeps an import's burst to a name comparison per
        neighbour."""
        today = vietnam_day(self.clock())
        leaving = {str(k.organization_id) for k in kept}  # as kept until now: replaced
        changed = {str(k.organization_id): k.record for k in kept if not k.removed}
        arriving: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record_id, record in changed.items():
            if code := record["address"].get("commune_code"):
                arriving[code].append({"id": record_id, "name": record["name"]})
        stored = {found.commune_code: found for found in await store.neighbours_in(conn, communes)}
        known: dict[str, Commune] = {}
        twins: dict[str, dict[str, Any]] = {}
        again: set[str] = set()
        for code in stored.keys() | arriving.keys():
            found = stored.get(code)  # None: the commune's first records arrive
            columns = (found.ids, found.names, found.unique, found.scored) if found else ()
            staying = [
                {"id": record_id, "name": name, "unique": unique, "scored": scored}
                for record_id, name, unique, scored in zip(*columns, strict=True)
                if record_id not in leaving
            ]
            known[code] = commune = Commune(staying + arriving[code])
            for record in arriving[code]:
                near = commune.near(record)
                if near:
                    twins[record["id"]] = near[0]
                again.update(o["id"] for o in near if o["id"] not in changed and o["unique"])
            for record in staying:
                if not record["scored"] or (not record["unique"] and not commune.near(record)):
                    again.add(record["id"])
        scores = {
            UUID(record_id): _scored(record, twins.get(record_id), today)
            for record_id, record in changed.items()
        }
        moved = []
        for held in await store.records_in(conn, [], sorted(UUID(i) for i in again)):
            near = known[held.record["address"]["commune_code"]].near(held.record)
            if found_scores := _if_moved(held, near[0] if near else None, today):
                moved.append(found_scores)
        moved.sort(key=lambda row: row["id"])  # rows locked in one order by every writer
        return scores, moved

    async def _rescore(
        self, conn: AsyncConnection, communes: Iterable[str], loose: Sequence[UUID]
    ) -> int:
        """Score these records again; only those whose scores moved are written (most score
        as they did). Returns how many were scored."""
        today = vietnam_day(self.clock())
        held = await store.records_in(conn, sorted(communes), loose)
        neighbours: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for kept in held:
            if commune := kept.record["address"].get("commune_code"):
                neighbours[commune].append(kept.record)
        twins: dict[str, dict[str, Any]] = {}
        for commune_records in neighbours.values():
            twins.update(duplicated(commune_records))
        moved: list[dict[str, Any]] = []
        for kept in held:
            # The commune was compared at once (duplicated()); quality() is given the one
            # neighbour it needs to find the record duplicated, or none.
            if scores := _if_moved(kept, twins.get(kept.record["id"]), today):
                moved.append(scores)
        moved.sort(key=lambda row: row["id"])  # rows locked in one order by every writer
        await store.save_scores(conn, moved)
        return len(held)


def _scored(record: dict[str, Any], twin: dict[str, Any] | None, today: date) -> dict[str, Any]:
    """A record's scores as stored (percentages to a tenth), with its id; `twin` one probable
    duplicate in its commune, if it has one (all quality() needs of its neighbours)."""
    found = quality(record, [twin] if twin else [], today)
    return {
        "id": UUID(record["id"]),
        **{name: round(100 * value, 1) for name, value in found.dimensions.items()},
        "score": round(found.score, 1),
        "band": found.band,
        "scored_on": today,
    }


def _if_moved(held: store.Held, twin: dict[str, Any] | None, today: date) -> dict[str, Any] | None:
    """A stored record's scores (as `_scored`), when they differ from those stored for it."""
    scores = _scored(held.record, twin, today)
    moved = any(scores[name] != held.scores[name] for name in store.SCORE_COLUMNS)
    return scores if moved else None


def _kept(event: Change) -> store.Kept:
    """The record as stored and scored: its JSON values (dates and ids as text), with the
    envelope's version, which orders the changes."""
    text = orjson.dumps(
        {**event.record, "version": event.organization_version}, option=orjson.OPT_UTC_Z
    )
    return store.Kept(
        event.organization_id,
        event.organization_version,
        event.event_type == REMOVED,
        orjson.loads(text),
        text.decode(),
    )
