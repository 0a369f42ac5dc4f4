"""The statistics query: a view, a day that is not in the future, an area and a kind."""

from __future__ import annotations

from datetime import date

import pytest

from hoptac.portal.domain.statistics_form import parse_statistics_form

pytestmark = pytest.mark.unit

TODAY = date(2026, 1, 15)


def test_the_view_day_area_and_kind_go_to_the_reporting_service() -> None:
    form, problems = parse_statistics_form(
        [("view", "status"), ("as_of", "2022-07-30"), ("province", "96"), ("kind", "cooperative")],
        TODAY,
    )
    assert problems == []
    assert form.backend_params() == [
        ("group_by", "status"),
        ("as_of", "2022-07-30"),
        ("province", "96"),
        ("kind", "cooperative"),
    ]
    assert form.url("kind") == "/statistics?view=kind&as_of=2022-07-30&province=96&kind=cooperative"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ([("as_of", "2030-01-01")], "as_of"),
        ([("as_of", "30/07/2022")], "as_of"),
        ([("view", "members")], "view"),
        ([("view", "legacy_district")], "view"),  # districts ended on 1 July 2025
        ([("province", "960")], "province"),
        ([("kind", "bank")], "kind"),
    ],
)
def test_a_bad_value_is_a_problem_of_its_field(params: list[tuple[str, str]], field: str) -> None:
    _, problems = parse_statistics_form(params, TODAY)
    assert [p.field for p in problems] == [field]


def test_former_districts_are_a_view_only_before_the_reform() -> None:
    before, problems = parse_statistics_form(
        [("view", "legacy_district"), ("as_of", "2025-06-30")], TODAY
    )
    assert problems == []
    assert "legacy_district" in before.views(TODAY)
    assert "legacy_district" not in parse_statistics_form([], TODAY)[0].views(TODAY)
