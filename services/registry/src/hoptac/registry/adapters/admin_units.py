"""Administrative units from the offline data of the `vietnamadminunits` package.

Only its data files are read (`dataset.db`, `converter_2025.json`); its address converter is not
used, because it calls an online geocoder for split communes. The converter file names units by
normalised keys ("tinhcamau_huyencainuoc_xadonghung"), which are resolved to codes here.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hoptac.registry.domain.areas import Commune, LegacyCommune, LegacyDistrict, Province

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


def _tidy(name: str) -> str:
    for wrong, right in _UNIT_TYPE_SPELLING.items():
        if name.startswith(wrong):
            return right + name[len(wrong) :]
    return name


def _package_data_dir() -> Path:
    # find_spec locates the package without importing it: its __init__ loads an address parser
    # (about 0.8 s) that is not used here.
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@dataclass
class _CurrentUnits:
    provinces: dict[str, Province] = field(default_factory=dict)
    communes: dict[str, Commune] = field(default_factory=dict)
    communes_by_province: dict[str, list[Commune]] = field(
        default_factory=lambda: defaultdict(list)
    )
    province_by_key: dict[str, str] = field(default_factory=dict)
    commune_by_key: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[Any, ...]]) -> _CurrentUnits:
        units = cls()
        for province_code, province, province_key, code, name, ward_key, lat, lon in rows:
            units.provinces.setdefault(province_code, Province(province_code, _tidy(province)))
            commune = Commune(code, _tidy(name), province_code, float(lat), float(lon))
            units.communes[code] = commune
            units.communes_by_province[province_code].append(commune)
            units.province_by_key[province_key] = province_code
            units.commune_by_key[province_key, ward_key] = code
        return units


@dataclass
class _LegacyUnits:
    provinces: dict[str, Province] = field(default_factory=dict)
    districts: dict[str, LegacyDistrict] = field(default_factory=dict)
    communes: dict[str, LegacyCommune] = field(default_factory=dict)
    communes_by_province: dict[str, list[LegacyCommune]] = field(
        default_factory=lambda: defaultdict(list)
    )
    province_by_key: dict[str, str] = field(default_factory=dict)
    commune_by_key: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[Any, ...]]) -> _LegacyUnits:
        units = cls()
        for row in rows:
            province_code, province, province_key, district_code, district, district_key = row[:6]
            code, name, ward_key = row[6:]
            units.provinces.setdefault(province_code, Province(province_code, _tidy(province)))
            units.districts.setdefault(
                district_code, LegacyDistrict(district_code, _tidy(district), province_code)
            )
            units.province_by_key[province_key] = province_code
            if code is None:
                continue
            commune = LegacyCommune(code, _tidy(name), district_code, province_code)
            units.communes[code] = commune
            units.communes_by_province[province_code].append(commune)
            units.commune_by_key[f"{province_key}_{district_key}_{ward_key}"] = code
        return units


class OfficialAdministrativeUnits:
    """The AdministrativeUnits port over the package's data, held in dicts after construction."""

    def __init__(self, data_dir: Path | None = None) -> None:
        data_dir = data_dir or _package_data_dir()
        database = (data_dir / "dataset.db").as_uri() + "?mode=ro"
        with closing(sqlite3.connect(database, uri=True)) as connection:
            self._current = _CurrentUnits.from_rows(connection.execute(_CURRENT_SQL))
            self._legacy = _LegacyUnits.from_rows(connection.execute(_LEGACY_SQL))
        converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))

        self._current_province_for_legacy = {
            self._legacy.province_by_key[legacy_key]: self._current.province_by_key[current_key]
            for current_key, legacy_keys in converter["DICT_PROVINCE"].items()
            for legacy_key in legacy_keys
        }
        self._legacy_provinces_by_current: dict[str, list[Province]] = defaultdict(list)
        for legacy_code, current_code in sorted(self._current_province_for_legacy.items()):
            self._legacy_provinces_by_current[current_code].append(
                self._legacy.provinces[legacy_code]
            )
        self._current_communes_for_legacy = _current_communes_for_legacy(
            converter, self._legacy.commune_by_key, self._current.commune_by_key
        )

    def province(self, code: str) -> Province | None:
        return self._current.provinces.get(code)

    def commune(self, code: str) -> Commune | None:
        return self._current.communes.get(code)

    def communes_of(self, province_code: str) -> list[Commune]:
        return list(self._current.communes_by_province.get(province_code, ()))

    def provinces(self) -> list[Province]:
        return list(self._current.provinces.values())

    def legacy_province(self, code: str) -> Province | None:
        return self._legacy.provinces.get(code)

    def legacy_district(self, code: str) -> LegacyDistrict | None:
        return self._legacy.districts.get(code)

    def legacy_commune(self, code: str) -> LegacyCommune | None:
        return self._legacy.communes.get(code)

    def current_communes_for_legacy(self, legacy_commune_code: str) -> list[str]:
        """For a split commune the package's default (where most of it went) comes first."""
        return list(self._current_communes_for_legacy.get(legacy_commune_code, ()))

    def current_province_for_legacy(self, legacy_province_code: str) -> str | None:
        return self._current_province_for_legacy.get(legacy_province_code)

    def legacy_provinces_of(self, province_code: str) -> list[Province]:
        """The legacy provinces that became (part of) a current province."""
        return list(self._legacy_provinces_by_current.get(province_code, ()))

    def legacy_communes_of(self, legacy_province_code: str) -> list[LegacyCommune]:
        return list(self._legacy.communes_by_province.get(legacy_province_code, ()))


def _current_communes_for_legacy(
    converter: Mapping[str, Any],
    legacy_commune_by_key: Mapping[str, str],
    current_commune_by_key: Mapping[tuple[str, str], str],
) -> dict[str, tuple[str, ...]]:
    """Legacy commune code -> current commune codes, from the converter's two tables: current
    communes with the legacy ones that went into them whole, and legacy communes that were split
    with the current communes that took a part."""
    mapping: dict[str, tuple[str, ...]] = {}
    for province_key, communes in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, legacy_keys in communes.items():
            whole = current_commune_by_key.get((province_key, ward_key))
            for legacy_key in legacy_keys:
                legacy = legacy_commune_by_key.get(legacy_key)
                if legacy is not None and whole is not None:
                    mapping[legacy] = (whole,)
    for province_key, split_communes in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for legacy_key, parts in split_communes.items():
            legacy = legacy_commune_by_key.get(legacy_key)
            ordered = sorted(parts, key=lambda part: not part["isDefaultNewWard"])
            keys = [(province_key, part["newWardKey"]) for part in ordered]
            if legacy is not None:
                mapping[legacy] = tuple(
                    current_commune_by_key[key] for key in keys if key in current_commune_by_key
                )
    return mapping


@cache
def official_units() -> OfficialAdministrativeUnits:
    """One shared instance per process: the data never changes while it runs."""
    return OfficialAdministrativeUnits()
