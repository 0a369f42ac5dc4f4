"""Reading and writing documents; every write commits with its history row and its event.

Writes take one transaction-scoped lock, so outbox ids are assigned in commit order and serve as
the change log's sequence: a reader at sequence N has seen every event below N. The library
changes a few times a day, so serialising its writes costs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.contracts.library import (
    LIBRARY_SCHEMA_VERSION,
    MAX_EVENT_TEXT_CHARS,
    DocumentEventName,
    document_subject,
    parse_document_event,
)
from hoptac.library.adapters.tables import articles, document_history, documents, outbox
from hoptac.library.domain.articles import Article

WRITE_LOCK = 0x6C6962726172  # "librar"


class ContractBroken(Exception):
    """The library built an event its own contract refuses: a bug, and nothing is written."""


async def lock_writes(conn: AsyncConnection) -> None:
    await conn.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK)))


async def record_of(conn: AsyncConnection, document_id: UUID) -> dict[str, Any] | None:
    row = await conn.scalar(select(documents.c.record).where(documents.c.id == document_id))
    return dict(row) if row is not None else None


async def holder_of_number(conn: AsyncConnection, key: str) -> tuple[UUID, str] | None:
    """The document holding this number (its id, and the number as it was entered)."""
    row = (
        await conn.execute(
            select(documents.c.id, documents.c.record["number"].astext).where(
                documents.c.number_key == key
            )
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def number_by_checksum(conn: AsyncConnection, sha256: str) -> str | None:
    row = await conn.scalar(select(documents.c.record).where(documents.c.file_sha256 == sha256))
    return str(row["number"]) if row is not None else None


async def text_of(conn: AsyncConnection, document_id: UUID) -> str:
    return str(await conn.scalar(select(documents.c.text).where(documents.c.id == document_id)))


async def insert_document(conn: AsyncConnection, record: Mapping[str, Any], key: str) -> None:
    await conn.execute(
        insert(documents).values(
            id=record["id"], version=record["version"], number_key=key, record=record, text=""
        )
    )


async def update_document(
    conn: AsyncConnection,
    record: Mapping[str, Any],
    key: str,
    file: tuple[bytes, str, str] | None = None,
) -> None:
    """Store the record; with `file` (content, sha256, text) the file and its text too."""
    values: dict[str, Any] = {"version": record["version"], "number_key": key, "record": record}
    if file is not None:
        values.update(file_content=file[0], file_sha256=file[1], text=file[2])
    await conn.execute(update(documents).where(documents.c.id == record["id"]).values(**values))


def article_rows(document_id: UUID, pieces: Sequence[Article]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": document_id,
            "position": position,
            "kind": piece.kind,
            "number": piece.number,
            "anchor": piece.anchor,
            "label": piece.label,
            "heading": piece.heading,
            "part": piece.part,
            "body": piece.text,
        }
        for position, piece in enumerate(pieces)
    ]


async def replace_articles(
    conn: AsyncConnection, document_id: UUID, pieces: Sequence[Article]
) -> None:
    await conn.execute(delete(articles).where(articles.c.document_id == document_id))
    rows = article_rows(document_id, pieces)
    if rows:
        await conn.execute(insert(articles), rows)


async def articles_of(conn: AsyncConnection, document_id: UUID) -> list[dict[str, Any]]:
    """In the document's order; each with its text."""
    rows = await conn.execute(
        select(articles).where(articles.c.document_id == document_id).order_by(articles.c.position)
    )
    return [
        {
            "kind": row.kind,
            "number": row.number,
            "anchor": row.anchor,
            "label": row.label,
            "heading": row.heading,
            "part": row.part,
            "text": row.body,
        }
        for row in rows
    ]


async def anchors_of(conn: AsyncConnection, document_id: UUID) -> dict[str, dict[str, str]]:
    """Each article's anchor, with how a link names it (kind, number, label, heading)."""
    rows = await conn.execute(
        select(
            articles.c.anchor, articles.c.kind, articles.c.number, articles.c.label,
            articles.c.heading,
        ).where(articles.c.document_id == document_id)
    )  # fmt: skip
    return {row.anchor: _named(row) for row in rows}


async def cited_articles(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Every provision staff recorded, each with its document and, while the document's text
    still has it, its article."""
    records = [r for r in await all_records(conn) if r.get("provisions")]
    cited = []
    for record in records:  # a few documents: those the register's rules cite
        named = await anchors_of(conn, UUID(record["id"]))
        cited += [
            {
                "rule": provision["rule"],
                "document_id": record["id"],
                "number": record["number"],
                "article": named.get(provision["article"]),
            }
            for provision in record["provisions"]
        ]
    return cited


def _named(row: Any) -> dict[str, str]:
    return {
        "kind": row.kind,
        "number": row.number,
        "anchor": row.anchor,
        "label": row.label,
        "heading": row.heading,
    }


async def record_change(
    conn: AsyncConnection,
    event: DocumentEventName,
    record: Mapping[str, Any],
    changes: list[dict[str, Any]],
    actor: tuple[str, str],
    reason: str | None,
    text_value: str,
    now: datetime,
) -> None:
    """The history row (with the staff member's name) and the event (with their pseudonym)."""
    name, pseudonym = actor
    await conn.execute(
        insert(document_history).values(
            document_id=record["id"],
            version=record["version"],
            event_type=event.event_type,
            actor=name,
            recorded_at=now,
            changed_fields=changes,
            reason=reason,
        )
    )
    sequence = int(await conn.scalar(text("SELECT nextval('outbox_id_seq')")) or 0)
    event_id = uuid4()
    body = {
        "event_id": str(event_id),
        "event_type": event.event_type,
        "schema_version": LIBRARY_SCHEMA_VERSION,
        "recorded_at": now.isoformat(),
        "sequence": sequence,
        "document_id": str(record["id"]),
        "document_version": record["version"],
        "actor": pseudonym,
        "data": {
            "record": record,
            "changed_fields": changes,
            "text": text_value[:MAX_EVENT_TEXT_CHARS],
            "reason": reason,
        },
    }
    try:
        parse_document_event(body)
    except ValidationError as error:
        raise ContractBroken(f"{event.event_type} does not match its contract: {error}") from error
    await conn.execute(
        insert(outbox).values(
            id=sequence,
            event_id=event_id,
            subject=document_subject(event),
            body=body,
            recorded_at=now,
        )
    )


async def all_records(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = await conn.scalars(
        select(documents.c.record).order_by(documents.c.record["signed_on"].astext.desc())
    )
    return [dict(row) for row in rows]


async def file_of(conn: AsyncConnection, document_id: UUID) -> bytes | None:
    content: bytes | None = await conn.scalar(
        select(documents.c.file_content).where(documents.c.id == document_id)
    )
    return content


async def history_of(conn: AsyncConnection, document_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(document_history)
        .where(document_history.c.document_id == document_id)
        .order_by(document_history.c.version)
    )
    return [
        {
            "version": row.version,
            "event_type": row.event_type,
            "actor": row.actor,
            "recorded_at": row.recorded_at.isoformat(),
            "changed_fields": row.changed_fields,
            "reason": row.reason,
        }
        for row in rows
    ]


async def changes_after(conn: AsyncConnection, after: int, limit: int) -> list[dict[str, Any]]:
    """The change log: every event, published or not, from sequence `after` + 1."""
    rows = await conn.scalars(
        select(outbox.c.body).where(outbox.c.id > after).order_by(outbox.c.id).limit(limit)
    )
    return [dict(row) for row in rows]


def encode(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
