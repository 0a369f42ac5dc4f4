"""The query parameters of GET /v1/search and /v1/suggest, for /openapi.json. The routes read
them from the query string themselves and the domain validates them (`parse_search`,
`parse_suggest`)."""

from __future__ import annotations

from typing import Any

from hoptac.search.domain.query import CODED_VALUES, MAX_LIMIT, MAX_QUERY_CHARS, MAX_SUGGESTIONS


def _parameter(
    name: str, description: str, many: bool = False, kind: str = "string"
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": {"type": kind}} if many else {"type": kind}
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **({"explode": True} if many else {})}  # fmt: skip


def _any_of(name: str) -> str:
    return f"Any of: {', '.join(CODED_VALUES[name])}; repeat the parameter or separate by commas."


SEARCH_PARAMETERS = [
    _parameter(
        "q",
        "Words of a name, abbreviation, foreign name or address, of a place (current or "
        "pre-2025 commune, district or province, its unit type optional), an OCOP product or a "
        "business line, or a registration number, with or without diacritics; at most "
        f"{MAX_QUERY_CHARS} characters.",
    ),
    _parameter("kind", _any_of("kind"), many=True),
    _parameter("status", _any_of("status"), many=True),
    _parameter("sector", "Sector group. " + _any_of("sector"), many=True),
    _parameter("province", "Province code, current or legacy (2 digits).", many=True),
    _parameter("commune", "Commune code, current or legacy (5 digits).", many=True),
    _parameter("district", "Legacy district code (3 digits).", many=True),
    _parameter("operating_in_practice", _any_of("operating_in_practice"), many=True),
    _parameter("ocop", "true: has OCOP-rated products; false: has none.", many=True),
    _parameter(
        "digital",
        f"Digital-adoption flags that must all hold: {', '.join(CODED_VALUES['digital'])}.",
        many=True,
    ),
    _parameter("bbox", "min_lon,min_lat,max_lon,max_lat in degrees."),
    _parameter("sort", "relevance (default), name, registered_on, -registered_on."),
    _parameter("limit", f"1 to {MAX_LIMIT}, default 20.", kind="integer"),
    _parameter("cursor", "next_cursor of the page before."),
]
SUGGEST_PARAMETERS = [
    _parameter("q", "The beginning of a name."),
    _parameter("limit", f"1 to {MAX_SUGGESTIONS}, default 10.", kind="integer"),
]
