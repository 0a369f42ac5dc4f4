"""An organisation record as a JSON document: flattening, diffs, merge-patch and redaction.

Records are plain JSON-compatible dicts (dates as ISO strings) so that history, diffs and
as-of reads work the same on every field, nested ones included.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Any, NamedTuple

from hoptac.contracts.codes import OperatingInPractice
from hoptac.contracts.events import REDACTED
from hoptac.contracts.json_values import json_copy
from hoptac.contracts.organization import DigitalAdoption

# Fields that never leave through a public API nor an event: a representative's identity.
RESTRICTED_PATHS = frozenset({"legal_representative.id_number", "legal_representative.phone"})

# Objects whose fields are diffed one by one; every other value (lists included) is one field.
NESTED = frozenset(
    {"address", "address.legacy", "sector", "legal_representative", "contact", "digital"}
)

Record = dict[str, Any]


class Change(NamedTuple):
    """One field's change. A named tuple: a registration makes one per field, and a frozen
    dataclass took three times as long to make."""

    field: str
    before: Any
    after: Any


# A Change made without the Python call its class's constructor costs (half the time: a
# registration makes one per field).
_change = tuple.__new__


def flatten(record: Record, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if path in NESTED and isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def diff(before: Record, after: Record) -> list[Change]:
    old, new = flatten(before), flatten(after)
    changes = []
    for path in sorted(old.keys() | new.keys()):
        if old.get(path) != new.get(path):
            changes.append(Change(path, old.get(path), new.get(path)))
    return changes


def as_registered(record: Record) -> tuple[Record, list[Change]]:
    """A new organisation's current record and the changes that register it, made in one walk:
    `apply_changes({}, changes)` and `diff({}, record)`, each field set a change in the order
    of its path. The record is a copy of `record` without the fields that are None and the
    nested objects left empty, keys in the order of their paths (field by field, it took twice
    as long; walking once for both, a third less than twice)."""
    changes: list[Change] = []
    current = _registered(record, "", changes)
    changes.sort(key=_path)  # already in order where keys hold no character before "."
    return current, changes


def _registered(record: Record, prefix: str, changes: list[Change]) -> Record:
    result: Record = {}
    for key in sorted(record):
        value, path = record[key], f"{prefix}{key}"
        if path in NESTED and isinstance(value, dict):
            nested = _registered(value, f"{path}.", changes)
            if nested:
                result[key] = nested
        elif value is not None:
            result[key] = json_copy(value)
            changes.append(_change(Change, (path, None, value)))
    return result


_path = itemgetter(0)


# What a field removed by a merge patch (`null`) becomes when the record cannot be without it.
EMPTY: dict[str, Any] = {
    "digital": DigitalAdoption().model_dump(),
    "ocop_products": [],
    "financials": [],
    "operating_in_practice": OperatingInPractice.UNKNOWN.value,
}


def with_defaults(record: Record) -> Record:
    """The record with every field it cannot be without, reset to empty where it was removed.
    (Only the empty values the record lacks are copied; the keys keep their order.)"""
    defaults = {
        key: record[key] if key in record else json_copy(empty) for key, empty in EMPTY.items()
    }
    return {**defaults, **record}


def set_path(record: Record, path: str, value: Any) -> None:
    """Set a dotted path; None removes it, and an object left empty goes with it."""
    if value is None:
        _remove_path(record, path.split("."))
        return
    *parents, leaf = path.split(".")
    node = record
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[leaf] = value


def _remove_path(node: Record, keys: list[str]) -> None:
    head, *rest = keys
    if not rest:
        node.pop(head, None)
        return
    child = node.get(head)
    if isinstance(child, dict):
        _remove_path(child, rest)
        if not child:
            del node[head]


def apply_changes(record: Record, changes: Iterable[Change]) -> Record:
    result: Record = json_copy(record)
    for change in changes:
        set_path(result, change.field, json_copy(change.after))
    return result


def merge_patch(target: Record, patch: Record) -> Record:
    """RFC 7396 JSON merge patch: objects merge, null removes, anything else replaces."""
    result: Record = json_copy(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge_patch(result[key], value)
        else:
            result[key] = json_copy(value)
    return result


def public_view(record: Record) -> Record:
    """The record without its restricted fields. Only the objects that held one are copied:
    the rest is shared with `record`, which no reader of either changes."""
    result = dict(record)
    for path in RESTRICTED_PATHS:
        parent, _, leaf = path.rpartition(".")
        node = result.get(parent)
        if isinstance(node, dict) and leaf in node:
            result[parent] = {key: value for key, value in node.items() if key != leaf}
    return result


def redact(changes: Iterable[Change]) -> list[Change]:
    """Restricted fields still show as changed, so no change is silent, but without values."""
    return [
        Change(c.field, REDACTED, REDACTED) if c.field in RESTRICTED_PATHS else c for c in changes
    ]
