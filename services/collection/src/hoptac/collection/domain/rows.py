"""A data row of an uploaded file read into the change it asks for: every cell read by its
column's field, problems kept by row and column, and the fields nested as the registry takes
them (`address.commune_code` → {"address": {"commune_code": …}})."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from hoptac.collection.domain.cells import CellProblem, CodeLists, read_cell
from hoptac.collection.domain.fields import BY_PATH, CONTROL_PATHS, FIELDS
from hoptac.collection.domain.problems import Problem, column_letter
from hoptac.contracts.codes import Status
from hoptac.platform.text import Text


@dataclass(frozen=True)
class RowChange:
    """What one valid row asks: register a new organisation, or change an existing one."""

    row: int
    organization_id: UUID | None
    record: dict[str, Any]  # the fields the row fills, nested
    status: str | None = None
    status_reason: str | None = None
    effective_date: str | None = None

    def key(self) -> str:
        """The row's identity: the same change from any file has the same key."""
        canonical = json.dumps(
            [
                str(self.organization_id or ""),
                self.record,
                self.status,
                self.status_reason,
                self.effective_date,
            ],
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class ReadRow:
    row: int
    change: RowChange | None
    problems: list[Problem] = field(default_factory=list)


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Dotted paths to nested objects; numbered parts make lists, empty slots left out."""
    root: dict[str, Any] = {}
    numbered = False
    for path, value in flat.items():
        node = root
        *parents, leaf = path.split(".")
        for part in parents:
            numbered = numbered or part.isdigit()
            node = node.setdefault(part, {})
        node[leaf] = value
        numbered = numbered or leaf.isdigit()
    if not numbered:  # most rows: no list to make, the objects are already as they stay
        return root
    nested: dict[str, Any] = _lists(root)
    return nested


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def read_row(
    row: int, paths: Sequence[str | None], cells: Sequence[Any], code_lists: CodeLists
) -> ReadRow:
    """`paths[i]` is the field of column i (None: a column this import ignores)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for index, path in enumerate(paths):
        raw = cells[index] if index < len(cells) else None
        if path is None or raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            values[path] = read_cell(raw, BY_PATH[path], code_lists)
        except CellProblem as problem:
            problems.append(Problem(problem.code, problem.message, row, column_letter(index), path))
    given_id = values.pop("id", None)
    organization_id = None
    if given_id is not None:
        try:
            organization_id = UUID(given_id)
        except ValueError:
            problems.append(_problem(row, paths, "id", "type_error", Text("collection.id_shape")))
    if organization_id is None and given_id is None:
        unread = {p.field for p in problems}
        problems.extend(p for p in _missing(row, paths, values) if p.field not in unread)
        status = values.get("status")
        if status not in (None, Status.OPERATING):
            problems.append(
                _problem(
                    row,
                    paths,
                    "status",
                    "new_record_status",
                    Text("collection.new_record_status"),
                )
            )
    if values.get("status") and not values.get("status_reason") and given_id is not None:
        problems.append(
            _problem(
                row, paths, "status_reason", "missing", Text("collection.status_reason_needed")
            )
        )
    if problems:
        return ReadRow(row, None, problems)
    record = nest({path: value for path, value in values.items() if path not in CONTROL_PATHS})
    change = RowChange(
        row,
        organization_id,
        record,
        status=values.get("status") if organization_id else None,
        status_reason=values.get("status_reason"),
        effective_date=values.get("effective_date"),
    )
    if organization_id is not None and not record and change.status is None:
        return ReadRow(row, None, [Problem("empty_change", Text("collection.empty_change"), row)])
    return ReadRow(row, change)


def _missing(row: int, paths: Sequence[str | None], values: dict[str, Any]) -> list[Problem]:
    return [
        _problem(
            row, paths, f.path, "missing", Text("collection.required_for_new", header=f.header)
        )
        for f in FIELDS
        if f.required and f.path not in values
    ]


def _problem(row: int, paths: Sequence[str | None], path: str, code: str, message: Text) -> Problem:
    column = column_letter(paths.index(path)) if path in paths else None
    return Problem(code, message, row, column, path)
