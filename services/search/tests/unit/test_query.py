from __future__ import annotations

import base64
import json

import pytest

from hoptac.search.domain.query import (
    MAX_CURSOR_OFFSET,
    MAX_LIMIT,
    InvalidQuery,
    SearchQuery,
    Sort,
    encode_cursor,
    parse_search,
    parse_suggest,
)

pytestmark = pytest.mark.unit


def problems(**kwargs: object) -> dict[str, str]:
    with pytest.raises(InvalidQuery) as caught:
        parse_search(**kwargs)  # type: ignore[arg-type]
    return {p.field: str(p.message) for p in caught.value.problems}


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


def cursor_of(body: object) -> str:
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FINGERPRINT = SearchQuery("").fingerprint()


@pytest.mark.parametrize(
    "position",
    [
        {"o": 2**40},
        {"o": MAX_CURSOR_OFFSET + 1},
        {"o": 0},
        {"o": -3},
        {"o": "20"},
        {"o": 1.5},
        {"o": True},
        {"o": None},
        {"o": [1]},
        {"o": 20, "x": 1},
        {},
        {"a": []},
        {"a": [{"x": 1}]},
        {"a": ["x" * 1000]},
        {"a": [1, 2, 3, 4]},
        {"a": [2**70]},
        [1],
        "o",
        None,
    ],
)
def test_a_crafted_cursor_position_is_refused(position: object) -> None:
    found = problems(q="", filters={}, cursor=cursor_of({"f": FINGERPRINT, "p": position}))
    assert "start over" in found["cursor"] or "narrow the search" in found["cursor"]


@pytest.mark.parametrize(
    "cursor",
    [
        cursor_of([1]),
        cursor_of({"f": FINGERPRINT}),
        cursor_of("text"),
        cursor_of(1.5),
        cursor_of(True),
        cursor_of({"f": FINGERPRINT, "p": {"o": 1}}) + "x" * 600,
        base64.urlsafe_b64encode(b"[" * 300).decode(),
        "é",
        "\x00",
    ],
)
def test_a_cursor_that_is_not_one_is_refused(cursor: str) -> None:
    assert "start over" in problems(q="", filters={}, cursor=cursor)["cursor"]


def test_an_offset_far_past_the_bound_says_to_narrow_the_search() -> None:
    cursor = cursor_of({"f": FINGERPRINT, "p": {"o": 2**40}})
    assert "narrow the search" in problems(q="", filters={}, cursor=cursor)["cursor"]


def test_cursors_the_engines_give_out_are_accepted() -> None:
    assert parse_search("", {}, cursor=encode_cursor(SearchQuery(""), {"o": 40})).cursor == {
        "o": 40
    }
    after = {"a": [3.25, "hop tac xa tan hung", "0b6f1c9e-0000-4000-8000-000000000000"]}
    assert parse_search("", {}, cursor=encode_cursor(SearchQuery(""), after)).cursor == after


@pytest.mark.parametrize("limit", ["9" * 5000, "²", "١٢", "1e3", "0x10", "1.0", "\x00"])
def test_a_limit_that_is_not_ascii_digits_is_refused(limit: str) -> None:
    found = problems(q="", filters={}, limit=limit)
    assert "whole number" in found["limit"]
    assert len(found["limit"]) < 120


@pytest.mark.parametrize("q", ["hợp tác xã\x00", "a\x1bb", "x" * 100_000, " " * 100_000])
def test_a_query_with_control_characters_or_far_too_long_is_refused(q: str) -> None:
    assert "q" in problems(q=q, filters={})
    with pytest.raises(InvalidQuery):
        parse_suggest(q, None)


def test_codes_must_be_ascii_digits_and_echoes_stay_short() -> None:
    found = problems(q="", filters={"province": ["٩٦"], "kind": ["x" * 10_000]})
    assert "2-digit" in found["province"]
    assert len(found["kind"]) < 300
    assert "bbox" in problems(q="", filters={}, bbox="1," * 10_000)
