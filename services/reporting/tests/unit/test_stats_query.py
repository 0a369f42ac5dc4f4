"""Statistics requests are checked before any SQL; rows say where a count is less precise."""

from __future__ import annotations

from datetime import date

import pytest

from hoptac.reporting.domain.stats import InvalidQuery, StatsQuery, parse_query, shape

pytestmark = pytest.mark.unit
DAY = date(2022, 7, 30)


def test_group_keys_and_filters_are_parsed_with_several_values() -> None:
    query = parse_query(
        DAY, "sector_class, status", {"status": "dissolved,bankrupt", "province": "96"}
    )
    assert query.group_by == ("sector_class", "status")
    assert query.filters == {"status": ("dissolved", "bankrupt"), "province": ("96",)}


def test_every_problem_is_reported_at_once_with_its_field() -> None:
    with pytest.raises(InvalidQuery) as raised:
        parse_query(DAY, "kind,district", {"status": "closed", "commune": "123", "province": ""})
    fields = {(p.field, str(p.message).split(" ")[0]) for p in raised.value.problems}
    assert fields == {
        ("group_by", "'district'"),
        ("status", "'closed'"),
        ("commune", "'123'"),
        ("province", "This"),
    }


def test_a_key_named_twice_is_refused() -> None:
    with pytest.raises(InvalidQuery, match="named twice"):
        parse_query(DAY, "kind,kind", {})


def test_rows_carry_vietnamese_labels_and_the_totals_add_up() -> None:
    query = StatsQuery(DAY, ("status_class",))
    found = [
        {
            "status_class": "operating",
            "organizations": 222,
            "members": 4000,
            "workers": 4500,
            "charter_capital": 7,
        },
        {
            "status_class": "stopped",
            "organizations": 55,
            "members": 497,
            "workers": 296,
            "charter_capital": 3,
        },
    ]
    answer = shape(query, found)
    assert answer.rows[0]["status_class_label"] == "Đang hoạt động"
    assert answer.totals == {
        "organizations": 277,
        "members": 4497,
        "workers": 4796,
        "charter_capital": 10,
    }
    assert answer.notes == []


def test_an_unknown_commune_is_counted_at_province_level_and_said_so() -> None:
    query = StatsQuery(DAY, ("province", "commune"))
    found = [
        {
            "province": "96",
            "commune": "32025",
            "current_level": "commune",
            "organizations": 3,
            "members": 1,
            "workers": 1,
            "charter_capital": 0,
        },
        {
            "province": "96",
            "commune": None,
            "current_level": "province",
            "organizations": 2,
            "members": 1,
            "workers": 1,
            "charter_capital": 0,
        },
    ]
    answer = shape(query, found)
    assert "counted_at" not in answer.rows[0]
    assert answer.rows[1]["counted_at"] == "province"
    assert answer.notes[0]["organizations"] == 2
    assert answer.notes[0]["counted_at"] == "province"
    assert "never guessed" in str(answer.notes[0]["message"])


def test_an_unknown_old_district_is_counted_at_old_province_level() -> None:
    query = StatsQuery(DAY, ("legacy_district",))
    found = [
        {
            "legacy_district": None,
            "legacy_level": "legacy_province",
            "organizations": 4,
            "members": 0,
            "workers": 0,
            "charter_capital": 0,
        },
        {
            "legacy_district": None,
            "legacy_level": "unknown",
            "organizations": 1,
            "members": 0,
            "workers": 0,
            "charter_capital": 0,
        },
    ]
    answer = shape(query, found)
    assert [row["counted_at"] for row in answer.rows] == ["legacy_province", "unknown"]
    assert len(answer.notes) == 2
