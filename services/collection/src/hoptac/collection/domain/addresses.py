"""A row whose address is only free text gets the unit codes read from it; the registry maps a
pre-2025 commune to the current one, and names the candidates of a split one for a reviewer."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from hoptac.collection.domain.problems import Problem
from hoptac.collection.domain.rows import RowChange
from hoptac.platform.text import Text


@dataclass(frozen=True)
class ReadAddress:
    street: str | None
    province_code: str
    commune_code: str | None = None  # since 1 July 2025
    legacy: dict[str, str] | None = None  # province, district and commune codes before


def needs_reading(change: RowChange) -> bool:
    address = change.record.get("address") or {}
    legacy = address.get("legacy") or {}
    return bool(address.get("text")) and not (
        address.get("commune_code") or legacy.get("commune_code")
    )


def addressed(
    change: RowChange, read: Callable[[str], ReadAddress | None], column: str | None
) -> tuple[RowChange, Problem | None]:
    """The change with the codes its address text names, or a warning saying none were read."""
    address = dict(change.record.get("address") or {})
    found = read(address["text"])
    if found is None or address.get("province_code", found.province_code) != found.province_code:
        message = Text("collection.address_not_read")
        if found is not None:
            message = Text("collection.address_other_province", province=found.province_code)
        return change, Problem("address_not_read", message, change.row, column, "address.text")
    address["province_code"] = found.province_code
    if found.street and not address.get("street"):
        address["street"] = found.street
    if found.commune_code:
        address["commune_code"] = found.commune_code
    if found.legacy:
        address["legacy"] = found.legacy
    return dataclasses.replace(change, record={**change.record, "address": address}), None
