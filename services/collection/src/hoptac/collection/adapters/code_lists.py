"""The code lists a template offers and an import checks: the contract's codes with their
Vietnamese labels, the official administrative units (current and before 1 July 2025, read
offline by `hoptac.platform.admin_units`) and the VSIC divisions the registry checks against."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from hoptac.collection.domain.cells import CodeLists, Codes
from hoptac.collection.domain.fields import CodeList
from hoptac.contracts import labels
from hoptac.platform.admin_units import current_rows, legacy_rows


@cache
def _units() -> dict[CodeList, Codes]:
    current = current_rows()
    legacy = legacy_rows()
    provinces = {row.province_code: row.province for row in current}
    communes = {row.code: f"{row.name}, {row.province}" for row in current}
    legacy_provinces = {row.province_code: row.province for row in legacy}
    districts = {row.district_code: f"{row.district}, {row.province}" for row in legacy}
    legacy_communes = {
        row.code: f"{row.name}, {row.district}, {row.province}" for row in legacy if row.code
    }
    return {
        CodeList.PROVINCE: Codes(provinces),
        CodeList.COMMUNE: Codes(communes),
        CodeList.LEGACY_PROVINCE: Codes(legacy_provinces),
        CodeList.LEGACY_DISTRICT: Codes(districts),
        CodeList.LEGACY_COMMUNE: Codes(legacy_communes),
    }


def code_lists(vsic_divisions: Mapping[str, str]) -> CodeLists:
    """Every list; `vsic_divisions` (code → name) as the registry publishes them."""
    return {
        CodeList.KIND: Codes(labels.KIND),
        CodeList.STATUS: Codes(labels.STATUS),
        CodeList.SECTOR_GROUP: Codes(labels.SECTOR_GROUP),
        CodeList.OPERATING: Codes(labels.OPERATING_IN_PRACTICE),
        CodeList.YES_NO: Codes({"true": "Có", "false": "Không"}),
        CodeList.VSIC: Codes(vsic_divisions),
        **_units(),
    }
