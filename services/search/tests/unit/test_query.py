from __future__ import annotations

import pytest

from hoptac.search.domain.query import (
    MAX_LIMIT,
    InvalidQuery,
    Sort,
    encode_cursor,
    parse_search,
    parse_suggest,
)

pytestmark = pytest.mark.unit


def problems(**kwargs: object) -> dict[str, str]:
    with pytest.raises(InvalidQuery) as caught:
        parse_search(**kwargs)  # type: ignore[arg-type]
    return {p.field: p.message for p in caught.value.problems}


def test_a_valid_request_is_normalised() -> None:
    query = parse_search(
        "  Hợp tác xã ", {"kind": ["cooperative,cooperative_group"]}, sort="-registered_on"
    )
    assert query.q == "Hợp tác xã"
    assert query.filters == {"kind": ("cooperative", "cooperative_group")}
    assert query.sort is Sort.REGISTERED_ON_DESC


def test_every_problem_is_reported_with_its_field() -> None:
    found = problems(
        q="x" * 201,
        filters={"kind": ["farm"], "province": ["9"], "commune": ["abcde"]},
        bbox="1,2,3",
        sort="size",
        limit=MAX_LIMIT + 1,
    )
    assert set(found) == {"q", "kind", "province", "commune", "bbox", "sort", "limit"}
    assert "cooperative" in found["kind"]
    assert "at most 200" in found["q"]


def test_a_cursor_from_another_search_is_refused() -> None:
    other = parse_search("tân hưng", {})
    cursor = encode_cursor(other, {"o": 20})
    assert "another search" in problems(q="hoà bình", filters={}, cursor=cursor)["cursor"]
    assert parse_search("tân hưng", {}, cursor=cursor).cursor == {"o": 20}


def test_a_damaged_cursor_is_refused() -> None:
    assert "start over" in problems(q="", filters={}, cursor="%%%not-base64")["cursor"]


def test_an_inverted_bounding_box_is_refused() -> None:
    assert "min_lat" in problems(q="", filters={}, bbox="106,11,105,10")["bbox"]


def test_suggest_needs_some_text() -> None:
    with pytest.raises(InvalidQuery):
        parse_suggest("  ", None)
    assert parse_suggest("htx t", None) == ("htx t", 10)
