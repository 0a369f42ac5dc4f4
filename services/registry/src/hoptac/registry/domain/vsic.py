"""VSIC 2018 (Decision 27/2018/QĐ-TTg) and the sector groups every report uses.

Only sections and divisions (2 digits) are available offline, so a business-line code of 2 to 5
digits is accepted when its first two digits are a listed division. The division -> sector group
mapping is a default for forms and imports: an organisation's `sector.group` is stored as given.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType

from hoptac.platform.text import Text, shown


@dataclass(frozen=True)
class SectorGroup:
    code: str
    label: str


SECTOR_GROUPS: tuple[SectorGroup, ...] = (
    SectorGroup("agriculture", "Nông nghiệp"),
    SectorGroup("industry_handicraft", "Công nghiệp - Tiểu thủ công nghiệp"),
    SectorGroup("construction", "Xây dựng"),
    SectorGroup("trade_services", "Thương mại - Dịch vụ"),
    SectorGroup("transport", "Vận tải"),
    SectorGroup("credit", "Tín dụng"),
    SectorGroup("environment", "Môi trường"),
    SectorGroup("housing", "Nhà ở"),
    SectorGroup("other", "Khác"),
)

_GROUP_BY_SECTION = {
    "A": "agriculture",
    "B": "industry_handicraft",
    "C": "industry_handicraft",
    "D": "industry_handicraft",
    "E": "environment",
    "F": "construction",
    "G": "trade_services",
    "H": "transport",
    "I": "trade_services",
    "J": "trade_services",
    "K": "credit",
    "L": "housing",
    "M": "trade_services",
    "N": "trade_services",
    "O": "other",
    "P": "trade_services",
    "Q": "trade_services",
    "R": "trade_services",
    "S": "trade_services",
    "T": "other",
    "U": "other",
}
# Salt (0893 "Khai thác muối") sits in mining division 08 but is reported under agriculture.
_GROUP_BY_PREFIX = {"0893": "agriculture"}


@dataclass(frozen=True)
class VsicSection:
    code: str
    name: str


@dataclass(frozen=True)
class VsicDivision:
    code: str
    section: str
    name: str


class VsicCatalog:
    def __init__(self, sections: Iterable[VsicSection], divisions: Iterable[VsicDivision]) -> None:
        self.sections: Mapping[str, VsicSection] = MappingProxyType(
            {section.code: section for section in sections}
        )
        self.divisions: Mapping[str, VsicDivision] = MappingProxyType(
            {division.code: division for division in divisions}
        )

    @classmethod
    @cache
    def official(cls) -> VsicCatalog:
        """The catalogue shipped with the registry (domain/reference/)."""
        sections = [
            VsicSection(row["section"], row["name_vi"])
            for row in _reference_rows("vsic2018_sections.csv")
        ]
        divisions = [
            VsicDivision(row["division"], row["section"], row["name_vi"])
            for row in _reference_rows("vsic2018_divisions.csv")
        ]
        return cls(sections, divisions)

    def division(self, code: str) -> VsicDivision | None:
        return self.divisions.get(code)

    def check_code(self, code: str) -> Text | None:
        """Why a business-line code is refused, or None when it is accepted."""
        if not (
            isinstance(code, str) and code.isascii() and code.isdigit() and 2 <= len(code) <= 5
        ):
            return Text("registry.vsic_not_digits", code=shown(code))
        if code[:2] not in self.divisions:
            missing = ", ".join(
                f"{n:02d}" for n in range(1, 100) if f"{n:02d}" not in self.divisions
            )
            return Text(
                "registry.vsic_no_division",
                code=shown(code),
                division=shown(code[:2]),
                missing=missing,
            )
        return None

    def default_sector_group(self, code: str) -> str:
        """The sector group a business line is reported under unless the organisation says
        otherwise; `code` is a division or any finer code (2 to 5 digits)."""
        problem = self.check_code(code)
        if problem is not None:
            raise ValueError(f"{code!r} is not a VSIC 2018 code")
        for prefix, group in _GROUP_BY_PREFIX.items():
            if code.startswith(prefix):
                return group
        return _GROUP_BY_SECTION[self.divisions[code[:2]].section]


def _reference_rows(name: str) -> list[dict[str, str]]:
    text = files("hoptac.registry.domain").joinpath("reference", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


VSIC_DIVISIONS: Mapping[str, VsicDivision] = VsicCatalog.official().divisions
