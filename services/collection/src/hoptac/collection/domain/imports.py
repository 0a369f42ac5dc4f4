"""An import checked row by row: duplicates inside the file, the registry's answer to each row
turned into problems at the row and column of the field it names, and the report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hoptac.collection.domain.matching import (
    PROBABLE,
    Candidate,
    Known,
    Name,
    by_name,
    prepared,
    prepared_score,
)
from hoptac.collection.domain.problems import Problem, column_letter
from hoptac.collection.domain.rows import RowChange
from hoptac.platform.catalogue import Language
from hoptac.platform.text import Text

UPDATE_REASON = "Cập nhật theo khảo sát"


@dataclass
class Report:
    """Every problem of a file, and the rows that passed every check."""

    format: str
    rows_total: int
    problems: list[Problem] = field(default_factory=list)
    valid: list[RowChange] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # for a person; they block nothing
    candidates: dict[int, list[Candidate]] = field(default_factory=dict)  # by row
    converted_from: str | None = None  # the legacy encoding its text was converted from

    @property
    def rows_refused(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})

    def as_json(self, language: Language) -> dict[str, Any]:
        return {
            "valid": not self.problems,
            "format": self.format,
            "rows_total": self.rows_total,
            "rows_valid": len(self.valid),
            "rows_refused": self.rows_refused,
            "problems": [p.as_json(language) for p in self.problems],
            "warnings": [w.as_json(language) for w in self.warnings],
            "converted_from": self.converted_from,
        }


def duplicates(
    changes: Sequence[RowChange], numbers_column: str | None, seen: dict[str, int] | None = None
) -> list[Problem]:
    """A row that says again what an earlier row of the file says: the same organisation
    (id, or registration number of a new one) twice. `seen`: what the file's earlier parts
    said, by row (kept up to date), for a file checked a part at a time."""
    problems = []
    seen = {} if seen is None else seen
    for change in changes:
        number = change.record.get("registration_number")
        identity = str(change.organization_id) if change.organization_id else f"n:{number}"
        if identity in seen:
            problems.append(
                Problem(
                    "duplicate_row",
                    Text("collection.row_twice_id", row=seen[identity])
                    if change.organization_id
                    else Text("collection.row_twice_number", number=number, row=seen[identity]),
                    change.row,
                    None if change.organization_id else numbers_column,
                    None if change.organization_id else "registration_number",
                )
            )
        else:
            seen[identity] = change.row
    return problems


def registry_rows(change: RowChange, version: int | None) -> list[dict[str, Any]]:
    """The registry batch rows that apply one change (`version`: the record's, for updates)."""
    if change.organization_id is None:
        return [{"op": "register", "body": change.record}]
    rows: list[dict[str, Any]] = []
    if change.record:
        body = {**change.record, "reason": UPDATE_REASON}
        if change.effective_date:
            body["effective_date"] = change.effective_date
        rows.append(
            {"op": "update", "id": str(change.organization_id), "version": version, "body": body}
        )
    if change.status:
        status_body = {"status": change.status, "reason": change.status_reason or UPDATE_REASON}
        if change.effective_date:
            status_body["effective_date"] = change.effective_date
        rows.append({"op": "status", "id": str(change.organization_id), "body": status_body})
    return rows


def registry_problems(
    row: int, result: dict[str, Any], paths: Sequence[str | None]
) -> list[Problem]:
    """The registry's refusal of a row, at the columns of the fields it names."""
    error = result["error"]
    named = error.get("errors") or []
    if not named:
        refused = Text("collection.registry_refused", problem=error["message"])
        return [Problem(error["error"], refused, row)]
    return [
        Problem(
            error["error"],
            Text("collection.registry_refused", problem=item["message"]),
            row,
            _column_of(item["field"], paths),
            item["field"],
        )
        for item in named
    ]


def registry_warnings(
    row: int, result: dict[str, Any], paths: Sequence[str | None]
) -> list[Problem]:
    """What the registry says deserves a look although the row is valid: a similar name in the
    province, a split pre-2025 commune (with the communes to choose from)."""
    found = []
    for warning in result.get("warnings") or []:
        choices = warning.get("candidates")
        if choices:
            named = "; ".join(f"{c['code']} - {c['name']}" for c in choices)
            split = Text("collection.commune_split", choices=named)
            where = _column_of("address.commune_code", paths)
            found.append(Problem(warning["code"], split, row, where, "address.commune_code"))
        else:
            noted = Text("collection.registry_notes", problem=warning["message"])
            found.append(Problem(warning["code"], noted, row))
    return found


def _column_of(path: str, paths: Sequence[str | None]) -> str | None:
    """The column of a field, or of the first column inside it (`address` → its street)."""
    for index, column in enumerate(paths):
        if column is not None and (column == path or column.startswith(path + ".")):
            return column_letter(index)
    return None


@dataclass(frozen=True)
class Alike:
    """What matching finds of a file's new organisations, made while the registry checks the
    same rows: each row's candidates in the register of its commune and the first earlier row
    of its commune it is probably the same as, over every row the registry is asked about
    (`probable_duplicates` then keeps what holds for the rows it accepts)."""

    names: dict[int, tuple[str | None, Name]]  # by row: its commune and its name, prepared
    candidates: dict[int, list[Candidate]]  # by row
    earlier: dict[int, int]  # by row: the first earlier row of the file with a probable name


def alike(changes: Sequence[RowChange], known: Sequence[Known]) -> Alike:
    """Only names of one commune are compared, so each row is held against its commune's names,
    not against the whole file and register; each name is prepared once, not once a pair. Rows
    are compared only with earlier rows of the same numbers: names that differ in one are never
    alike (`prepared_score`)."""
    found = Alike({}, {}, {})
    known_in: dict[str | None, list[Known]] = defaultdict(list)
    for organisation in known:
        known_in[organisation.commune_code].append(organisation)
    earlier_in: dict[tuple[str | None, tuple[str, ...]], list[tuple[int, Name]]] = defaultdict(list)
    for change in changes:
        if change.organization_id is not None:
            continue
        name = prepared(str(change.record.get("name", "")))
        commune = (change.record.get("address") or {}).get("commune_code")
        found.names[change.row] = (commune, name)
        candidates = by_name(name, commune, known_in.get(commune, ()))
        if candidates:
            found.candidates[change.row] = candidates
        earlier = earlier_in[commune, name.numbers]
        other = _first_alike(name, earlier)
        if other is not None:
            found.earlier[change.row] = other
        earlier.append((change.row, name))
    return found


def _first_alike(name: Name, earlier: Sequence[tuple[int, Name]]) -> int | None:
    return next(
        (row for row, other in earlier if prepared_score(name, other, PROBABLE) >= PROBABLE), None
    )


def probable_duplicates(
    changes: Sequence[RowChange], found: Alike, name_column: str | None
) -> tuple[list[Problem], dict[int, list[Candidate]]]:
    """New organisations among `changes` (rows `found` was made from, in the same order) whose
    name is like one of the register in the same commune, or like an earlier row's of
    `changes`: warnings, and each row's candidates for the reviewer. Never merged."""
    warnings: list[Problem] = []
    candidates: dict[int, list[Candidate]] = {}
    kept = {change.row for change in changes}
    earlier_in: dict[str | None, list[tuple[int, Name]]] = defaultdict(list)
    for change in changes:
        if change.organization_id is not None:
            continue
        commune, name = found.names[change.row]
        register = found.candidates.get(change.row)
        if register:
            candidates[change.row] = register
            best = register[0]
            level = "probable" if best.score >= PROBABLE else "possible"
            warnings.append(
                Problem(
                    f"{level}_duplicate",
                    Text(
                        "collection.maybe_duplicate",
                        name=best.name,
                        score=f"{best.score:.0f}",
                        commune=commune,
                    ),
                    change.row,
                    name_column,
                    "name",
                )
            )
        other = found.earlier.get(change.row)
        if other is not None and other not in kept:
            # The first alike was a row the registry refused: the first kept one, if any.
            other = _first_alike(name, earlier_in[commune])
        if other is not None:
            warnings.append(
                Problem(
                    "probable_duplicate_in_file",
                    Text("collection.duplicate_in_file", row=other),
                    change.row,
                    name_column,
                    "name",
                )
            )
        earlier_in[commune].append((change.row, name))
    return warnings, candidates
