"""The official administrative units (read by `hoptac.platform.admin_units`) behind the
registry's AdministrativeUnits port. The package's converter table names units by normalised keys
("tinhcamau_huyencainuoc_xadonghung"), which are resolved to codes here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hoptac.platform.admin_units import (
    CurrentRow,
    LegacyRow,
    converter,
    current_rows,
    legacy_rows,
)
from hoptac.registry.domain.areas import Commune, LegacyCommune, LegacyDistrict, Province


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
    def from_rows(cls, rows: Iterable[CurrentRow]) -> _CurrentUnits:
        units = cls()
        for row in rows:
            units.provinces.setdefault(row.province_code, Province(row.province_code, row.province))
            commune = Commune(row.code, row.name, row.province_code, row.lat, row.lon)
            units.communes[row.code] = commune
            units.communes_by_province[row.province_code].append(commune)
            units.province_by_key[row.province_key] = row.province_code
            units.commune_by_key[row.province_key, row.key] = row.code
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
    def from_rows(cls, rows: Iterable[LegacyRow]) -> _LegacyUnits:
        units = cls()
        for row in rows:
            province = Province(row.province_code, row.province)
            units.provinces.setdefault(row.province_code, province)
            units.districts.setdefault(
                row.district_code,
                LegacyDistrict(row.district_code, row.district, row.province_code),
            )
            units.province_by_key[row.province_key] = row.province_code
            if row.code is None or row.name is None:
                continue
            commune = LegacyCommune(row.code, row.name, row.district_code, row.province_code)
            units.communes[row.code] = commune
            units.communes_by_province[row.province_code].append(commune)
            units.commune_by_key[f"{row.province_key}_{row.district_key}_{row.key}"] = row.code
        return units


class OfficialAdministrativeUnits:
    """The AdministrativeUnits port over the package's data, held in dicts after construction."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self._current = _CurrentUnits.from_rows(current_rows(data_dir))
        self._legacy = _LegacyUnits.from_rows(legacy_rows(data_dir))
        table = converter(data_dir)

        self._current_province_for_legacy = {
            self._legacy.province_by_key[legacy_key]: self._current.province_by_key[current_key]
            for current_key, legacy_keys in table["DICT_PROVINCE"].items()
            for legacy_key in legacy_keys
        }
        self._legacy_provinces_by_current: dict[str, list[Province]] = defaultdict(list)
        for legacy_code, current_code in sorted(self._current_province_for_legacy.items()):
            self._legacy_provinces_by_current[current_code].append(
                self._legacy.provinces[legacy_code]
            )
        self._current_communes_for_legacy = _current_communes_for_legacy(
            table, self._legacy.commune_by_key, self._current.commune_by_key
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
