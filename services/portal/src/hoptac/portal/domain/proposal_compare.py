"""A proposal beside its record, field by field: the value the record had when the proposal was
made (its base version), the value it has now, and what the proposal would set; a field the
record changed since is marked, so a reviewer sees what a stale proposal would overwrite.

The value at the base version is read from the registry's history, not kept by collection: the
first change of a field after the base version says what it was before; a field no later
version changed has the value it has now."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hoptac.portal.domain.review_form import field_paths


@dataclass(frozen=True)
class FieldSide:
    path: str
    then: Any  # the record's value at the proposal's base version
    now: Any  # the record's value at its current version
    proposed: Any  # what the proposal would set

    @property
    def changed_since(self) -> bool:
        return bool(self.then != self.now)


def value_at(record: Mapping[str, Any], path: str) -> Any:
    """A dotted path's value in a record, None where it has none."""
    node: Any = record
    for key in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def proposed_paths(change: Mapping[str, Any]) -> list[str]:
    """The fields a proposal sets: those of its record, and the status when it changes one."""
    return [*field_paths(change), *(["status"] if change.get("status") else [])]


def proposed_value(change: Mapping[str, Any], path: str) -> Any:
    if path == "status" and change.get("status"):
        return change["status"]
    return value_at(change.get("record") or {}, path)


def side_by_side(
    change: Mapping[str, Any],
    current: Mapping[str, Any],
    versions: Sequence[Mapping[str, Any]],
    base_version: int | None,
) -> list[FieldSide]:
    """Each field the proposal sets, then, now and proposed. `versions`: the registry's history
    of the record (each with its `version` and `changes`, `{field, before, after}` by path)."""
    first_before: dict[str, Any] = {}
    later = [v for v in versions if base_version is None or int(v["version"]) > base_version]
    for version in sorted(later, key=lambda v: int(v["version"])):
        for changed in version.get("changes") or []:
            first_before.setdefault(str(changed.get("field")), changed.get("before"))
    sides = []
    for path in proposed_paths(change):
        now = value_at(current, path)
        sides.append(
            FieldSide(path, first_before.get(path, now), now, proposed_value(change, path))
        )
    return sides


def shown(value: Any) -> str:
    """A list or object (financials, OCOP products) as compact text; other values as they are
    written by the page's own formatters."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
