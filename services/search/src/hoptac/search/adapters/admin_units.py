"""The names of administrative units from the offline data of the `vietnamadminunits` package.

Only its SQLite dataset is read: the package's address converter is not used, because it calls
an online geocoder for split communes. The registry reads the same data for its own purposes;
services share no code, so this is the search service's own small reader.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from contextlib import closing
from functools import cache
from pathlib import Path

from hoptac.search.domain.areas import AreaDirectory, Unit

_CURRENT_SQL = "SELECT provinceCode, province, wardCode, ward FROM admin_units"
_LEGACY_SQL = """
    SELECT provinceCode, province, districtCode, district, wardCode, ward
    FROM admin_units_legacy
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


def read_directory(data_dir: Path | None = None) -> AreaDirectory:
    directory = AreaDirectory()
    database = ((data_dir or _package_data_dir()) / "dataset.db").as_uri() + "?mode=ro"
    with closing(sqlite3.connect(database, uri=True)) as connection:
        for province_code, province, code, name in connection.execute(_CURRENT_SQL):
            directory.provinces.setdefault(province_code, Unit(province_code, _tidy(province)))
            directory.communes[code] = Unit(code, _tidy(name), province_code)
        for row in connection.execute(_LEGACY_SQL):
            province_code, province, district_code, district, code, name = row
            legacy = Unit(province_code, _tidy(province))
            directory.legacy_provinces.setdefault(province_code, legacy)
            directory.legacy_districts.setdefault(
                district_code, Unit(district_code, _tidy(district), province_code)
            )
            if code is not None:  # island districts had no communes
                directory.legacy_communes[code] = Unit(code, _tidy(name), district_code)
    return directory


@cache
def official_areas() -> AreaDirectory:
    """One per process: the data does not change while it runs."""
    return read_directory()
