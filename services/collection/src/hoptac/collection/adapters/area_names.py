"""Names of the current provinces and communes (read offline by `hoptac.platform.admin_units`),
so that reports show areas by name, never only by code."""

from __future__ import annotations

from functools import cache

from hoptac.platform.admin_units import current_rows


@cache
def _names() -> tuple[dict[str, str], dict[str, str]]:
    rows = current_rows()
    return (
        {row.province_code: row.province for row in rows},
        {row.code: row.name for row in rows},
    )


def province_name(code: str) -> str:
    return _names()[0].get(code, code)


def commune_name(code: str | None) -> str:
    if code is None:
        return "(chưa có mã xã/phường)"
    return _names()[1].get(code, code)
