"""The query parameters of GET /v1/search and /v1/suggest, for /openapi.json. The routes read
them from the query string themselves and the domain validates them (`parse_search`,
`parse_suggest`)."""

from __future__ import annotations

from typing import Any

from hoptac.search.domain.filters import FILTERS, Filter, Shape
from hoptac.search.domain.query import MAX_LIMIT, MAX_QUERY_CHARS, MAX_SUGGESTIONS


def _parameter(
    name: str, description: str, many: bool = False, kind: str = "string"
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": {"type": kind}} if many else {"type": kind}
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **({"explode": True} if many else {})}  # fmt: skip


def _described(declared: Filter) -> str:
    if declared.shape is Shape.CODE:
        return f"{declared.about} ({declared.digits} digits)."
    if declared.shape is Shape.FLAGS:
        return f"{declared.about}: {', '.join(declared.values)}."
    if declared.shape is Shape.YES_NO:
        return declared.about
    listed = f"Any of: {', '.join(declared.values)}; repeat the parameter or separate by commas."
    return f"{declared.about} {listed}" if declared.about else listed


SEARCH_PARAMETERS = [
    _parameter(
        "q",
        "Words of a name, abbreviation, foreign name or address, of a place (current or "
        "pre-2025 commune, district or province, its unit type optional), an OCOP product or a "
        "business line, or a registration number, with or without diacritics; at most "
        f"{MAX_QUERY_CHARS} characters.",
    ),
    *(_parameter(f.name, _described(f), many=True) for f in FILTERS),
    _parameter("bbox", "min_lon,min_lat,max_lon,max_lat in degrees."),
    _parameter("sort", "relevance (default), name, registered_on, -registered_on."),
    _parameter("limit", f"1 to {MAX_LIMIT}, default 20.", kind="integer"),
    _parameter("cursor", "next_cursor of the page before."),
]
SUGGEST_PARAMETERS = [
    _parameter("q", "The beginning of a name."),
    _parameter("limit", f"1 to {MAX_SUGGESTIONS}, default 10.", kind="integer"),
]
# A map of the results takes the search's words and filters; it has no pages.
COMMUNES_PARAMETERS = [p for p in SEARCH_PARAMETERS if p["name"] not in ("sort", "limit", "cursor")]
