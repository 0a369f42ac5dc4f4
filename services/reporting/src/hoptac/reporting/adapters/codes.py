"""Small integers for the coded values the timeline stores: a narrower row is a faster scan.

The numbers are part of the stored data (changing one needs a migration and a rebuild); the
HTTP API and the domain only ever see the contract's strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hoptac.contracts.codes import Kind, SectorGroup, Status

CODES: dict[str, dict[str, int]] = {
    "kind": {value.value: number for number, value in enumerate(Kind, start=1)},
    "status": {value.value: number for number, value in enumerate(Status, start=1)},
    "sector_group": {value.value: number for number, value in enumerate(SectorGroup, start=1)},
}
OPERATING = CODES["status"]["operating"]
AGRICULTURE = CODES["sector_group"]["agriculture"]
# The two-way classes are grouped as booleans (status = operating, sector = agriculture).
CLASSES: dict[str, dict[str, bool]] = {
    "status_class": {"operating": True, "stopped": False},
    "sector_class": {"agriculture": True, "non_agriculture": False},
}
_STORED: dict[str, Mapping[str, Any]] = {**CODES, **CLASSES}
NAMES: dict[str, dict[Any, str]] = {
    column: {number: name for name, number in codes.items()} for column, codes in _STORED.items()
}


def encode(row: dict[str, Any]) -> dict[str, Any]:
    """A timeline row with its coded columns as numbers (in place, and returned)."""
    for column, codes in CODES.items():
        row[column] = codes[row[column]]
    return row


def decode(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row read back, with its coded columns and classes as the contract's strings."""
    decoded = dict(row)
    for column, names in NAMES.items():
        if decoded.get(column) is not None:
            decoded[column] = names[decoded[column]]
    return decoded


def wanted(column: str, values: Iterable[str]) -> list[Any]:
    """Filter values as stored: numbers for coded columns, the strings for the others."""
    codes = _STORED.get(column)
    return [codes[v] for v in values] if codes else list(values)
