"""Free-text addresses, old or new form, read into unit codes with `vietnamadminunits`, offline.

Its parser runs on its own data; its converter would ask an online geocoder for communes split in
2025, so it is not used, and the geocoder is switched off besides: a pre-2025 address is read
into its pre-2025 codes, and the registry maps those to the current commune, or, for a split
commune, leaves it empty and names the candidates for a reviewer to choose.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from hoptac.collection.domain.addresses import ReadAddress

LEVEL_FROM_2025 = 2  # province, commune
LEVEL_LEGACY = 3  # province, district, commune


@cache
def _parser() -> Any:
    """The package, loaded once when an address needs it (its parser takes a moment)."""
    import vietnamadminunits  # type: ignore[import-untyped]  # the package ships no types
    from vietnamadminunits.converter import converter_2025  # type: ignore[import-untyped]

    converter_2025.get_geo_location = lambda *args, **kwargs: None  # never online
    return vietnamadminunits


# A district names a pre-2025 address: there are none since 1 July 2025.
_DISTRICT = re.compile(r"\b(huyện|quận|thị xã|huyen|quan|thi xa)\b", re.IGNORECASE)


def read_address(text: str) -> ReadAddress | None:
    """The units of an address: its pre-2025 form when it names a district, else its current
    form, else its pre-2025 form; None when no commune is recognised."""
    readers = (_legacy, _current) if _DISTRICT.search(text) else (_current, _legacy)
    for reader in readers:
        found = reader(text)
        if found is not None:
            return found
    return None


def _current(text: str) -> ReadAddress | None:
    read = _parser().parse_address(text, mode="FROM_2025", level=LEVEL_FROM_2025)
    if not read.ward_code:
        return None
    return ReadAddress(read.street, read.province_code, read.ward_code)


def _legacy(text: str) -> ReadAddress | None:
    read = _parser().parse_address(text, mode="LEGACY", level=LEVEL_LEGACY)
    if not read.ward_code:
        return None
    codes = {
        "province_code": read.province_code,
        "district_code": read.district_code,
        "commune_code": read.ward_code,
    }
    return ReadAddress(read.street, read.province_code, legacy=codes)
