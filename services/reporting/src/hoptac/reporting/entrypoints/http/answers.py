"""The JSON answers of the reporting API, as models for its OpenAPI document.

The routes build their answers as plain dicts (the cached, precomputed form) and do not pass them
through these models; the fuzz tests hold the answers to this description.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Measures(BaseModel):
    organizations: int
    members: int
    workers: int
    charter_capital: int = Field(description="In đồng")


class StatsRow(Measures):
    """One group: a key and its `<key>_label` for each `group_by` field (null where the value is
    not certain, with `counted_at` saying at which level those organisations are counted)."""

    model_config = ConfigDict(extra="allow")
    counted_at: str | None = None
    counted_at_label: str | None = None


class Note(BaseModel):
    unknown: str
    counted_at: str
    organizations: int
    message: str


class StatsAnswer(BaseModel):
    as_of: str = Field(examples=["2022-07-30"])
    group_by: list[str]
    filters: dict[str, list[str]]
    rows: list[StatsRow]
    totals: Measures
    notes: list[Note]


class Tally(Measures):
    operating: int
    stopped: int = Field(description="Every status but operating")


class GroupTally(Tally):
    """A row of one breakdown: its code under the breakdown's key (status, kind, sector_class
    or sector_group) and its Vietnamese `label`."""

    model_config = ConfigDict(extra="allow")
    label: str


class StarProducts(BaseModel):
    stars: int
    products: int


class Ocop(BaseModel):
    organizations: int
    products: int
    by_stars: list[StarProducts]


class DigitalRate(BaseModel):
    flag: str
    label: str
    organizations: int
    rate: float | None = Field(description="A share of `digital.base`; null when it is 0")


class Digital(BaseModel):
    base: int
    base_label: str
    rates: list[DigitalRate]


class SummaryAnswer(BaseModel):
    as_of: str
    filters: dict[str, list[str]]
    totals: Tally
    by_status: list[GroupTally]
    by_kind: list[GroupTally]
    by_sector_class: list[GroupTally]
    by_sector_group: list[GroupTally]
    ocop: Ocop
    digital: Digital


class TrendPeriod(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    period: str = Field(examples=["2022", "2022-07"])
    start: str = Field(alias="from")
    to: str
    organizations: int
    operating: int
    stopped: int
    registered: int = Field(description="Founded during the period")
    members: int
    workers: int


class TrendsAnswer(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    unit: str
    start: str = Field(alias="from")
    to: str
    filters: dict[str, list[str]]
    periods: list[TrendPeriod]


class Words(BaseModel):
    vi: str
    en: str


class Indicator(BaseModel):
    code: str
    flag: str
    name: Words
    definition: Words
    numerator: Words
    denominator: Words
    unit: str
    legal_basis: Words


class IndicatorCatalogue(BaseModel):
    indicators: list[Indicator]
