"""Use cases of collection: the template, imports checked row by row, and the review of the
changes they propose. Organisation data is never written here: an approved change goes through
the registry's batch write, with the approver's token, so it is committed with its event."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.collection.adapters import store
from hoptac.collection.adapters.addresses import read_address
from hoptac.collection.adapters.annotated import annotated
from hoptac.collection.adapters.code_lists import code_lists
from hoptac.collection.adapters.registry import DryRun, RegistryClient
from hoptac.collection.adapters.spreadsheet import (
    NOT_UTF8,
    FileRefused,
    Limits,
    Sheet,
    read_upload,
)
from hoptac.collection.adapters.template import template_csv, template_xlsx
from hoptac.collection.domain.addresses import addressed, needs_reading
from hoptac.collection.domain.applying import (
    MAYBE_APPLIED,
    already_applied,
    correlation_id,
    settled,
)
from hoptac.collection.domain.cells import CellProblem, CodeLists, read_cell
from hoptac.collection.domain.encodings import Cell, legacy_text
from hoptac.collection.domain.errors import (
    Conflict,
    NotAllowed,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from hoptac.collection.domain.fields import BY_PATH
from hoptac.collection.domain.imports import (
    Report,
    alike,
    duplicates,
    probable_duplicates,
    registry_problems,
    registry_rows,
    registry_warnings,
)
from hoptac.collection.domain.matching import Candidate, Known
from hoptac.collection.domain.problems import Problem, column_letter, shown
from hoptac.collection.domain.review import (
    REVIEWERS,
    covers,
    require_importer,
    require_reviewer,
)
from hoptac.collection.domain.rows import RowChange, RowReader
from hoptac.collection.kept_checks import CheckKey, KeptChecks
from hoptac.contracts.organization import registration_key
from hoptac.contracts.vietnam_time import vietnam_day
from hoptac.platform.catalogue import Language
from hoptac.platform.collections_put_off import full_collections_put_off
from hoptac.platform.identity import TOKEN_SHAPE, Caller, Identity, IdentityUnavailable
from hoptac.platform.text import SHOWN_LENGTH, Text

Clock = Callable[[], datetime]
LOOKUPS_AT_ONCE = 8  # registry reads in flight while an import finds its records
READ_PART = 500  # rows read between two looks at the registry's requests
PROPOSALS_PART = 5_000  # proposals made at once, then stored with one statement
FINGERPRINT_PART = 500  # rows JSON-encoded at once (C code that holds the GIL throughout)


def system_clock() -> datetime:
    return datetime.now(UTC)


class Register:
    """What an import needs of the register's organisations: by id, by registration number,
    and as candidates for matching names."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}
        self.by_number: dict[str, dict[str, Any]] = {}

    def add(self, records: Sequence[dict[str, Any]]) -> None:
        for record in records:
            self.by_id[record["id"]] = record
            self.by_number[registration_key(record["registration_number"])] = record

    def known(self) -> list[Known]:
        return [
            Known(
                record["id"],
                record["name"],
                (record.get("address") or {}).get("commune_code"),
                record["registration_number"],
            )
            for record in self.by_id.values()
        ]


@dataclasses.dataclass(frozen=True)
class RegistryCheck:
    """Who has a file checked by the registry, which file, in which language, and whether it
    is a dry run (whose answers are kept) or an import (which may reuse them)."""

    caller: Caller
    checksum: str
    language: Language
    dry_run: bool


@dataclasses.dataclass
class _Reading:
    """What a check has read so far: problems found reading the rows (reported after the
    file's own), what the rows said (to find a row said twice), the register's records by
    province and by id (each read once a check), the register of the provinces read so far."""

    sheet: Sheet
    lists: CodeLists
    refused: set[int]  # rows refused before they are read: their cells' text
    unread: list[Problem] = dataclasses.field(default_factory=list)
    duplicated: list[Problem] = dataclasses.field(default_factory=list)
    seen: dict[str, int] = dataclasses.field(default_factory=dict)
    provinces: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    records: dict[UUID, dict[str, Any] | None] = dataclasses.field(default_factory=dict)
    so_far: Register = dataclasses.field(default_factory=Register)
    rows: RowReader = dataclasses.field(init=False)  # the file's columns read with its lists

    def __post_init__(self) -> None:
        self.rows = RowReader(self.sheet.paths, self.lists)


@dataclasses.dataclass(frozen=True)
class Target:
    """The record a row changes, as the registry holds it now."""

    organization_id: UUID
    version: int
    province_code: str | None
    commune_code: str | None
    matched_by: str  # "id" or "registration_number"


class Collection:
    def __init__(
        self,
        engine: AsyncEngine,
        registry: RegistryClient,
        identity: Identity,
        limits: Limits,
        clock: Clock = system_clock,
        dry_run_reuse: timedelta = timedelta(minutes=30),
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.identity = identity
        self.limits = limits
        self.clock = clock
        self.dry_run_reuse = dry_run_reuse
        # The last dry run's whole check, for the import of the same file (kept_checks.py).
        self.kept: KeptChecks[tuple[Report, dict[int, Target]]] = KeptChecks(dry_run_reuse)

    async def authenticate(self, token: str | None) -> Caller:
        if not token:
            raise Unauthenticated(Text("collection.token_needed"))
        if not TOKEN_SHAPE.fullmatch(token):
            raise Unauthenticated(Text("collection.token_shape"))
        try:
            caller = await self.identity.who(token)
        except IdentityUnavailable as error:
            raise Unavailable(Text("collection.registry_unavailable")) from error
        if caller is None:
            raise Unauthenticated(Text("collection.token_unknown"))
        return dataclasses.replace(caller, token=token)

    async def template(self, format: str) -> bytes:
        if format == "csv":
            return template_csv()
        return template_xlsx(code_lists(await self.registry.vsic_divisions()))

    # Imports

    async def import_file(
        self, caller: Caller, data: bytes, filename: str, dry_run: bool, language: Language = "vi"
    ) -> dict[str, Any]:
        """The file's report in `language`; for a real run, the batch it made."""
        require_importer(caller)
        with full_collections_put_off():
            return await self._import_file(caller, data, filename, dry_run, language)

    async def _import_file(
        self, caller: Caller, data: bytes, filename: str, dry_run: bool, language: Language
    ) -> dict[str, Any]:
        checksum = hashlib.sha256(data).hexdigest()
        if not dry_run:
            async with self.engine.connect() as conn:
                done = await store.batch_by_checksum(conn, checksum)
            if done is not None:
                return {**_batch_json(done, language), "already_imported": True}
        key = CheckKey(checksum, caller, language, vietnam_day(self.clock()))
        if dry_run:
            head = await self.registry.changes_head(caller.token) if self.dry_run_reuse else None
            report, targets = await self._check(caller, data, filename, language, checksum, True)
            if head is not None:
                self.kept.keep(key, head, self.clock(), (report, targets))
            return {**report.as_json(language), "dry_run": True}
        kept = await self._kept_check(caller, key)
        reused = kept is not None
        if kept is None:
            kept = await self._check(caller, data, filename, language, checksum, False)
        report, targets = kept
        stored = await self._store(caller, data, filename, checksum, report, targets)
        return {**report.as_json(language), **stored, "checked_by_dry_run": reused}

    async def _kept_check(
        self, caller: Caller, key: CheckKey
    ) -> tuple[Report, dict[int, Target]] | None:
        """The check of this caller's dry run of the same file, while the register has not
        moved since (asked of the registry only when there is one)."""
        now = self.clock()
        if not self.kept.holds(key, now):
            return None
        return self.kept.take(key, await self.registry.changes_head(caller.token), now)

    async def _check(
        self,
        caller: Caller,
        data: bytes,
        filename: str,
        language: Language,
        checksum: str,
        dry_run: bool,
    ) -> tuple[Report, dict[int, Target]]:
        try:
            sheet = read_upload(data, filename, self.limits)
        except FileRefused as refused:
            return Report("unknown", 0, [refused.problem]), {}
        report = Report(sheet.format, 0, list(sheet.problems))
        rows = [(sheet.first_row + i, cells) for i, cells in enumerate(sheet.rows)]
        rows = [(n, cells) for n, cells in rows if _filled(cells)]
        report.rows_total = len(rows)
        if not rows:
            report.problems.append(Problem("empty_sheet", Text("collection.no_data_rows")))
            return report, {}
        rows, refusal = _in_unicode(rows, sheet, report)
        if refusal is not None:
            report.problems.append(refusal)
            return report, {}
        lists = code_lists(await self.registry.vsic_divisions())
        checked = RegistryCheck(caller, checksum, language, dry_run)
        reading = _Reading(sheet, lists, {p.row for p in report.problems if p.row is not None})
        async with self.registry.dry_run(caller.token, language) as registry:
            # The registry checks the first rows while the last ones are read: both cores
            # busy. Not when the import will likely reuse its dry run's answers.
            streamed = registry if dry_run or not await self._dry_run_kept(checked) else None
            changes = await self._read(caller, rows, reading, report, streamed)
            report.problems.extend(reading.unread)
            report.problems.extend(reading.duplicated)
            register = await self._register_of(caller, changes, reading)
            targets, missing = await self._targets(caller, changes, register, sheet, reading)
            report.problems.extend(missing)
            changes = _without_rows(changes, missing)
            changes = [_aimed(c, targets.get(c.row)) for c in changes]
            # Names are matched while the registry answers: its work and collection's on two
            # cores. Matching takes every row; what holds for the rows kept is read after.
            found, registry_refused = await asyncio.gather(
                asyncio.to_thread(alike, changes, register.known()),
                self._registry_check(checked, changes, targets, sheet, report.warnings, registry),
            )
        report.problems.extend(registry_refused)
        refused_rows = {p.row for p in report.problems if p.row is not None}
        report.valid = [c for c in changes if c.row not in refused_rows]
        duplicated, report.candidates = probable_duplicates(
            report.valid, found, _column(sheet, "name")
        )
        report.warnings.extend(duplicated)
        report.warnings.sort(key=lambda w: (w.row or 0, w.code))
        report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        return report, targets

    async def _dry_run_kept(self, check: RegistryCheck) -> bool:
        if not self.dry_run_reuse:
            return False
        async with self.engine.connect() as conn:
            return await store.dry_run_kept(
                conn,
                check.checksum,
                check.caller.name,
                check.language,
                self.clock() - self.dry_run_reuse,
            )

    async def _read(
        self,
        caller: Caller,
        rows: list[tuple[int, list[Any]]],
        reading: _Reading,
        report: Report,
        registry: DryRun | None,
    ) -> list[RowChange]:
        """The changes the rows ask for, each cell checked and rows said twice left out, read
        `READ_PART` rows at a time. With `registry`, each part is given to the registry's
        check as soon as it is read, aimed at the records of the provinces read so far (those
        the file names, read first): `_registry_check` then sends again only a part that the
        whole file aims otherwise."""
        sheet = reading.sheet
        numbers = _column(sheet, "registration_number")
        if registry is not None:
            await self._read_provinces(
                caller, _named(rows, reading, "address.province_code"), reading
            )
            await self._read_records(caller, _named(rows, reading, "id"), reading)
        changes: list[RowChange] = []
        for start in range(0, len(rows), READ_PART):
            part = []
            for number, cells in rows[start : start + READ_PART]:
                read = reading.rows.read(number, cells)
                reading.unread.extend(read.problems)
                if read.change is not None and number not in reading.refused:
                    part.append(read.change)
            part = await self._addressed(part, sheet, report)
            twice = duplicates(part, numbers, reading.seen)
            reading.duplicated.extend(twice)
            part = _without_rows(part, twice)
            changes.extend(part)
            if registry is not None:
                await self._read_provinces(caller, _provinces(part), reading)
                targets, missing = await self._targets(caller, part, reading.so_far, sheet, reading)
                part = [_aimed(c, targets.get(c.row)) for c in _without_rows(part, missing)]
                registry.add(_sent(part, targets)[0])
                await asyncio.sleep(0)  # the registry's answers in, the next requests out
        return changes

    async def _addressed(
        self, changes: list[RowChange], sheet: Sheet, report: Report
    ) -> list[RowChange]:
        """Rows whose address is only text get the codes read from it (a warning when none)."""
        column = _column(sheet, "address.text")

        def read_all() -> list[RowChange]:
            done = []
            for change in changes:
                if needs_reading(change):
                    change, warning = addressed(change, read_address, column)
                    if warning is not None:
                        report.warnings.append(warning)
                done.append(change)
            return done

        if not any(needs_reading(change) for change in changes):
            return changes
        return await asyncio.to_thread(read_all)  # the parser is plain Python, and slow to load

    async def _register_of(
        self, caller: Caller, changes: Sequence[RowChange], reading: _Reading
    ) -> Register:
        """The register's organisations of every province the rows name, read a page of 200
        at a time: a file of 100k rows costs a few requests per province, not one per row."""
        provinces = sorted(_provinces(changes))
        await self._read_provinces(caller, provinces, reading)
        register = Register()
        for province in provinces:
            register.add(reading.provinces[province])
        return register

    async def _read_provinces(
        self, caller: Caller, provinces: Iterable[str], reading: _Reading
    ) -> None:
        """The register's organisations of the provinces not read yet, eight provinces at a
        time (a file names up to 34: one after the other, they held back the registry's check)."""
        wanted = sorted(set(provinces) - reading.provinces.keys())
        gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

        async def read(province: str) -> list[dict[str, Any]]:
            async with gate:
                return await self.registry.in_province(caller.token, province)

        for province, records in zip(
            wanted, await asyncio.gather(*(read(p) for p in wanted)), strict=True
        ):
            reading.provinces[province] = records
            reading.so_far.add(records)

    async def _read_records(self, caller: Caller, ids: Iterable[str], reading: _Reading) -> None:
        """The records of `ids` (each an id as a cell holds it) outside the provinces read,
        eight at a time."""
        gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

        async def read(org_id: UUID) -> None:
            async with gate:
                reading.records[org_id] = await self.registry.record(caller.token, org_id)

        named = set()
        for text in ids:
            with contextlib.suppress(ValueError):
                named.add(UUID(text))
        await asyncio.gather(
            *(read(org_id) for org_id in named if str(org_id) not in reading.so_far.by_id)
        )

    async def _targets(
        self,
        caller: Caller,
        changes: Sequence[RowChange],
        register: Register,
        sheet: Sheet,
        reading: _Reading,
    ) -> tuple[dict[int, Target], list[Problem]]:
        """Each row's record in the register: by its id, or else by its registration number
        (a row for an organisation already registered updates it). A record outside the
        provinces the file names is read by its id, eight at a time, once a check."""
        gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

        async def by_id(change: RowChange) -> tuple[int, dict[str, Any] | None]:
            assert change.organization_id is not None
            known = register.by_id.get(str(change.organization_id))
            if known is not None:
                return change.row, known
            if change.organization_id not in reading.records:
                async with gate:
                    record = await self.registry.record(caller.token, change.organization_id)
                reading.records[change.organization_id] = record
            return change.row, reading.records[change.organization_id]

        named = [c for c in changes if c.organization_id is not None]
        found = dict(await asyncio.gather(*(by_id(change) for change in named)))
        targets: dict[int, Target] = {}
        missing = []
        for change in changes:
            if change.organization_id is not None:
                record, how = found.get(change.row), "id"
            else:
                number = registration_key(str(change.record["registration_number"]))
                record, how = register.by_number.get(number), "registration_number"
            if record is not None:
                targets[change.row] = _target(record, how)
            elif change.organization_id is not None:
                missing.append(
                    Problem(
                        "unknown_record",
                        Text("collection.unknown_record", id=str(change.organization_id)),
                        change.row,
                        _column(sheet, "id"),
                        "id",
                    )
                )
        return targets, missing

    async def _registry_check(
        self,
        check: RegistryCheck,
        changes: Sequence[RowChange],
        targets: dict[int, Target],
        sheet: Sheet,
        warnings: list[Problem],
        registry: DryRun,
    ) -> list[Problem]:
        """Every change checked by the registry itself (a dry run of its batch write): the
        same models and rules as every write, the caller's area included; its messages in the
        report's language. An import reuses the answers of the same person's dry run of the
        same file made within `dry_run_reuse`, when it sends exactly the same rows (the same
        records at the same versions: the register has not moved under them) with the same
        area: those answers are the ones the registry would give again."""
        sent, owners = _sent(changes, targets)
        # Hashed beside the registry's check in a dry run, which needs it only after.
        fingerprinting = asyncio.ensure_future(asyncio.to_thread(_fingerprint, check.caller, sent))
        since = self.clock() - self.dry_run_reuse
        answers = None
        if not check.dry_run:
            async with self.engine.connect() as conn:
                answers = await store.dry_run_answers(
                    conn,
                    check.checksum,
                    check.caller.name,
                    check.language,
                    await fingerprinting,
                    since,
                )
        if answers is None:
            results = await registry.results(sent)
            answers = [
                [index, result]
                for index, result in enumerate(results)
                if "error" in result or result.get("warnings")
            ]
        if check.dry_run and self.dry_run_reuse:
            remembered = {
                "checksum": check.checksum,
                "made_by": check.caller.name,
                "language": check.language,
                "made_at": self.clock(),
                "fingerprint": await fingerprinting,
                "answers": answers,
            }
            async with self.engine.begin() as conn:
                await store.remember_dry_run(conn, remembered, since)
        problems = []
        for index, result in answers:
            if "error" in result:
                problems.extend(registry_problems(owners[index], result, sheet.paths))
            else:
                warnings.extend(registry_warnings(owners[index], result, sheet.paths))
        return problems

    async def _store(
        self,
        caller: Caller,
        data: bytes,
        filename: str,
        checksum: str,
        report: Report,
        targets: dict[int, Target],
    ) -> dict[str, Any]:
        now = self.clock()
        batch_id = uuid4()

        def made(part: Sequence[RowChange]) -> list[dict[str, Any]]:
            return [
                _proposal(
                    change,
                    targets.get(change.row),
                    report.candidates.get(change.row, []),
                    batch_id,
                    caller.name,
                    now,
                )
                for change in part
            ]

        parts = [
            report.valid[start : start + PROPOSALS_PART]
            for start in range(0, len(report.valid), PROPOSALS_PART)
        ]
        # Each part is made in a thread while PostgreSQL stores the file or the part before.
        making = [asyncio.ensure_future(asyncio.to_thread(made, parts[0]))] if parts else []
        async with self.engine.begin() as conn:
            await store.add_batch(
                conn,
                {
                    "id": batch_id,
                    "checksum": checksum,
                    "filename": filename[:300],
                    "format": report.format,
                    "uploaded_by": caller.name,
                    "uploaded_at": now,
                    "rows_total": report.rows_total,
                    "rows_proposed": len(report.valid),
                    "rows_refused": report.rows_refused,
                    "problems": [p.stored() for p in report.problems],
                    "content": data,
                },
            )
            added = 0
            for index in range(len(parts)):
                proposals = await making[index]
                if index + 1 < len(parts):
                    making.append(asyncio.ensure_future(asyncio.to_thread(made, parts[index + 1])))
                added += await store.add_proposals(conn, proposals)
            await store.audit(
                conn,
                now,
                caller.name,
                "import",
                f"batch:{batch_id}",
                {"filename": filename[:300], "proposed": added, "rows": report.rows_total},
            )
        return {
            "batch_id": str(batch_id),
            "proposals_added": added,
            "already_imported": False,
        }

    async def batch(
        self, caller: Caller, batch_id: UUID, language: Language = "vi"
    ) -> dict[str, Any]:
        require_importer(caller)
        async with self.engine.connect() as conn:
            found = await store.batch(conn, batch_id)
        if found is None:
            raise NotFound(Text("collection.no_batch", id=str(batch_id)))
        return _batch_json(found, language)

    async def batches(self, caller: Caller, limit: int) -> list[dict[str, Any]]:
        """The latest import batches: an area officer's own, everyone's for a reviewer."""
        require_importer(caller)
        mine = None if caller.role in REVIEWERS else caller.name
        async with self.engine.connect() as conn:
            found = await store.recent_batches(conn, mine, limit)
        return [
            {
                "batch_id": str(row["id"]),
                "filename": row["filename"],
                "uploaded_by": row["uploaded_by"],
                "uploaded_at": row["uploaded_at"].isoformat(),
                "valid": row["problems"] == 0,
                "rows_total": row["rows_total"],
                "rows_valid": row["rows_proposed"],
                "rows_refused": row["rows_refused"],
            }
            for row in found
        ]

    @staticmethod
    def annotated(content: bytes, problems: Sequence[dict[str, Any]]) -> bytes:
        """A file's report as the file itself, with a column saying what is wrong."""
        return annotated(content, problems)

    async def report_workbook(
        self, caller: Caller, batch_id: UUID, language: Language = "vi"
    ) -> bytes:
        _, content = await self.batch_file(caller, batch_id)
        return annotated(content, (await self.batch(caller, batch_id, language))["problems"])

    async def batch_file(self, caller: Caller, batch_id: UUID) -> tuple[str, bytes]:
        require_importer(caller)
        async with self.engine.connect() as conn:
            found = await store.batch_file(conn, batch_id)
        if found is None:
            raise NotFound(Text("collection.no_batch", id=str(batch_id)))
        return found

    # Review

    async def proposals(
        self,
        caller: Caller,
        state: str | None,
        batch_id: UUID | None,
        limit: int,
        after: UUID | None,
        before: UUID | None = None,
    ) -> list[dict[str, Any]]:
        require_importer(caller)
        async with self.engine.connect() as conn:
            rows = await store.list_proposals(
                conn,
                state,
                batch_id,
                limit,
                after,
                sorted(caller.provinces),
                sorted(caller.communes),
                before,
            )
        return [_proposal_json(row) for row in rows if covers(caller, row)]

    async def proposal(self, caller: Caller, proposal_id: UUID) -> dict[str, Any]:
        require_importer(caller)
        async with self.engine.connect() as conn:
            rows = await store.proposals_by_id(conn, [proposal_id])
            history = await store.audit_of(conn, f"proposal:{proposal_id}")
        if not rows or not covers(caller, rows[0]):
            raise NotFound(Text("collection.no_proposal", id=str(proposal_id)))
        return {**_proposal_json(rows[0]), "history": history}

    async def submit(self, caller: Caller, ids: list[UUID]) -> list[dict[str, Any]]:
        """An area officer puts forward proposals of their own area for review."""
        require_importer(caller)
        now = self.clock()
        async with self.engine.begin() as conn:
            rows = await self._open(conn, ids, caller)
            for row in rows:
                if row.state not in ("draft", "returned"):
                    raise Conflict(
                        Text("collection.proposal_not_draft", id=str(row.id), state=row.state)
                    )
            await store.step(conn, [row.id for row in rows], "submitted", caller.name, now)
            await store.audit_many(
                conn, now, caller.name, "submit", [(f"proposal:{row.id}", {}) for row in rows]
            )
            rows = await store.proposals_by_id(conn, ids)
        return [_proposal_json(row) for row in rows]

    async def submit_batch(self, caller: Caller, batch_id: UUID) -> dict[str, Any]:
        """Every draft of an import put forward at once, as `submit` would put each forward
        (an area officer's: those of their area only), without listing them first."""
        require_importer(caller)
        now = self.clock()
        async with self.engine.begin() as conn:
            if await store.batch(conn, batch_id) is None:
                raise NotFound(Text("collection.no_batch", id=str(batch_id)))
            ids = await store.submit_drafts_of_batch(
                conn, batch_id, sorted(caller.provinces), sorted(caller.communes), caller.name, now
            )
            await store.audit_many(
                conn, now, caller.name, "submit", [(f"proposal:{id_}", {}) for id_ in ids]
            )
        return {"batch_id": str(batch_id), "submitted": len(ids), "ids": [str(i) for i in ids]}

    async def return_(
        self, caller: Caller, proposal_id: UUID, comments: dict[str, str]
    ) -> dict[str, Any]:
        """A reviewer sends a proposal back to its author, with a comment per field."""
        require_reviewer(caller)
        now = self.clock()
        async with self.engine.begin() as conn:
            # Locked before its state is read: an approval holding it is waited for.
            (row,) = await self._open(conn, [proposal_id], caller, for_update=True)
            if row.state != "submitted":
                raise Conflict(
                    Text("collection.proposal_not_returnable", id=str(row.id), state=row.state)
                )
            noted = [*row.comments, {"by": caller.name, "at": now.isoformat(), "fields": comments}]
            returned = {
                **_steps_of(row),
                "state": "returned",
                "comments": noted,
                "reviewed_by": caller.name,
            }
            await store.settle(conn, [{"id": row.id, **returned}])
            await store.audit(
                conn, now, caller.name, "return", f"proposal:{row.id}", {"comments": comments}
            )
            (row,) = await store.proposals_by_id(conn, [proposal_id])
        return _proposal_json(row)

    async def approve(
        self, caller: Caller, ids: list[UUID], *, brief: bool = False
    ) -> list[dict[str, Any]]:
        """A reviewer other than the author approves; the changes go to the registry in one
        batch with the reviewer's token. A record changed since its proposal was made answers
        412 there: that proposal stays submitted, flagged `stale`, and nothing of it applies.
        Answered with each proposal as it is after, or `brief`ly (`_proposal_brief`).

        The proposals are `applying` from before the registry is asked until their outcome is
        recorded; one left so (collection stopped between the registry's commit and its own)
        is approved again like a submitted one, and what the registry already applied of it
        is read back by its correlation id instead of being sent again (`domain/applying.py`).

        The proposals stay locked by `held` until their outcome is stored: a second approval
        of any of them, or a return, waits and then finds it settled. The mark is committed on
        a connection of its own, so that it outlives a crash that rolls `held` back."""
        require_reviewer(caller)
        now = self.clock()
        async with self.engine.begin() as held:
            rows = await self._open(held, ids, caller, for_update=True)
            for row in rows:
                if row.state not in ("submitted", "applying"):
                    raise Conflict(
                        Text("collection.proposal_submit_first", id=str(row.id), state=row.state)
                    )
                if caller.name in (row.author, row.submitted_by):
                    raise NotAllowed(Text("collection.approve_own", id=str(row.id)))
            async with self.engine.begin() as marking:
                await store.step(
                    marking, [row.id for row in rows], "applying", caller.name, now, locked=True
                )
            return await self._settled(held, caller, rows, now, brief)

    async def _settled(
        self,
        conn: AsyncConnection,
        caller: Caller,
        rows: Sequence[Any],
        now: datetime,
        brief: bool,
    ) -> list[dict[str, Any]]:
        """The approved proposals applied through the registry, their outcomes stored in `conn`
        (which holds them locked) and answered."""
        by_proposal = await self._applied(caller, rows)
        changed: list[dict[str, Any]] = []
        audited: list[tuple[str, dict[str, Any]]] = []
        for row in rows:
            outcome = by_proposal[row.id]
            state, flagged = _after_apply(outcome)
            changed.append(
                {
                    "id": row.id,
                    **_steps_of(row),
                    "state": state,
                    "outcome": {"results": outcome, "stale": flagged},
                    "reviewed_by": caller.name,
                    "reviewed_at": now,
                }
            )
            audited.append((f"proposal:{row.id}", {"state": state, "results": outcome}))
        changed_now = await store.settle(conn, changed)
        await store.audit_many(conn, now, caller.name, "approve", audited)
        answer = _proposal_brief if brief else _proposal_json
        return [answer(row, changed_now[row.id]) for row in rows]

    async def _applied(
        self, caller: Caller, rows: Sequence[Any]
    ) -> dict[UUID, list[dict[str, Any]]]:
        """Each proposal's registry rows applied, or found applied already: their results."""
        wanted = {row.id: registry_rows(_stored_change(row), row.base_version) for row in rows}
        # Only a proposal an approval has sent before can have anything applied.
        earlier = [correlation_id(row.id) for row in rows if row.state == "applying" or row.outcome]
        committed = await self.registry.correlated(caller.token, earlier) if earlier else {}
        results: dict[UUID, list[dict[str, Any] | None]] = {}
        sent: list[dict[str, Any]] = []
        owners: list[tuple[UUID, int]] = []
        for row in rows:
            found = already_applied(wanted[row.id], committed.get(correlation_id(row.id), []))
            results[row.id] = found
            for position, (change, applied) in enumerate(zip(wanted[row.id], found, strict=True)):
                if applied is None:
                    sent.append({**change, "correlation_id": correlation_id(row.id)})
                    owners.append((row.id, position))
        answered = await self.registry.batch(caller.token, sent) if sent else []
        for (owner, position), result in zip(owners, answered, strict=True):
            results[owner][position] = result
        done = {owner: [r for r in found if r is not None] for owner, found in results.items()}
        # A refusal a change already applied also gets may be the proposal's own change, applied
        # by another approval of it at the same moment: the registry says which.
        doubtful = sorted(
            {owner for owner, answers in done.items() if any(_maybe_applied(r) for r in answers)}
        )
        if doubtful:
            committed = await self.registry.correlated(
                caller.token, [correlation_id(owner) for owner in doubtful]
            )
            for owner in doubtful:
                own = committed.get(correlation_id(owner), [])
                done[owner] = settled(done[owner], own, wanted[owner])
        return done

    async def rebase(self, caller: Caller, proposal_id: UUID) -> dict[str, Any]:
        """A reviewer who has compared a stale proposal with the record as it is now takes the
        current version as its base, so that it can be approved."""
        require_reviewer(caller)
        now = self.clock()
        async with self.engine.begin() as conn:
            (row,) = await self._open(conn, [proposal_id], caller, for_update=True)
            if row.state != "submitted":
                raise Conflict(
                    Text("collection.proposal_not_rebasable", id=str(row.id), state=row.state)
                )
            if row.organization_id is None:
                raise Conflict(Text("collection.rebase_registration"))
            current = await self.registry.record(caller.token, row.organization_id)
            if current is None:
                raise Conflict(Text("collection.organisation_gone", id=str(row.organization_id)))
            await store.set_proposal(conn, row.id, base_version=current["version"], outcome=None)
            await store.audit(
                conn,
                now,
                caller.name,
                "rebase",
                f"proposal:{row.id}",
                {"from": row.base_version, "to": current["version"]},
            )
            (row,) = await store.proposals_by_id(conn, [proposal_id])
        return _proposal_json(row)

    async def _open(
        self, conn: Any, ids: list[UUID], caller: Caller, for_update: bool = False
    ) -> list[Any]:
        rows = await store.proposals_by_id(conn, ids, for_update=for_update)
        found = {row.id for row in rows if covers(caller, row)}
        absent = [str(i) for i in ids if i not in found]
        if absent:
            raise NotFound(Text("collection.no_proposals", ids=absent[:5]))
        return rows


def _filled(cells: list[Any]) -> bool:
    """Whether a row holds anything: a cell neither empty nor None (0 and False are values).
    Counted in C: a generator a row took a third of a second at 100,000 rows."""
    return len(cells) > cells.count(None) + cells.count("")


def _in_unicode(
    rows: list[tuple[int, list[Any]]], sheet: Sheet, report: Report
) -> tuple[list[tuple[int, list[Any]]], Problem | None]:
    """The rows with text typed in TCVN3 or VNI converted, each converted cell a warning and
    each ambiguous one a problem; or why the whole file is refused."""
    found = legacy_text(rows)
    if found.mixed:
        return rows, Problem(
            "legacy_encoding", Text("collection.legacy_mixed", encodings=list(found.mixed))
        )
    if sheet.eight_bit and found.encoding is None:
        return rows, Problem("encoding", NOT_UTF8)
    report.converted_from = found.encoding

    def at(cell: Cell, code: str, message: Text) -> Problem:
        return Problem(code, message, cell.row, column_letter(cell.index), sheet.paths[cell.index])

    # A cell of a column the import ignores is neither reported nor refused.
    mapped = {index for index, path in enumerate(sheet.paths) if path is not None}
    report.warnings.extend(
        at(
            cell,
            "converted_encoding",
            Text(
                "collection.converted_encoding",
                encoding=found.encoding,
                text=cell.after[:SHOWN_LENGTH],
            ),
        )
        for cell in found.converted
        if cell.index in mapped
    )
    report.problems.extend(
        at(
            cell,
            "legacy_encoding_ambiguous",
            Text(
                "collection.encoding_ambiguous",
                encoding=found.encoding,
                before=cell.before[:SHOWN_LENGTH],
                after=cell.after[:SHOWN_LENGTH],
            ),
        )
        for cell in found.ambiguous
        if cell.index in mapped
    )
    return found.applied(rows), None


def _fingerprint(caller: Caller, sent: Sequence[dict[str, Any]]) -> str:
    """What the registry's answers to a check depend on besides the register's rules: the rows
    sent (each record's id and version included) and the caller's role and area; the hash of
    `[role, provinces, communes, sent]` as canonical JSON, written a part of `sent` at a time
    so that the thread it runs in lets the others run between parts."""
    digest = hashlib.sha256()
    area = _canonical([caller.role, sorted(caller.provinces), sorted(caller.communes)])
    digest.update(area[:-1] + b",[")
    for start in range(0, len(sent), FINGERPRINT_PART):
        if start:
            digest.update(b",")
        digest.update(_canonical(sent[start : start + FINGERPRINT_PART])[1:-1])
    digest.update(b"]]")
    return digest.hexdigest()


def _canonical(value: Any) -> bytes:
    """`value` as JSON with its keys sorted, in UTF-8, by orjson (several times faster than the
    standard library); a part holding an integer beyond 64 bits, which orjson does not write, by
    the standard library."""
    try:
        return orjson.dumps(value, default=str, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(
            value, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":")
        ).encode()


def _sent(
    changes: Sequence[RowChange], targets: dict[int, Target]
) -> tuple[list[dict[str, Any]], list[int]]:
    """The registry's rows for `changes`, and the file's row each comes from."""
    sent: list[dict[str, Any]] = []
    owners: list[int] = []
    for change in changes:
        target = targets.get(change.row)
        for sending in registry_rows(change, target.version if target else None):
            sent.append(sending)
            owners.append(change.row)
    return sent, owners


def _provinces(changes: Iterable[RowChange]) -> set[str]:
    return {
        code
        for change in changes
        if (code := (change.record.get("address") or {}).get("province_code"))
    }


def _named(rows: Sequence[tuple[int, Sequence[Any]]], reading: _Reading, path: str) -> set[str]:
    """What a file's column names (a cell that cannot be read names nothing): the provinces
    and records read before its rows, so that no read of the register waits behind the
    registry's check of the rows."""
    paths = reading.sheet.paths
    if path not in paths:
        return set()
    index = paths.index(path)
    named = set()
    for raw in {cells[index] for _, cells in rows if index < len(cells)}:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        with contextlib.suppress(CellProblem):
            named.add(read_cell(raw, BY_PATH[path], reading.lists))
    return named


def _target(record: dict[str, Any], how: str) -> Target:
    address = record.get("address") or {}
    return Target(
        UUID(record["id"]),
        int(record["version"]),
        address.get("province_code"),
        address.get("commune_code"),
        how,
    )


def _without_rows(changes: list[RowChange], problems: Sequence[Problem]) -> list[RowChange]:
    refused = {problem.row for problem in problems}
    return [change for change in changes if change.row not in refused]


def _column(sheet: Sheet, path: str) -> str | None:
    return column_letter(sheet.paths.index(path)) if path in sheet.paths else None


def _aimed(change: RowChange, target: Target | None) -> RowChange:
    """A new row whose registration number the register already holds updates that record."""
    if target is None or change.organization_id is not None:
        return change
    return dataclasses.replace(change, organization_id=target.organization_id)


def _proposal(
    change: RowChange,
    target: Target | None,
    candidates: list[Candidate],
    batch_id: UUID,
    author: str,
    now: datetime,
) -> dict[str, Any]:
    address = change.record.get("address") or {}
    return {
        "id": uuid4(),
        "batch_id": batch_id,
        "row_number": change.row,
        "row_key": change.key(),
        "organization_id": change.organization_id,
        "base_version": target.version if target else None,
        "province_code": address.get("province_code") or (target and target.province_code),
        "commune_code": address.get("commune_code") or (target and target.commune_code),
        "change": {
            "record": change.record,
            "status": change.status,
            "status_reason": change.status_reason,
            "effective_date": change.effective_date,
            "matched_by": target.matched_by if target else None,
            "candidates": [candidate.as_json() for candidate in candidates],
        },
        "state": "draft",
        "author": author,
        "created_at": now,
        "comments": [],
    }


def _stored_change(row: Any) -> RowChange:
    change = row.change
    return RowChange(
        row.row_number or 0,
        row.organization_id,
        change["record"],
        change.get("status"),
        change.get("status_reason"),
        change.get("effective_date"),
    )


def _steps_of(row: Any) -> dict[str, Any]:
    """What a proposal read with its step of the review holds of it (`store.settle` writes it
    into the proposal's own row)."""
    return {name: getattr(row, name) for name in store.STEPPED}


def _maybe_applied(result: dict[str, Any]) -> bool:
    return "error" in result and result["status"] in MAYBE_APPLIED


def _after_apply(results: list[dict[str, Any]]) -> tuple[str, bool]:
    """A proposal's state once the registry has answered its rows."""
    if all("error" not in r for r in results):
        return "applied", False
    if any(r["status"] == 412 for r in results):
        return "submitted", True
    if any("error" not in r for r in results):
        return "partly_applied", False
    return "refused", False


def _proposal_json(row: Any, now: Any = None) -> dict[str, Any]:
    """`now`: the columns of the proposal that change (as `store.settle` wrote them), newer than
    `row`'s; by default `row`'s own."""
    now = row if now is None else now
    outcome = now.outcome or {}
    return {
        "id": str(row.id),
        "batch_id": str(row.batch_id) if row.batch_id else None,
        "row": row.row_number,
        "organization_id": str(row.organization_id) if row.organization_id else None,
        "base_version": now.base_version,
        "province_code": row.province_code,
        "commune_code": row.commune_code,
        "change": row.change,
        "state": now.state,
        "stale": bool(outcome.get("stale")),
        "author": row.author,
        "submitted_by": now.submitted_by,
        "reviewed_by": now.reviewed_by,
        "comments": now.comments,
        "outcome": now.outcome,
    }


def _proposal_brief(row: Any, now: Any) -> dict[str, Any]:
    """What came of an approved proposal, without what it proposes: the answer a caller
    approving thousands at once needs."""
    return {
        "id": str(row.id),
        "row": row.row_number,
        "state": now.state,
        "stale": bool((now.outcome or {}).get("stale")),
        "outcome": now.outcome,
    }


def _batch_json(batch: store.StoredBatch, language: Language) -> dict[str, Any]:
    return {
        "batch_id": str(batch.id),
        "filename": batch.filename,
        "uploaded_by": batch.uploaded_by,
        "uploaded_at": batch.uploaded_at.isoformat(),
        "valid": not batch.problems,
        "rows_total": batch.rows_total,
        "rows_valid": batch.rows_proposed,
        "rows_refused": batch.rows_refused,
        "problems": [shown(problem, language) for problem in batch.problems],
    }
