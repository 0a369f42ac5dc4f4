"""A data row of an uploaded file read into the change it asks for: every cell read by its
column's field, problems kept by row and column, and the fields nested as the registry takes
them (`address.commune_code` → {"address": {"commune_code": …}})."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from hoptac.collection.domain.cells import CellProblem, CodeLists, read_cell
from hoptac.collection.domain.fields import BY_PATH, CONTROL_PATHS, FIELDS, Field
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
        parents, leaf, has_number = _parts(path)
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
        numbered = numbered or has_number
    if not numbered:  # most rows: no list to make, the objects are already as they stay
        return root
    nested: dict[str, Any] = _lists(root)
    return nested


@lru_cache(maxsize=1024)  # the fields' paths, and the numbered ones a file's columns name
def _parts(path: str) -> tuple[tuple[str, ...], str, bool]:
    """A dotted path's parents and leaf, and whether a part of it is a number."""
    *parents, leaf = path.split(".")
    return tuple(parents), leaf, any(part.isdigit() for part in (*parents, leaf))


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


Read = tuple[bool, Any]  # (True, the value) or (False, the CellProblem)
MEMO_PER_COLUMN = 4_096  # distinct values of one column read once each; the rest every time


class RowReader:
    """The rows of one file read with its columns' fields (`paths[i]`: the field of column i,
    None for a column the import ignores) and code lists. A file repeats its kinds, places,
    dates, counts and answers down thousands of rows: each column's distinct cells are read
    once (up to `MEMO_PER_COLUMN` of them; a column of names or numbers, all different, is
    read cell by cell), by value and type, since True, 1 and 1.0 are equal keys that do not
    read alike. Reading a cell is a pure function of the cell, its field and the lists."""

    def __init__(self, paths: Sequence[str | None], code_lists: CodeLists) -> None:
        self.paths = paths
        self.code_lists = code_lists
        self._columns: list[tuple[int, str, Field, str, dict[tuple[type, Any], Read]]] = [
            (index, path, BY_PATH[path], column_letter(index), {})
            for index, path in enumerate(paths)
            if path is not None
        ]

    def read(self, row: int, cells: Sequence[Any]) -> ReadRow:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for index, path, column_field, column, memo in self._columns:
            raw = cells[index] if index < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            key = (raw.__class__, raw)
            read = memo.get(key)
            if read is None:
                try:
                    read = (True, read_cell(raw, column_field, self.code_lists))
                except CellProblem as problem:
                    read = (False, problem)
                if len(memo) < MEMO_PER_COLUMN:
                    memo[key] = read
            value = read[1]
            if read[0]:
                # A list (a column of several codes) is each row's own, as when read anew.
                values[path] = list(value) if isinstance(value, list) else value
            else:
                problems.append(Problem(value.code, value.message, row, column, path))
        return _checked(row, self.paths, values, problems)


def read_row(
    row: int, paths: Sequence[str | None], cells: Sequence[Any], code_lists: CodeLists
) -> ReadRow:
    """`paths[i]` is the field of column i (None: a column this import ignores)."""
    return RowReader(paths, code_lists).read(row, cells)


def _checked(
    row: int, paths: Sequence[str | None], values: dict[str, Any], problems: list[Problem]
) -> ReadRow:
    """The change a row's cells ask for, or what keeps it from being one."""
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


_REQUIRED = [f for f in FIELDS if f.required]


def _missing(row: int, paths: Sequence[str | None], values: dict[str, Any]) -> list[Problem]:
    return [
        _problem(
            row, paths, f.path, "missing", Text("collection.required_for_new", header=f.header)
        )
        for f in _REQUIRED
        if f.path not in values
    ]


def _problem(row: int, paths: Sequence[str | None], path: str, code: str, message: Text) -> Problem:
    column = column_letter(paths.index(path)) if path in paths else None
    return Problem(code, message, row, column, path)
