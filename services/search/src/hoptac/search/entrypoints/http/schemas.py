"""The shapes of the search answers, for /openapi.json (the routes send orjson-encoded bodies)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hoptac.search.domain.filters import facets

_COUNTED = [f"{f.name} (current and legacy codes)" if f.legacy else f.name for f in facets()]
_FACETS = f"Counts per value of {', '.join(_COUNTED[:-1])} and {_COUNTED[-1]}, over every match."


class SearchItem(BaseModel):
    id: str
    name: str
    name_abbreviation: str | None = None
    registration_number: str
    kind: str
    status: str
    sector_group: str
    province_code: str
    commune_code: str | None = None
    address_text: str | None = None
    commune_name: str | None = Field(default=None, examples=["Xã Cái Nước"])
    province_name: str | None = Field(default=None, examples=["Tỉnh Cà Mau"])
    legacy_commune_name: str | None = Field(
        default=None,
        description="Before 1 July 2025, where the record says.",
        examples=["Xã Tân Hưng"],
    )
    legacy_district_name: str | None = Field(default=None, examples=["Huyện Cái Nước"])
    legacy_province_name: str | None = Field(default=None, examples=["Tỉnh Cà Mau"])
    registered_on: str
    operating_in_practice: str
    ocop_stars: int
    lat: float | None = None
    lon: float | None = None
    version: int


class SearchAnswer(BaseModel):
    total: int = Field(description="Every match, not only this page.")
    items: list[SearchItem]
    facets: dict[str, dict[str, int]] = Field(description=_FACETS)
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class Suggestion(BaseModel):
    id: str
    name: str
    kind: str
    status: str
    province_code: str


class PlaceSuggestion(BaseModel):
    filter: str = Field(description="The /v1/search parameter: province, commune or district.")
    code: str
    name: str = Field(examples=["Huyện Cái Nước"])
    within: str | None = Field(
        default=None, description="The units it belongs to.", examples=["Tỉnh Cà Mau"]
    )
    former: bool = Field(description="A unit from before the 1 July 2025 reorganisation.")


class SuggestAnswer(BaseModel):
    items: list[Suggestion]
    places: list[PlaceSuggestion] = Field(
        description="Places the words name, to offer as a filter (at most 5)."
    )


class IndexState(BaseModel):
    generation: str
    documents: int
    last_sequence: int
    consumer_lag: int | None


class CommuneCountsAnswer(BaseModel):
    total: int = Field(description="Every match, with a current commune or not.")
    communes: dict[str, int] = Field(
        description="Current commune code → matches there; a match without one is only in total."
    )
