"""The shapes of the search answers, for /openapi.json (the routes send orjson-encoded bodies)."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
    registered_on: str
    operating_in_practice: str
    ocop_stars: int
    lat: float | None = None
    lon: float | None = None
    version: int


class SearchAnswer(BaseModel):
    total: int = Field(description="Every match, not only this page.")
    items: list[SearchItem]
    facets: dict[str, dict[str, int]] = Field(
        description="Counts per value of kind, status, sector, province, commune (current and "
        "legacy codes), operating_in_practice, ocop and digital, over every match."
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class Suggestion(BaseModel):
    id: str
    name: str
    kind: str
    status: str
    province_code: str


class SuggestAnswer(BaseModel):
    items: list[Suggestion]


class IndexState(BaseModel):
    generation: str
    documents: int
    last_sequence: int
    consumer_lag: int | None
