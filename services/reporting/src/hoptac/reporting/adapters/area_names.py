"""The names of administrative units by grouping key, from the platform's reader of the official
data, so that rows name their areas (`province_label`, …) instead of showing only a code."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from hoptac.platform.admin_units import current_rows, legacy_rows


@cache
def official_area_names() -> Mapping[str, Mapping[str, str]]:
    current, legacy = current_rows(), legacy_rows()
    return {
        "province": {row.province_code: row.province for row in current},
        "commune": {row.code: row.name for row in current},
        "legacy_province": {row.province_code: row.province for row in legacy},
        "legacy_district": {row.district_code: row.district for row in legacy},
        "legacy_commune": {row.code: row.name for row in legacy if row.code and row.name},
    }
