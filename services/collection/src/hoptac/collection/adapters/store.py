"""Import batches, proposals and the audit log in PostgreSQL, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    TextClause,
    Uuid,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.collection.adapters.tables import (
    audit_log,
    dry_runs,
    import_batches,
    proposal_progress,
    proposals,
)
from hoptac.platform.bulk_writes import insert_rows, unnest_insert, unnest_update, unnest_values


@dataclass(frozen=True)
class StoredBatch:
    id: UUID
    filename: str
    uploaded_by: str
    uploaded_at: datetime
    rows_total: int
    rows_proposed: int
    rows_refused: int
    problems: list[dict[str, Any]]


def _batch(row: Any) -> StoredBatch:
    return StoredBatch(
        row.id,
        row.filename,
        row.uploaded_by,
        row.uploaded_at,
        row.rows_total,
        row.rows_proposed,
        row.rows_refused,
        row.problems,
    )


_BATCH_COLUMNS = [c for c in import_batches.c if c.name != "content"]


async def batch_by_checksum(conn: AsyncConnection, checksum: str) -> StoredBatch | None:
    row = (
        await conn.execute(select(*_BATCH_COLUMNS).where(import_batches.c.checksum == checksum))
    ).first()
    return _batch(row) if row else None


async def batch(conn: AsyncConnection, batch_id: UUID) -> StoredBatch | None:
    row = (
        await conn.execute(select(*_BATCH_COLUMNS).where(import_batches.c.id == batch_id))
    ).first()
    return _batch(row) if row else None


async def recent_batches(
    conn: AsyncConnection, uploaded_by: str | None, limit: int
) -> list[dict[str, Any]]:
    """The latest batches, newest first (one person's when `uploaded_by` is given), with their
    problems counted rather than read."""
    query = select(
        import_batches.c.id,
        import_batches.c.filename,
        import_batches.c.uploaded_by,
        import_batches.c.uploaded_at,
        import_batches.c.rows_total,
        import_batches.c.rows_proposed,
        import_batches.c.rows_refused,
        func.jsonb_array_length(import_batches.c.problems).label("problems"),
    )
    if uploaded_by is not None:
        query = query.where(import_batches.c.uploaded_by == uploaded_by)
    query = query.order_by(import_batches.c.uploaded_at.desc()).limit(limit)
    return [dict(row._mapping) for row in await conn.execute(query)]


async def batch_file(conn: AsyncConnection, batch_id: UUID) -> tuple[str, bytes] | None:
    row = (
        await conn.execute(
            select(import_batches.c.filename, import_batches.c.content).where(
                import_batches.c.id == batch_id
            )
        )
    ).first()
    return (row.filename, row.content) if row else None


async def add_batch(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(insert(import_batches).values(**values))


# The predicate of the unique index proposals_open_key, written out: as bound parameters it
# matches the index only while PostgreSQL plans the statement with their values, and a prepared
# statement run a sixth time gets a generic plan that finds no index ("no unique or exclusion
# constraint matching the ON CONFLICT specification").
_OPEN = text("state IN ('draft', 'submitted', 'returned', 'applying')")


async def add_proposals(conn: AsyncConnection, rows: list[dict[str, Any]]) -> int:
    """Proposals not already open under the same row key (each dict with the same columns);
    how many were added. One statement for all the rows, an array per column, built once per
    set of columns: a row's values are not compiled into the statement one by one."""
    if not rows:
        return 0
    columns = tuple(rows[0])
    added = await conn.execute(_add_open(columns), unnest_values(proposals, columns, rows))
    return len(added.all())


@cache
def _add_open(columns: tuple[str, ...]) -> TextClause:
    return text(
        f"{unnest_insert(proposals, columns).text} "
        f"ON CONFLICT (row_key) WHERE {_OPEN.text} DO NOTHING RETURNING id"
    )


# A proposal as readers see it: its step of the review (`proposal_progress`), when it has one,
# over its own columns.
STEPPED = ("state", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at")
_WITH_STEP = proposals.outerjoin(
    proposal_progress, proposal_progress.c.proposal_id == proposals.c.id
)


def _now(column: Any) -> Any:
    if column.name in STEPPED:
        return func.coalesce(proposal_progress.c[column.name], column).label(column.name)
    return column


_PROPOSAL_NOW = [_now(column) for column in proposals.c]

# Under a step of the review a proposal's own state is an open one (a step is written only for a
# draft, returned or submitted proposal, and folded in when it leaves them): said in the query,
# the index of states finds the candidates instead of every proposal being joined to its step.
_OPEN_UNDER_STEP = ("draft", "returned", "submitted")


def _in_state(state: str) -> Any:
    stored = _OPEN_UNDER_STEP if state in ("submitted", "applying") else (state,)
    now = func.coalesce(proposal_progress.c.state, proposals.c.state)
    return and_(proposals.c.state.in_(stored), now == state)


async def proposals_by_id(
    conn: AsyncConnection, ids: list[UUID], for_update: bool = False
) -> list[Any]:
    """The proposals of `ids` as they are now, in the order they were made (by id when made at
    once). `for_update`: locked first, then read by a statement of its own, so that what a
    transaction that held them committed meanwhile (its steps deleted with the proposal's
    outcome) is read too; a locking read would see the proposal's new row beside the steps of
    its snapshot."""
    if for_update:
        await _lock_in_order(conn, ids)
    # Joined from the ids given, so that each proposal's step is looked up by its key: joined
    # from the proposals, the planner reads every step of the table into a hash.
    wanted = func.unnest(cast(ids, ARRAY(Uuid))).table_valued("id").render_derived("wanted")
    query = (
        select(*_PROPOSAL_NOW)
        .select_from(wanted.join(_WITH_STEP, proposals.c.id == wanted.c.id))
        .order_by(proposals.c.created_at, proposals.c.id)
    )
    return list((await conn.execute(query)).all())


def _in_area(provinces: list[str], communes: list[str]) -> Any:
    """Proposals of these provinces or communes (none given: everywhere), as `covers` reads an
    area."""
    if not (provinces or communes):
        return true()
    return or_(proposals.c.province_code.in_(provinces), proposals.c.commune_code.in_(communes))


async def list_proposals(
    conn: AsyncConnection,
    state: str | None,
    batch_id: UUID | None,
    limit: int,
    after: UUID | None,
    provinces: list[str],
    communes: list[str],
    before: UUID | None = None,
) -> list[Any]:
    """A page of the proposals of an area, in id order after `after`, or the page that ends
    just before `before` (a previous page): the area is part of the query, so that a page is
    full whenever more of the area's proposals follow."""
    query = select(*_PROPOSAL_NOW).select_from(_WITH_STEP).where(_in_area(provinces, communes))
    query = query.limit(limit)
    if state is not None:
        query = query.where(_in_state(state))
    if batch_id is not None:
        query = query.where(proposals.c.batch_id == batch_id)
    if after is not None:
        query = query.where(proposals.c.id > after)
    if before is not None:
        backwards = query.where(proposals.c.id < before).order_by(proposals.c.id.desc())
        return list(reversed((await conn.execute(backwards)).all()))
    return list((await conn.execute(query.order_by(proposals.c.id))).all())


async def submit_drafts_of_batch(
    conn: AsyncConnection,
    batch_id: UUID,
    provinces: list[str],
    communes: list[str],
    submitted_by: str,
    submitted_at: datetime,
) -> list[UUID]:
    """Every draft of one import, within the area given (none: everywhere), submitted in one
    statement; their ids. A draft another request submits at the same moment is submitted
    once: the second statement finds its step already written."""
    drafts = select(
        proposals.c.id, literal("submitted"), literal(submitted_by), literal(submitted_at)
    ).where(
        proposals.c.batch_id == batch_id,
        proposals.c.state == "draft",
        _in_area(provinces, communes),
    )
    query = (
        pg_insert(proposal_progress)
        .from_select(["proposal_id", "state", "submitted_by", "submitted_at"], drafts)
        .on_conflict_do_nothing(index_elements=[proposal_progress.c.proposal_id])
        .returning(proposal_progress.c.proposal_id)
    )
    return list((await conn.execute(query)).scalars())


async def set_proposal(conn: AsyncConnection, proposal_id: UUID, **values: Any) -> None:
    """Columns of one proposal that its step of the review does not hold (base version,
    outcome)."""
    await conn.execute(update(proposals).where(proposals.c.id == proposal_id).values(**values))


# One array for the ids and one row back, however many proposals are locked.
_LOCK_IN_ORDER = text("""
SELECT count(*) FROM (
    SELECT id FROM proposals WHERE id = ANY(CAST(:ids AS UUID[]))
    ORDER BY created_at, id
    FOR UPDATE
) AS locked
""")


async def _lock_in_order(conn: AsyncConnection, ids: list[UUID]) -> None:
    """Proposals' rows locked in the order they were made, as every statement locking several
    locks them: two transactions changing proposals in common wait for each other rather than
    deadlock."""
    await conn.execute(_LOCK_IN_ORDER, {"ids": ids})


async def step(
    conn: AsyncConnection,
    ids: list[UUID],
    state: str,
    by: str,
    at: datetime,
    *,
    locked: bool = False,
) -> None:
    """Proposals moved on to a step of the review, `submitted` (by whom, when) or `applying`
    (reviewed by whom, when), in one statement; `locked`: their rows are locked already (read
    `for_update`, by this transaction or by one its caller holds open). Only the narrow step is
    written, which takes no lock on the proposal's own row (the steps have no foreign key): the
    row is left as it is until `settle`."""
    if not ids:
        return
    if not locked:
        await _lock_in_order(conn, ids)
    who, when = ("submitted_by", "submitted_at") if state == "submitted" else _REVIEWED
    await conn.execute(_step(who, when), {"ids": ids, "state": state, "by": by, "at": at})


_REVIEWED = ("reviewed_by", "reviewed_at")


@cache
def _step(who: str, when: str) -> TextClause:
    return text(f"""
INSERT INTO proposal_progress (proposal_id, state, {who}, {when})
SELECT id, CAST(:state AS TEXT), CAST(:by AS TEXT), CAST(:at AS TIMESTAMPTZ)
FROM unnest(CAST(:ids AS UUID[])) AS given (id)
ON CONFLICT (proposal_id) DO UPDATE
SET state = excluded.state, {who} = excluded.{who}, {when} = excluded.{when}
""")


# What of a proposal changes after it is made; the rest (its change, row, area, author, batch)
# never does.
_CHANGEABLE = (
    "id",
    "state",
    "base_version",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "comments",
    "outcome",
)


async def settle(conn: AsyncConnection, changed: list[dict[str, Any]]) -> dict[UUID, Any]:
    """Proposals' new states written into their rows and their steps of the review deleted, in
    one statement for all: each dict holds the `id`, the columns a step holds (`STEPPED`: the
    proposal's values as read with its step, changed or not) and the same other columns. The
    columns that change after a proposal is made (`_CHANGEABLE`), as written, by id. `conn`
    holds their rows locked already (read `for_update`, before their state was checked)."""
    if not changed:
        return {}
    columns = tuple(name for name in changed[0] if name != "id")
    missing = set(STEPPED) - set(columns)
    if missing:
        raise ValueError(f"a step's columns would be lost: {sorted(missing)}")
    values = unnest_values(proposals, ("id", *columns), changed)
    rows = await conn.execute(_settle(columns), values)
    return {row.id: row for row in rows}


@cache
def _settle(columns: tuple[str, ...]) -> TextClause:
    # The steps are found by key one at a time (LIMIT 1 keeps the planner from reading every step
    # of the table into a hash to join them) and deleted by their place.
    return text(f"""
WITH steps_done AS (
    DELETE FROM proposal_progress WHERE ctid = ANY(ARRAY(
        SELECT step.ctid FROM unnest(CAST(:id AS UUID[])) AS gone (id)
        CROSS JOIN LATERAL (
            SELECT ctid FROM proposal_progress WHERE proposal_id = gone.id LIMIT 1
        ) AS step
    ))
)
{unnest_update(proposals, "id", columns).text}
RETURNING {", ".join(f"proposals.{name}" for name in _CHANGEABLE)}
""")


async def remember_dry_run(
    conn: AsyncConnection, values: dict[str, Any], forget_before: datetime
) -> None:
    """Keep a dry run's answers (the latest of one file, person and language), and forget
    those made before `forget_before`, which no import may reuse any more."""
    await conn.execute(delete(dry_runs).where(dry_runs.c.made_at < forget_before))
    statement = pg_insert(dry_runs).values(**values)
    keys = [dry_runs.c.checksum, dry_runs.c.made_by, dry_runs.c.language]
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=keys,
            set_={
                "made_at": statement.excluded.made_at,
                "fingerprint": statement.excluded.fingerprint,
                "answers": statement.excluded.answers,
            },
        )
    )


async def dry_run_kept(
    conn: AsyncConnection, checksum: str, made_by: str, language: str, since: datetime
) -> bool:
    """Whether a dry run of that file by that person since `since` is kept (its answers may
    then be reused, if it checked the same rows)."""
    found = await conn.execute(
        select(dry_runs.c.checksum).where(
            dry_runs.c.checksum == checksum,
            dry_runs.c.made_by == made_by,
            dry_runs.c.language == language,
            dry_runs.c.made_at >= since,
        )
    )
    return found.first() is not None


async def dry_run_answers(
    conn: AsyncConnection,
    checksum: str,
    made_by: str,
    language: str,
    fingerprint: str,
    since: datetime,
) -> list[Any] | None:
    """The answers of the dry run of that file by that person since `since`, when it checked
    exactly the same rows (same fingerprint)."""
    row = (
        await conn.execute(
            select(dry_runs.c.answers).where(
                dry_runs.c.checksum == checksum,
                dry_runs.c.made_by == made_by,
                dry_runs.c.language == language,
                dry_runs.c.fingerprint == fingerprint,
                dry_runs.c.made_at >= since,
            )
        )
    ).first()
    return list(row.answers) if row else None


async def audit(
    conn: AsyncConnection,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any],
) -> None:
    await audit_many(conn, at, actor, action, [(subject, details)])


async def audit_many(
    conn: AsyncConnection,
    at: datetime,
    actor: str,
    action: str,
    entries: list[tuple[str, dict[str, Any]]],
) -> None:
    """One action of one person on many subjects, each with its details, in one statement."""
    rows = [
        {"at": at, "actor": actor, "action": action, "subject": subject, "details": details}
        for subject, details in entries
    ]
    await insert_rows(conn, audit_log, rows)


async def audit_of(conn: AsyncConnection, subject: str) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(audit_log).where(audit_log.c.subject == subject).order_by(audit_log.c.id)
    )
    return [
        {"at": r.at.isoformat(), "actor": r.actor, "action": r.action, "details": r.details}
        for r in rows
    ]
