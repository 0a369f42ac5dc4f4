"""The official administrative units, read offline from the `vietnamadminunits` package's data.

One reader for every service: the 34 provinces and 3,321 communes since 1 July 2025, the 63
provinces, 696 districts and 10,035 communes before, and the package's table of what each old
unit became. Only its data files are read: its address converter calls an online geocoder for
split communes, and its `__init__` loads a parser (about 0.8 s) nobody here needs. Each service
shapes these rows for its own use.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_CURRENT_SQL = """
    SELECT provinceCode, province, provinceKey, wardCode, ward, wardKey, wardLat, wardLon
    FROM admin_units ORDER BY provinceCode, wardCode
"""
# Island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) had no communes: their
# single row carries no ward.
_LEGACY_SQL = """
    SELECT provinceCode, province, provinceKey, districtCode, district, districtKey,
           wardCode, ward, wardKey
    FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode
"""

# The data spells a few unit types with a capital second word ("Thị Trấn Năm Căn").
_UNIT_TYPE_SPELLING = {"Thị Trấn ": "Thị trấn ", "Thành Phố ": "Thành phố ", "Thị Xã ": "Thị xã "}


def tidy(name: str) -> str:
    for wrong, right in _UNIT_TYPE_SPELLING.items():
        if name.startswith(wrong):
            return right + name[len(wrong) :]
    return name


@dataclass(frozen=True)
class CurrentRow:
    """One current commune with its province; keys are the package's normalised names."""

    province_code: str
    province: str
    province_key: str
    code: str
    name: str
    key: str
    lat: float
    lon: float


@dataclass(frozen=True)
class LegacyRow:
    """One commune before 1 July 2025 with its district and province (an island district that
    had no commune has `code`, `name` and `key` None)."""

    province_code: str
    province: str
    province_key: str
    district_code: str
    district: str
    district_key: str
    code: str | None
    name: str | None
    key: str | None


def data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _rows(sql: str, directory: Path | None) -> Iterator[tuple[Any, ...]]:
    database = ((directory or data_dir()) / "dataset.db").as_uri() + "?mode=ro"
    with closing(sqlite3.connect(database, uri=True)) as connection:
        yield from connection.execute(sql)


def current_rows(directory: Path | None = None) -> list[CurrentRow]:
    return [
        CurrentRow(p, tidy(province), pkey, code, tidy(name), key, float(lat), float(lon))
        for p, province, pkey, code, name, key, lat, lon in _rows(_CURRENT_SQL, directory)
    ]


def legacy_rows(directory: Path | None = None) -> list[LegacyRow]:
    return [
        LegacyRow(
            p,
            tidy(province),
            pkey,
            d,
            tidy(district),
            dkey,
            code,
            tidy(name) if name else None,
            key,
        )
        for p, province, pkey, d, district, dkey, code, name, key in _rows(_LEGACY_SQL, directory)
    ]


def converter(directory: Path | None = None) -> dict[str, Any]:
    """The package's table of what each pre-2025 province and commune became (by key)."""
    path = (directory or data_dir()) / "converter_2025.json"
    table: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return table
