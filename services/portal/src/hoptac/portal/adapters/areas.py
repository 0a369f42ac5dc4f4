"""Names of provinces and communes, current and former, so pages never show a bare code, and the
centroid of each current commune, where the map places its organisations.

Read once from the offline data file of the `vietnamadminunits` package (its address parser,
which may call an online geocoder, is not imported).
"""

from __future__ import annotations

import importlib.util
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

_CURRENT_SQL = """
    SELECT DISTINCT provinceCode, province, wardCode, ward, wardLat, wardLon FROM admin_units
"""
_LEGACY_SQL = """
    SELECT DISTINCT provinceCode, province, districtCode, district, wardCode, ward
    FROM admin_units_legacy
"""


@dataclass(frozen=True)
class AreaNames:
    provinces: dict[str, str] = field(default_factory=dict)
    communes: dict[str, str] = field(default_factory=dict)
    legacy_provinces: dict[str, str] = field(default_factory=dict)
    legacy_districts: dict[str, str] = field(default_factory=dict)
    legacy_communes: dict[str, str] = field(default_factory=dict)
    centroids: dict[str, tuple[float, float]] = field(default_factory=dict)  # commune: lat, lon
    province_of: dict[str, str] = field(default_factory=dict)  # current commune: its province

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
    with closing(sqlite3.connect(f"file:{_dataset()}?mode=ro", uri=True)) as db:
        for province_code, province, ward_code, ward, lat, lon in db.execute(_CURRENT_SQL):
            names.provinces[province_code] = province
            if ward_code:
                names.communes[ward_code] = ward
                names.province_of[ward_code] = province_code
            if ward_code and lat is not None and lon is not None:
                names.centroids[ward_code] = (float(lat), float(lon))
        for row in db.execute(_LEGACY_SQL):
            province_code, province, district_code, district, ward_code, ward = row
            names.legacy_provinces[province_code] = province
            if district_code:
                names.legacy_districts[district_code] = district
            if ward_code:
                names.legacy_communes[ward_code] = ward
    return names


def _dataset() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
