"""Names of provinces and communes, current and former, so pages never show a bare code, and the
centroid of each current commune, where the map places its organisations; from the platform's
reader of the official data (`hoptac.platform.admin_units`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hoptac.platform.admin_units import current_rows, legacy_rows


@dataclass(frozen=True)
class AreaNames:
    provinces: dict[str, str] = field(default_factory=dict)
    communes: dict[str, str] = field(default_factory=dict)
    legacy_provinces: dict[str, str] = field(default_factory=dict)
    legacy_districts: dict[str, str] = field(default_factory=dict)
    legacy_communes: dict[str, str] = field(default_factory=dict)
    centroids: dict[str, tuple[float, float]] = field(default_factory=dict)  # commune: lat, lon
    province_of: dict[str, str] = field(default_factory=dict)  # current commune: its province
    # Before 1 July 2025: each district's province and each commune's district.
    legacy_province_of: dict[str, str] = field(default_factory=dict)
    legacy_district_of: dict[str, str] = field(default_factory=dict)

    def name(self, level: str, code: str | None) -> str | None:
        """The name of the unit of `level` ("province", "legacy_district", …) with `code`."""
        if not code:
            return None
        names = {
            "province": self.provinces,
            "commune": self.communes,
            "legacy_province": self.legacy_provinces,
            "legacy_district": self.legacy_districts,
            "legacy_commune": self.legacy_communes,
        }.get(level, {})
        return names.get(code)


def load_area_names() -> AreaNames:
    names = AreaNames()
    for row in current_rows():
        names.provinces[row.province_code] = row.province
        names.communes[row.code] = row.name
        names.province_of[row.code] = row.province_code
        names.centroids[row.code] = (row.lat, row.lon)
    for legacy in legacy_rows():
        names.legacy_provinces[legacy.province_code] = legacy.province
        names.legacy_districts[legacy.district_code] = legacy.district
        names.legacy_province_of[legacy.district_code] = legacy.province_code
        if legacy.code is not None and legacy.name is not None:
            names.legacy_communes[legacy.code] = legacy.name
            names.legacy_district_of[legacy.code] = legacy.district_code
    return names
