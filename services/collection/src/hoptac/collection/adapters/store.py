"""Import batches, proposals and the audit log in PostgreSQL, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import TextClause, delete, func, insert, or_, select, text, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.collection.adapters.tables import audit_log, dry_runs, import_batches, proposals
from hoptac.platform.bulk_writes import insert_rows, unnest_insert, unnest_values, update_rows


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


async def proposals_by_id(
    conn: AsyncConnection, ids: list[UUID], for_update: bool = False
) -> list[Any]:
    # In the order they were made (by id when made at once): every statement that locks
    # several proposals locks them in this order.
    query = (
        select(proposals)
        .where(proposals.c.id.in_(ids))
        .order_by(proposals.c.created_at, proposals.c.id)
    )
    if for_update:
        query = query.with_for_update()
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
    query = select(proposals).where(_in_area(provinces, communes)).limit(limit)
    if state is not None:
        query = query.where(proposals.c.state == state)
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
    once: the second statement finds it no longer a draft."""
    query = (
        update(proposals)
        .where(proposals.c.batch_id == batch_id, proposals.c.state == "draft")
        .values(state="submitted", submitted_by=submitted_by, submitted_at=submitted_at)
        .returning(proposals.c.id)
    )
    return list((await conn.execute(query.where(_in_area(provinces, communes)))).scalars())


async def set_proposal(conn: AsyncConnection, proposal_id: UUID, **values: Any) -> None:
    await conn.execute(update(proposals).where(proposals.c.id == proposal_id).values(**values))


# One array for the ids and one row back, however many proposals are locked.
_LOCK_IN_ORDER = text("""
SELECT count(*) FROM (
    SELECT id FROM proposals WHERE id = ANY(CAST(:ids AS UUID[]))
    ORDER BY created_at, id
    FOR UPDATE
) AS locked
""")


async def set_proposals(conn: AsyncConnection, changed: list[dict[str, Any]]) -> None:
    """Many proposals changed in one statement: each dict holds the `id` and the same columns
    with their new values. Their rows are locked first in the order they were made, as changing
    them one after the other locked them: two transactions changing proposals in common wait
    for each other rather than deadlock."""
    if not changed:
        return
    await conn.execute(_LOCK_IN_ORDER, {"ids": [row["id"] for row in changed]})
    await set_locked_proposals(conn, changed)


async def set_locked_proposals(conn: AsyncConnection, changed: list[dict[str, Any]]) -> None:
    """`set_proposals` for rows this transaction has locked already (read `for_update`)."""
    await update_rows(conn, proposals, "id", changed)


# What of a proposal changes after it is made; the rest (its change, row, area, author, batch)
# never does.
_CHANGEABLE = [
    proposals.c.id,
    proposals.c.state,
    proposals.c.base_version,
    proposals.c.submitted_by,
    proposals.c.submitted_at,
    proposals.c.reviewed_by,
    proposals.c.reviewed_at,
    proposals.c.comments,
    proposals.c.outcome,
]


async def changeable_of(conn: AsyncConnection, ids: list[UUID]) -> dict[UUID, Any]:
    """The columns of each proposal that change after it is made, by id: with a proposal read
    before, the proposal as it is now, without reading its change (the bulk of it) again."""
    rows = await conn.execute(select(*_CHANGEABLE).where(proposals.c.id.in_(ids)))
    return {row.id: row for row in rows}


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
