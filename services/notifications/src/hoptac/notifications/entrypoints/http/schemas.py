"""Request bodies of the notifications API (strict: an unknown field is a mistake)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from hoptac.contracts.events import OrganizationEvent
from hoptac.contracts.organization import OrganizationRecord
from hoptac.notifications.domain.errors import InvalidRequest
from hoptac.notifications.domain.filters import EventFilter, build_filter
from hoptac.notifications.domain.text import unsafe_character
from hoptac.platform.text import Text, TextError

# Sequences and delivery ids are PostgreSQL BIGINTs: a larger number is a mistake, not a 500.
MAX_BIGINT = 2**63 - 1


def _plain_text(value: str) -> str:
    bad = unsafe_character(value)
    if bad is not None:
        raise TextError(Text("notifications.unsafe_character", character=bad))
    return value


def _in_utc_range(value: datetime) -> datetime:
    """A time whose zone moves it out of years 1 to 9999 in UTC cannot be compared or stored."""
    try:
        value.astimezone(UTC)
    except OverflowError as error:
        raise TextError(Text("notifications.time_out_of_range")) from error
    return value


Label = Annotated[str, AfterValidator(_plain_text)]
Sequence = Annotated[int, Field(ge=1, le=MAX_BIGINT)]
RecordedTime = Annotated[AwareDatetime, AfterValidator(_in_utc_range)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Filters(Strict):
    event_types: list[str] = Field(
        default_factory=list,
        description="e.g. organization.status_changed (or status_changed); empty for all",
        max_length=20,
    )
    provinces: list[str] = Field(
        default_factory=list, description="2-digit province codes; empty for all", max_length=100
    )
    kinds: list[str] = Field(default_factory=list, max_length=10)
    sectors: list[str] = Field(
        default_factory=list, description="sector groups, e.g. agriculture", max_length=20
    )

    def to_filter(self) -> EventFilter:
        return checked_filter(self.event_types, self.provinces, self.kinds, self.sectors)


def checked_filter(
    event_types: list[str], provinces: list[str], kinds: list[str], sectors: list[str]
) -> EventFilter:
    built, problems = build_filter(event_types, provinces, kinds, sectors)
    if problems:
        raise InvalidRequest(problems)
    return built


class NewSubscription(Filters):
    url: str = Field(max_length=2000, examples=["https://thue.example.gov.vn/hooks/hoptac"])
    description: Label | None = Field(default=None, max_length=500)


class SubscriptionChange(Strict):
    url: str | None = Field(default=None, max_length=2000)
    description: Label | None = Field(default=None, max_length=500)
    event_types: list[str] | None = Field(default=None, max_length=20)
    provinces: list[str] | None = Field(default=None, max_length=100)
    kinds: list[str] | None = Field(default=None, max_length=10)
    sectors: list[str] | None = Field(default=None, max_length=20)
    enabled: bool | None = Field(
        default=None, description="true to resume after a 410 or a pause; false to pause"
    )

    def to_filter(self, current: EventFilter) -> EventFilter | None:
        given = (self.event_types, self.provinces, self.kinds, self.sectors)
        if all(value is None for value in given):
            return None
        return checked_filter(
            self.event_types if self.event_types is not None else sorted(current.event_types),
            self.provinces if self.provinces is not None else sorted(current.provinces),
            self.kinds if self.kinds is not None else sorted(current.kinds),
            self.sectors if self.sectors is not None else sorted(current.sectors),
        )


class Replay(Strict):
    from_sequence: Sequence | None = None
    to_sequence: Sequence | None = None
    since: RecordedTime | None = Field(default=None, description="recorded at or after")
    until: RecordedTime | None = Field(default=None, description="recorded before")


class FeedPage(BaseModel):
    """A page of the change feed: the events after `after`, in commit order."""

    events: list[OrganizationEvent]
    next: int = Field(description="Pass as `after` for the next page")
    through: int = Field(description="Every event up to this sequence is in the feed")


class Snapshot(BaseModel):
    """Every organisation the filters select, as of `sequence`: follow the feed from there."""

    sequence: int
    count: int
    organizations: list[OrganizationRecord]


def json_answer(model: type[BaseModel], description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 of a route that writes its JSON itself (spliced or streamed), described by
    `model`."""
    return {200: {"description": description, "model": model}}
