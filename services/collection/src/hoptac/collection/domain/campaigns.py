"""Annual update campaigns (Circular 09/2024: every cooperative updates its information once a
year, by 15 December). A campaign covers one year and one province. A record is in its scope
when it was registered by the deadline and is still in force (neither dissolved nor bankrupt);
it counts as updated when the registry recorded a change to it in the campaign's year, on or
before the deadline, or when its last verification falls in that window. After the deadline
the records not updated are marked lapsed: collection's own flag, the legal status is untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from hoptac.collection.domain.errors import CollectionError, Conflict, NotAllowed
from hoptac.collection.domain.review import REVIEWERS
from hoptac.contracts.vietnam_time import VIETNAM
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text

DEADLINE_MONTH, DEADLINE_DAY = 12, 15


class BadCampaign(CollectionError):
    """A campaign that cannot be: answered 400."""


def vietnam_day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def default_deadline(year: int) -> date:
    return date(year, DEADLINE_MONTH, DEADLINE_DAY)


def check_deadline(year: int, deadline: date) -> None:
    if deadline.year != year:
        raise BadCampaign(
            Text("collection.campaign_deadline_year", deadline=deadline.isoformat(), year=str(year))
        )


def require_past_deadline(deadline: date, today: date) -> None:
    """Lapsing is decided the day after the deadline, never on it."""
    if today <= deadline:
        raise Conflict(
            Text("collection.campaign_deadline_not_passed", deadline=deadline.isoformat())
        )


@dataclass(frozen=True)
class CommuneProgress:
    commune_code: str | None
    in_scope: int
    updated: int
    lapsed: int

    @property
    def rate(self) -> float | None:
        """The share updated, in per cent, one decimal; None for a commune with no record."""
        return round(100 * self.updated / self.in_scope, 1) if self.in_scope else None

    def as_json(self) -> dict[str, object]:
        return {
            "commune_code": self.commune_code,
            "in_scope": self.in_scope,
            "updated": self.updated,
            "not_updated": self.in_scope - self.updated,
            "lapsed": self.lapsed,
            "rate": self.rate,
        }


def totals(communes: Iterable[CommuneProgress]) -> CommuneProgress:
    rows = list(communes)
    return CommuneProgress(
        None,
        sum(row.in_scope for row in rows),
        sum(row.updated for row in rows),
        sum(row.lapsed for row in rows),
    )


def require_campaign_staff(caller: Caller, province: str | None = None) -> None:
    """Creating, reminding and closing a campaign is for the province's staff (admin or
    reviewer), within their token's area when it has one."""
    if caller.role not in REVIEWERS:
        raise NotAllowed(Text("collection.campaign_staff_only"))
    area = caller.provinces or caller.communes
    if province is not None and area and province not in caller.provinces:
        raise NotAllowed(Text("collection.province_outside_area", province=province))
