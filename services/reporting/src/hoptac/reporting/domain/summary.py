"""The provincial collective-economy summary, composed from counts by (kind, status, sector).

"Stopped" is every status but `operating`, as in the provinces' reports. Digital-adoption rates
are shares of the organisations operating on the day, the ones such a survey asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.reporting.domain import labels
from hoptac.reporting.domain.facts import OCOP_STARS

OPERATING = "operating"
AGRICULTURE = "agriculture"


@dataclass
class Tally:
    organizations: int = 0
    operating: int = 0
    stopped: int = 0
    members: int = 0
    workers: int = 0
    charter_capital: int = 0

    def add(self, cell: Mapping[str, Any]) -> None:
        count = int(cell["organizations"])
        self.organizations += count
        if cell["status"] == OPERATING:
            self.operating += count
        else:
            self.stopped += count
        self.members += int(cell["members"])
        self.workers += int(cell["workers"])
        self.charter_capital += int(cell["charter_capital"])

    def as_dict(self) -> dict[str, int]:
        return {
            "organizations": self.organizations,
            "operating": self.operating,
            "stopped": self.stopped,
            "members": self.members,
            "workers": self.workers,
            "charter_capital": self.charter_capital,
        }


@dataclass
class Summary:
    totals: Tally = field(default_factory=Tally)
    by_status: dict[str, Tally] = field(default_factory=dict)
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_sector: dict[str, Tally] = field(default_factory=dict)
    by_sector_class: dict[str, Tally] = field(default_factory=dict)
    ocop_products: dict[int, int] = field(default_factory=dict)
    ocop_organizations: int = 0
    digital: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        base = self.totals.operating
        return {
            "totals": self.totals.as_dict(),
            "by_status": _rows("status", self.by_status, labels.STATUS),
            "by_kind": _rows("kind", self.by_kind, labels.KIND),
            "by_sector_class": _rows("sector_class", self.by_sector_class, labels.SECTOR_CLASS),
            "by_sector_group": _rows("sector_group", self.by_sector, labels.SECTOR_GROUP),
            "ocop": {
                "organizations": self.ocop_organizations,
                "products": sum(self.ocop_products.values()),
                "by_stars": [
                    {"stars": stars, "products": self.ocop_products.get(stars, 0)}
                    for stars in OCOP_STARS
                ],
            },
            "digital": {
                "base": base,
                "base_label": "Số tổ chức đang hoạt động",
                "rates": [
                    {
                        "flag": flag,
                        "label": labels.DIGITAL[flag],
                        "organizations": self.digital.get(flag, 0),
                        "rate": round(self.digital.get(flag, 0) / base, 4) if base else None,
                    }
                    for flag in DIGITAL_FLAGS
                ],
            },
        }


def _rows(key: str, tallies: Mapping[str, Tally], names: Mapping[str, str]) -> list[dict[str, Any]]:
    order = list(names)
    ranked = sorted(tallies, key=lambda code: order.index(code) if code in order else len(order))
    return [
        {key: code, "label": names.get(code, code), **tallies[code].as_dict()} for code in ranked
    ]


def _tally(tallies: dict[str, Tally], key: str) -> Tally:
    return tallies.setdefault(key, Tally())


def summarize(cells: Iterable[Mapping[str, Any]]) -> Summary:
    """`cells`: counts by (kind, status, sector_group) with OCOP and digital sums."""
    summary = Summary()
    for cell in cells:
        sector_class = AGRICULTURE if cell["sector_group"] == AGRICULTURE else "non_agriculture"
        for tally in (
            summary.totals,
            _tally(summary.by_status, cell["status"]),
            _tally(summary.by_kind, cell["kind"]),
            _tally(summary.by_sector, cell["sector_group"]),
            _tally(summary.by_sector_class, sector_class),
        ):
            tally.add(cell)
        for stars in OCOP_STARS:
            summary.ocop_products[stars] = summary.ocop_products.get(stars, 0) + int(
                cell[f"ocop_{stars}"] or 0
            )
        summary.ocop_organizations += int(cell["ocop_orgs"])
        if cell["status"] == OPERATING:
            for flag in DIGITAL_FLAGS:
                summary.digital[flag] = summary.digital.get(flag, 0) + int(cell[f"digital_{flag}"])
    for code in (AGRICULTURE, "non_agriculture"):
        _tally(summary.by_sector_class, code)
    return summary


def table_rows(summary: Mapping[str, Any]) -> Sequence[tuple[str, str, object, str]]:
    """The summary as (section, indicator, value, unit) lines, for CSV and workbooks."""
    lines: list[tuple[str, str, object, str]] = []
    totals = summary["totals"]
    section = "Tổng quan"
    lines += [
        (section, "Tổng số tổ chức kinh tế tập thể", totals["organizations"], "tổ chức"),
        (section, "Đang hoạt động", totals["operating"], "tổ chức"),
        (section, "Ngừng hoạt động (mọi tình trạng khác)", totals["stopped"], "tổ chức"),
        (section, "Tổng số thành viên", totals["members"], "người"),
        (section, "Tổng số lao động thường xuyên", totals["workers"], "người"),
        (section, "Tổng vốn điều lệ", totals["charter_capital"], "đồng"),
    ]
    for key, section in (
        ("by_status", "Theo tình trạng pháp lý"),
        ("by_kind", "Theo loại hình"),
        ("by_sector_class", "Nông nghiệp và phi nông nghiệp"),
        ("by_sector_group", "Theo lĩnh vực"),
    ):
        for row in summary[key]:
            lines.append((section, f"{row['label']}: số tổ chức", row["organizations"], "tổ chức"))
            if key != "by_status":
                lines.append(
                    (section, f"{row['label']}: ngừng hoạt động", row["stopped"], "tổ chức")
                )
            lines.append((section, f"{row['label']}: thành viên", row["members"], "người"))
            lines.append((section, f"{row['label']}: lao động", row["workers"], "người"))
    ocop = summary["ocop"]
    section = "Sản phẩm OCOP"
    lines.append((section, "Số tổ chức có sản phẩm OCOP", ocop["organizations"], "tổ chức"))
    lines.append((section, "Tổng số sản phẩm OCOP", ocop["products"], "sản phẩm"))
    for row in ocop["by_stars"]:
        lines.append((section, f"Sản phẩm OCOP {row['stars']} sao", row["products"], "sản phẩm"))
    digital = summary["digital"]
    section = "Chuyển đổi số (trên số tổ chức đang hoạt động)"
    for row in digital["rates"]:
        lines.append((section, row["label"], row["organizations"], "tổ chức"))
        rate = row["rate"]
        lines.append(
            (section, f"{row['label']}: tỷ lệ", None if rate is None else round(rate * 100, 2), "%")
        )
    return lines
