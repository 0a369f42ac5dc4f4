"""The provincial summary is composed exactly from counts by kind, status and sector."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.reporting.domain.periods import periods
from hoptac.reporting.domain.summary import summarize, table_rows

pytestmark = pytest.mark.unit


def cell(status: str, sector: str, count: int, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": "cooperative",
        "status": status,
        "sector_group": sector,
        "organizations": count,
        "members": count * 10,
        "workers": count * 2,
        "charter_capital": count * 1000,
        "ocop_3": 0,
        "ocop_4": 0,
        "ocop_5": 0,
        "ocop_orgs": 0,
        **{f"digital_{flag}": 0 for flag in DIGITAL_FLAGS},
    }
    row.update(extra)
    return row


def test_stopped_is_every_status_but_operating_and_agriculture_is_split_out() -> None:
    report = summarize(
        [
            cell(
                "operating",
                "agriculture",
                168,
                digital_accounting_software=84,
                ocop_4=3,
                ocop_orgs=2,
            ),
            cell("dissolved", "agriculture", 20),
            cell("suspended", "agriculture", 7),
            cell("operating", "trade_services", 54),
            cell("bankrupt", "transport", 28),
        ]
    ).as_dict()
    assert report["totals"]["organizations"] == 277
    assert (report["totals"]["operating"], report["totals"]["stopped"]) == (222, 55)
    by_class = {row["sector_class"]: row for row in report["by_sector_class"]}
    assert (by_class["agriculture"]["organizations"], by_class["agriculture"]["stopped"]) == (
        195,
        27,
    )
    assert (
        by_class["non_agriculture"]["organizations"],
        by_class["non_agriculture"]["stopped"],
    ) == (82, 28)
    software = next(r for r in report["digital"]["rates"] if r["flag"] == "accounting_software")
    assert software["rate"] == round(84 / 222, 4)
    assert report["ocop"]["by_stars"][1] == {"stars": 4, "products": 3}
    lines = table_rows(report)
    assert ("Tổng quan", "Tổng số tổ chức kinh tế tập thể", 277, "tổ chức") in lines


def test_an_empty_area_gives_zeros_and_no_rate() -> None:
    report = summarize([]).as_dict()
    assert report["totals"]["organizations"] == 0
    assert all(rate["rate"] is None for rate in report["digital"]["rates"])


def test_periods_by_month_and_year_end_on_the_asked_day() -> None:
    assert periods("year", date(2020, 1, 1), date(2022, 7, 30))[-1] == (
        date(2022, 1, 1),
        date(2022, 7, 30),
    )
    months = periods("month", date(2021, 11, 15), date(2022, 2, 10))
    assert months == [
        (date(2021, 11, 1), date(2021, 11, 30)),
        (date(2021, 12, 1), date(2021, 12, 31)),
        (date(2022, 1, 1), date(2022, 1, 31)),
        (date(2022, 2, 1), date(2022, 2, 10)),
    ]
    with pytest.raises(ValueError, match="At most"):
        periods("month", date(1990, 1, 1), date(2022, 1, 1))
    with pytest.raises(ValueError, match="before the start"):
        periods("year", date(2022, 1, 1), date(2021, 1, 1))
