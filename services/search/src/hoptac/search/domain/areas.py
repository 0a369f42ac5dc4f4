"""The names of administrative units, by code: what a record's codes are called, current
(province, commune) and before the 1 July 2025 reorganisation (province, district, commune).

The directory is plain data; `adapters/admin_units.py` fills it from the offline data of the
`vietnamadminunits` package. A code the directory does not know gives no name, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class AreaNames:
    """The names of the units one record is in; None where the record has no code, or an
    unknown one."""

    commune: str | None = None
    province: str | None = None
    legacy_commune: str | None = None
    legacy_district: str | None = None
    legacy_province: str | None = None

    def all(self) -> list[str]:
        """Each name once (a province that kept its name is one name)."""
        names = (
            self.commune,
            self.province,
            self.legacy_commune,
            self.legacy_district,
            self.legacy_province,
        )
        return list(dict.fromkeys(name for name in names if name))


@dataclass(frozen=True)
class Unit:
    code: str
    name: str  # with its unit type, as officially written: "Xã Tân Hưng", "Tỉnh Cà Mau"
    parent: str | None = None  # the code of the unit it belongs to


@dataclass(frozen=True)
class AreaDirectory:
    provinces: dict[str, Unit] = field(default_factory=dict)
    communes: dict[str, Unit] = field(default_factory=dict)  # parent: province
    legacy_provinces: dict[str, Unit] = field(default_factory=dict)
    legacy_districts: dict[str, Unit] = field(default_factory=dict)  # parent: legacy province
    legacy_communes: dict[str, Unit] = field(default_factory=dict)  # parent: legacy district

    def __post_init__(self) -> None:
        # Records hold a few thousand combinations of codes: each is looked up once.
        object.__setattr__(self, "names_for", lru_cache(maxsize=50_000)(self._names_for))

    def names_for(
        self,
        province: str | None,
        commune: str | None,
        legacy_province: str | None,
        legacy_district: str | None,
        legacy_commune: str | None,
    ) -> AreaNames:
        """The names of a record's units; a legacy commune also names its district and
        province when the record does not give them."""
        return self._names_for(province, commune, legacy_province, legacy_district, legacy_commune)

    def _names_for(
        self,
        province: str | None,
        commune: str | None,
        legacy_province: str | None,
        legacy_district: str | None,
        legacy_commune: str | None,
    ) -> AreaNames:
        old_commune = self.legacy_communes.get(legacy_commune or "")
        legacy_district = legacy_district or (old_commune.parent if old_commune else None)
        old_district = self.legacy_districts.get(legacy_district or "")
        legacy_province = legacy_province or (old_district.parent if old_district else None)
        return AreaNames(
            commune=_name(self.communes, commune),
            province=_name(self.provinces, province),
            legacy_commune=old_commune.name if old_commune else None,
            legacy_district=old_district.name if old_district else None,
            legacy_province=_name(self.legacy_provinces, legacy_province),
        )


def _name(units: dict[str, Unit], code: str | None) -> str | None:
    unit = units.get(code or "")
    return unit.name if unit else None


NO_AREAS = AreaDirectory()
