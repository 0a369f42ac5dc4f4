"""Small integers for the coded values the timeline stores: a narrower row is a faster scan.

The numbers are part of the stored data, written out here rather than taken from the order of
the contract's enums, so that adding or reordering a contract value never renumbers what is
stored (changing a number needs a migration and a rebuild; `tests/unit/test_codes.py` holds
them). The HTTP API and the domain only ever see the contract's strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hoptac.contracts.codes import Kind, SectorGroup, Status

CODES: dict[str, dict[str, int]] = {
    "kind": {
        Kind.COOPERATIVE: 1,
        Kind.COOPERATIVE_UNION: 2,
        Kind.COOPERATIVE_GROUP: 3,
        Kind.PEOPLES_CREDIT_FUND: 4,
    },
    "status": {
        Status.OPERATING: 1,
        Status.SUSPENDED: 2,
        Status.DISSOLVING: 3,
        Status.DISSOLVED: 4,
        Status.BANKRUPT: 5,
        Status.CERTIFICATE_REVOKED: 6,
    },
    "sector_group": {
        SectorGroup.AGRICULTURE: 1,
        SectorGroup.INDUSTRY_HANDICRAFT: 2,
        SectorGroup.CONSTRUCTION: 3,
        SectorGroup.TRADE_SERVICES: 4,
        SectorGroup.TRANSPORT: 5,
        SectorGroup.CREDIT: 6,
        SectorGroup.ENVIRONMENT: 7,
        SectorGroup.HOUSING: 8,
        SectorGroup.OTHER: 9,
    },
}
OPERATING = CODES["status"][Status.OPERATING]
AGRICULTURE = CODES["sector_group"][SectorGroup.AGRICULTURE]
# The two-way classes are grouped as booleans (status = operating, sector = agriculture).
CLASSES: dict[str, dict[str, bool]] = {
    "status_class": {"operating": True, "stopped": False},
    "sector_class": {"agriculture": True, "non_agriculture": False},
}
_STORED: dict[str, Mapping[str, Any]] = {**CODES, **CLASSES}
NAMES: dict[str, dict[Any, str]] = {
    column: {number: str(name) for name, number in codes.items()}
    for column, codes in _STORED.items()
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
