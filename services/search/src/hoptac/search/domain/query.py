"""A search request, checked: bounded text and page size, known filter values, a valid cursor."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hoptac.platform.text import Quantity, Text, fix_these_fields, shown
from hoptac.search.domain import text
from hoptac.search.domain.filters import Filter, Shape, by_name

MAX_QUERY_CHARS = 200
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_SUGGESTIONS = 20
# A cursor holds a position in the ordered matches (an offset, or a search_after key). The
# offset is bounded: tantivy reserves room for offset + limit hits, so an unchecked one (2^40)
# asked it for terabytes. Past this many matches, a narrower search is the answer.
MAX_CURSOR_OFFSET = 100_000
MAX_CURSOR_CHARS = 512
MAX_CURSOR_KEY_CHARS = 200  # a search_after value: a sort key (a folded name) or an id
_LIMIT = re.compile(r"-?[0-9]{1,6}")  # ASCII digits only: int() takes "٣" and refuses "²"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_DECLARED = by_name()  # every filter of the API, by its parameter name


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NAME = "name"
    REGISTERED_ON = "registered_on"  # oldest first
    REGISTERED_ON_DESC = "-registered_on"  # newest first


class CursorKind(StrEnum):
    """The position a cursor holds: an offset in the ordered matches (tantivy) or the sort key
    of the last hit (OpenSearch's search_after)."""

    OFFSET = "o"
    SEARCH_AFTER = "a"
    ANY = "any"


@dataclass(frozen=True)
class Problem:
    field: str
    message: Text


class InvalidQuery(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(fix_these_fields(problems))


@dataclass(frozen=True)
class BoundingBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bbox: BoundingBox | None = None
    sort: Sort = Sort.RELEVANCE
    limit: int = DEFAULT_LIMIT
    cursor: dict[str, Any] | None = None  # decoded; its content belongs to the index adapter
    facets: bool = True

    @property
    def tokens(self) -> list[str]:
        return text.analyse(self.q)

    @property
    def relaxable(self) -> bool:
        """When nothing holds every word, a relaxed search (any of them, the more the better)
        can find something: the query has two or more required words."""
        return sum(not slot.optional for slot in text.query_slots(self.q)) > 1

    def fingerprint(self) -> str:
        """What a cursor is bound to: the same question, only a later page."""
        parts = [self.q, self.sort.value, json.dumps(sorted(self.filters.items())), str(self.bbox)]
        return format(zlib.crc32("\x1f".join(parts).encode()), "08x")


@dataclass(frozen=True)
class SearchResult:
    total: int
    items: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None


@dataclass(frozen=True)
class CommuneCounts:
    """A search's matches counted by their current commune, for a map: `total` counts them
    all, `communes` those with a current commune (code → matches)."""

    total: int
    communes: dict[str, int]


def parse_search(
    q: str | None,
    filters: dict[str, list[str]],
    bbox: str | None = None,
    sort: str | None = None,
    limit: int | str | None = None,
    cursor: str | None = None,
    cursor_kind: CursorKind = CursorKind.ANY,
) -> SearchQuery:
    """Validate the raw request; every problem is reported with its field at once. An engine's
    cursors hold one kind of position (`cursor_kind`): the other kind is refused too."""
    problems: list[Problem] = []
    query_text = _query_text(q, problems)
    checked = {name: _check_filter(name, values, problems) for name, values in filters.items()}
    checked = {name: values for name, values in checked.items() if values}
    box = _parse_bbox(bbox, problems) if bbox else None
    order = _parse_sort(sort, problems)
    size = _parse_limit(limit, DEFAULT_LIMIT, MAX_LIMIT, problems)
    query = SearchQuery(query_text, checked, box, order, size)
    decoded = decode_cursor(cursor, query, problems, cursor_kind) if cursor else None
    if problems:
        raise InvalidQuery(problems)
    return SearchQuery(query_text, checked, box, order, size, decoded)


def parse_suggest(q: str | None, limit: int | str | None) -> tuple[str, int]:
    problems: list[Problem] = []
    query_text = _query_text(q, problems)
    if not query_text and not problems:
        problems.append(Problem("q", Text("search.q_required")))
    size = _parse_limit(limit, 10, MAX_SUGGESTIONS, problems)
    if problems:
        raise InvalidQuery(problems)
    return query_text, size


def _query_text(raw: str | None, problems: list[Problem]) -> str:
    # measured before normalising, so that a megabyte of spaces costs nothing either
    if raw is not None and len(raw) > 4 * MAX_QUERY_CHARS:
        problems.append(
            Problem("q", Text("search.q_too_long", length=len(raw), max=MAX_QUERY_CHARS))
        )
        return ""
    query_text = text.normalize(raw or "")
    if len(query_text) > MAX_QUERY_CHARS:
        too_long = Text("search.q_too_long", length=len(query_text), max=MAX_QUERY_CHARS)
        problems.append(Problem("q", too_long))
        return ""
    if _CONTROL.search(query_text):
        problems.append(Problem("q", Text("search.q_control")))
        return ""
    return query_text


def encode_cursor(query: SearchQuery, position: dict[str, Any]) -> str:
    body = json.dumps({"f": query.fingerprint(), "p": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, query: SearchQuery, problems: list[Problem], kind: CursorKind = CursorKind.ANY
) -> dict[str, Any] | None:
    """The position a cursor holds, if it is one this service could have given out: an offset
    {"o": n} with 1 ≤ n ≤ MAX_CURSOR_OFFSET, or a search_after key {"a": [...]} of a few short
    scalars; anything else is refused before it reaches an engine."""
    damaged = Problem("cursor", Text("search.cursor_damaged"))
    if len(cursor) > MAX_CURSOR_CHARS:
        problems.append(damaged)
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = body["p"]
        fingerprint = body["f"]
    except (binascii.Error, ValueError, KeyError, TypeError, IndexError, RecursionError):
        problems.append(damaged)
        return None
    if fingerprint != query.fingerprint():
        problems.append(Problem("cursor", Text("search.cursor_other_search")))
        return None
    if kind is not CursorKind.SEARCH_AFTER and _is_offset(position):
        if position["o"] > MAX_CURSOR_OFFSET:
            problems.append(
                Problem("cursor", Text("search.cursor_too_far", max=Quantity(MAX_CURSOR_OFFSET)))
            )
            return None
        return dict(position)
    if kind is not CursorKind.OFFSET and _is_search_after(position):
        return dict(position)
    problems.append(damaged)
    return None


def _is_offset(position: Any) -> bool:
    if not isinstance(position, dict) or set(position) != {"o"}:
        return False
    offset = position["o"]
    return type(offset) is int and offset >= 1


def _is_search_after(position: Any) -> bool:
    if not isinstance(position, dict) or set(position) != {"a"}:
        return False
    key = position["a"]
    return (
        isinstance(key, list) and 1 <= len(key) <= 3 and all(_is_sort_value(value) for value in key)
    )


def _is_sort_value(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_CURSOR_KEY_CHARS
    if type(value) is int:
        return abs(value) < 2**53
    return type(value) is float and math.isfinite(value)


def _parse_limit(raw: int | str | None, default: int, most: int, problems: list[Problem]) -> int:
    if raw is None or raw == "":
        return default
    text_value = str(raw).strip()
    if not _LIMIT.fullmatch(text_value):
        problems.append(Problem("limit", Text("search.limit", most=most, value=shown(text_value))))
        return default
    size = int(text_value)
    if not 1 <= size <= most:
        problems.append(Problem("limit", Text("search.limit", most=most, value=size)))
        return default
    return size


def _check_filter(name: str, values: list[str], problems: list[Problem]) -> tuple[str, ...]:
    declared: Filter = _DECLARED[name]
    split = [v.strip() for value in values for v in value.split(",") if v.strip()]
    out: list[str] = []
    for value in split:
        if declared.shape is Shape.CODE and not _is_code(value, declared.digits):
            not_code = Text("search.not_a_code", value=shown(value), digits=declared.digits)
            problems.append(Problem(name, not_code))
        elif declared.shape is not Shape.CODE and value not in declared.allowed:
            choices = ", ".join(declared.allowed)
            not_one = Text("query.not_one_of", value=shown(value), choices=choices)
            problems.append(Problem(name, not_one))
        else:
            out.append(value)
    return tuple(dict.fromkeys(out))


def _is_code(value: str, digits: int) -> bool:
    return len(value) == digits and value.isascii() and value.isdigit()


def _parse_bbox(raw: str, problems: list[Problem]) -> BoundingBox | None:
    parts = raw.split(",")
    try:
        if len(raw) > 100:
            raise ValueError(raw)
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError:
        problems.append(Problem("bbox", Text("search.bbox_form")))
        return None
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        problems.append(Problem("bbox", Text("search.bbox_range")))
        return None
    return BoundingBox(min_lon, min_lat, max_lon, max_lat)


def _parse_sort(raw: str | None, problems: list[Problem]) -> Sort:
    if not raw:
        return Sort.RELEVANCE
    try:
        return Sort(raw)
    except ValueError:
        choices = ", ".join(s.value for s in Sort)
        problems.append(
            Problem("sort", Text("query.not_one_of", value=shown(raw), choices=choices))
        )
        return Sort.RELEVANCE
