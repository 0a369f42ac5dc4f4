"""What the library does: add, correct and attach a file to documents, record which of their
articles the register's rules rest on, and read them back.

Every change follows one template (`_change`): under the write lock, check, store the record,
and record its history row and event in the same transaction, so that no change is silent and
nothing is half stored.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.contracts.library import DocumentEventName
from hoptac.library.adapters import repository
from hoptac.library.adapters.extraction import extract
from hoptac.library.adapters.register_rules import RegisterRules
from hoptac.library.domain.access import pseudonym, require_editor
from hoptac.library.domain.articles import split
from hoptac.library.domain.document import changed_fields, checked
from hoptac.library.domain.errors import Duplicate, NotFound, StaleVersion
from hoptac.library.domain.files import Limits, sniff
from hoptac.library.domain.numbers import number_key
from hoptac.library.domain.provisions import checked_provisions
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text

Store = Callable[[AsyncConnection, dict[str, Any]], Awaitable[str]]


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


class Library:
    def __init__(
        self,
        engine: AsyncEngine,
        limits: Limits,
        rules: RegisterRules,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.limits = limits
        self.rules = rules
        self.on_commit = on_commit  # wakes the relay

    async def add(
        self, caller: Caller, metadata: Mapping[str, Any], reason: str | None = None
    ) -> dict[str, Any]:
        require_editor(caller.role)
        fields = checked(metadata)

        async def store(conn: AsyncConnection, record: dict[str, Any]) -> str:
            await repository.insert_document(conn, record, number_key(record["number"]))
            return ""

        record = {**fields, "id": str(uuid4()), "version": 1, "file": None}
        return await self._change(caller, DocumentEventName.ADDED, {}, record, store, reason)

    async def correct(
        self,
        caller: Caller,
        document_id: UUID,
        expected_version: int,
        changes: Mapping[str, Any],
        reason: str | None = None,
    ) -> dict[str, Any]:
        require_editor(caller.role)
        async with self.engine.connect() as conn:
            before = await self._existing(conn, document_id)
        if before["version"] != expected_version:
            raise StaleVersion(Text("library.stale_version", version=before["version"]))
        fields = checked({**before, **changes})
        record = {**before, **fields, "version": before["version"] + 1}

        async def store(conn: AsyncConnection, record: dict[str, Any]) -> str:
            await repository.update_document(conn, record, number_key(record["number"]))
            return await repository.text_of(conn, document_id)

        return await self._change(
            caller, DocumentEventName.CORRECTED, before, record, store, reason
        )

    async def attach_file(
        self, caller: Caller, document_id: UUID, upload: Upload
    ) -> dict[str, Any]:
        require_editor(caller.role)
        media_type = sniff(upload.content, self.limits)
        sha256 = hashlib.sha256(upload.content).hexdigest()
        # A long PDF takes seconds to read: off the event loop, so other requests go on.
        status, text = await asyncio.to_thread(extract, media_type, upload.content)
        pieces = await asyncio.to_thread(split, text)
        async with self.engine.connect() as conn:
            before = await self._existing(conn, document_id)
        file = {
            "name": upload.name,
            "media_type": media_type,
            "size_bytes": len(upload.content),
            "sha256": sha256,
            "text_status": status.value,
        }
        record = {**before, "file": file, "version": before["version"] + 1}

        async def store(conn: AsyncConnection, record: dict[str, Any]) -> str:
            holder = await repository.number_by_checksum(conn, sha256)
            if holder is not None:
                raise Duplicate(Text("library.duplicate_file", number=holder))
            await repository.update_document(
                conn, record, number_key(record["number"]), (upload.content, sha256, text)
            )
            await repository.replace_articles(conn, document_id, pieces)
            return text

        return await self._change(
            caller, DocumentEventName.FILE_ATTACHED, before, record, store, None
        )

    async def record_provisions(
        self,
        caller: Caller,
        document_id: UUID,
        expected_version: int,
        provisions: list[dict[str, Any]],
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Which article of the document each rule citing it rests on: the whole set, replacing
        the one recorded before."""
        require_editor(caller.role)
        rules = await self.rules.rules()
        async with self.engine.connect() as conn:
            before = await self._existing(conn, document_id)
        if before["version"] != expected_version:
            raise StaleVersion(Text("library.stale_version", version=before["version"]))

        async def store(conn: AsyncConnection, record: dict[str, Any]) -> str:
            # Under the write lock: the articles checked are those a file attached meanwhile
            # could not replace.
            anchors = await repository.anchors_of(conn, document_id)
            record["provisions"] = checked_provisions(provisions, record["number"], rules, anchors)
            await repository.update_document(conn, record, number_key(record["number"]))
            return await repository.text_of(conn, document_id)

        record = {**before, "version": before["version"] + 1}
        return await self._change(
            caller, DocumentEventName.PROVISIONS_RECORDED, before, record, store, reason
        )

    async def _change(
        self,
        caller: Caller,
        event: DocumentEventName,
        before: dict[str, Any],
        record: dict[str, Any],
        store: Store,
        reason: str | None,
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        record["updated_at"] = now.isoformat()
        try:
            async with self.engine.begin() as conn:
                await repository.lock_writes(conn)
                if before:
                    current = await repository.record_of(conn, UUID(record["id"]))
                    if current is None or current["version"] != before["version"]:
                        raise StaleVersion(
                            Text("library.stale_version", version=(current or before)["version"])
                        )
                holder = await repository.holder_of_number(conn, number_key(record["number"]))
                if holder is not None and str(holder[0]) != record["id"]:
                    raise Duplicate(Text("library.duplicate_number", number=holder[1]))
                text = await store(conn, record)  # may complete the record
                await repository.record_change(
                    conn,
                    event,
                    record,
                    changed_fields(before, record),
                    (caller.name, pseudonym(caller.name)),
                    reason,
                    text,
                    now,
                )
        except IntegrityError as error:  # a write that raced past the checks above
            raise Duplicate(Text("library.duplicate_number", number=record["number"])) from error
        self.on_commit()
        return record

    async def _existing(self, conn: AsyncConnection, document_id: UUID) -> dict[str, Any]:
        record = await repository.record_of(conn, document_id)
        if record is None:
            raise NotFound(Text("library.not_found", id=str(document_id)))
        return record

    async def get(self, document_id: UUID) -> dict[str, Any]:
        """The record with the documents that amend or replace it, by number and id."""
        async with self.engine.connect() as conn:
            record = await self._existing(conn, document_id)
            others = await repository.all_records(conn)
        return {**record, **relations(record, others)}

    async def articles(self, document_id: UUID) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            await self._existing(conn, document_id)
            return await repository.articles_of(conn, document_id)

    async def rules_citing(self, document_id: UUID) -> list[dict[str, Any]]:
        """Every rule of the register that cites the document, with the article recorded."""
        rules = await self.rules.rules()
        async with self.engine.connect() as conn:
            record = await self._existing(conn, document_id)
        recorded = {p["rule"]: p["article"] for p in record.get("provisions") or []}
        key = number_key(record["number"])
        return [
            {"rule": rule, "article": recorded.get(rule)}
            for rule, cited in sorted(rules.items())
            if key in cited
        ]

    async def provisions(self) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            return await repository.cited_articles(conn)

    async def documents(self) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            return await repository.all_records(conn)

    async def file(self, document_id: UUID) -> tuple[dict[str, Any], bytes]:
        async with self.engine.connect() as conn:
            record = await self._existing(conn, document_id)
            content = await repository.file_of(conn, document_id)
        if record["file"] is None or content is None:
            raise NotFound(Text("library.no_file", number=record["number"]))
        return record["file"], content

    async def history(self, caller: Caller, document_id: UUID) -> list[dict[str, Any]]:
        require_editor(caller.role)
        async with self.engine.connect() as conn:
            await self._existing(conn, document_id)
            return await repository.history_of(conn, document_id)

    async def changes(self, after: int, limit: int) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            return await repository.changes_after(conn, after, limit)

    async def count(self) -> int:
        return len(await self.documents())


def relations(record: Mapping[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """Both directions of every link: what this one amends and replaces (those in the library
    with their id) and the documents that amend or replace it."""
    by_key = {number_key(other["number"]): other for other in others}
    key = number_key(record["number"])

    def link(number: str) -> dict[str, Any]:
        found = by_key.get(number_key(number))
        return {
            "number": number,
            "id": found["id"] if found else None,
            "title": found["title"] if found else None,
        }

    def pointing(relation: str) -> list[dict[str, Any]]:
        return [
            {"number": o["number"], "id": o["id"], "title": o["title"]}
            for o in others
            if key in {number_key(n) for n in o.get(relation) or []}
        ]

    return {
        "amends_links": [link(n) for n in record.get("amends") or []],
        "replaces_links": [link(n) for n in record.get("replaces") or []],
        "amended_by": pointing("amends"),
        "replaced_by": pointing("replaces"),
    }
