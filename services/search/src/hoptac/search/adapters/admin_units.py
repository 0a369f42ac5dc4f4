"""The names of administrative units, from the platform's reader of the official data
(`hoptac.platform.admin_units`), shaped for search."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hoptac.platform.admin_units import current_rows, legacy_rows
from hoptac.search.domain.areas import AreaDirectory, Unit


def read_directory(data_dir: Path | None = None) -> AreaDirectory:
    directory = AreaDirectory()
    for row in current_rows(data_dir):
        directory.provinces.setdefault(row.province_code, Unit(row.province_code, row.province))
        directory.communes[row.code] = Unit(row.code, row.name, row.province_code)
    for legacy in legacy_rows(data_dir):
        province = Unit(legacy.province_code, legacy.province)
        directory.legacy_provinces.setdefault(legacy.province_code, province)
        directory.legacy_districts.setdefault(
            legacy.district_code, Unit(legacy.district_code, legacy.district, legacy.province_code)
        )
        if legacy.code is not None and legacy.name is not None:  # island districts had none
            directory.legacy_communes[legacy.code] = Unit(
                legacy.code, legacy.name, legacy.district_code
            )
    return directory


@cache
def official_areas() -> AreaDirectory:
    """One per process: the data does not change while it runs."""
    return read_directory()
