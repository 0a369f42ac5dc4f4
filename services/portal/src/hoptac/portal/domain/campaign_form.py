"""The annual update campaigns as the workspace shows them (Circular 09/2024: every record is
updated once a year, by 15 December): where a campaign stands on a given day, whether it may be
closed yet, and the form that opens one, checked here so that each mistake is shown beside its
field; collection checks again and decides."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from hoptac.portal.domain.record_form import parse_day
from hoptac.portal.domain.search_form import Problem

State = Literal["open", "overdue", "closed"]
# The reminders collection sends by its schedule, each named with its day; one asked for by a
# person is named by who asked.
SCHEDULED_REMINDERS = ("before_deadline", "after_deadline")
FIRST_YEAR, LAST_YEAR = 2024, 2100  # collection's bounds: the Circular applies from 2024
FIELDS = ("campaign_year", "campaign_province", "campaign_deadline")
MAX_FIELD = 20


def state_of(campaign: Mapping[str, Any], today: date) -> State:
    """Open until its deadline; overdue once the deadline has passed and nobody closed it yet
    (collection's schedule closes it, or a reviewer does); closed once its records lapsed."""
    if campaign.get("closed_at"):
        return "closed"
    if today > date.fromisoformat(str(campaign["deadline"])):
        return "overdue"
    return "open"


@dataclass(frozen=True)
class NewCampaign:
    year: int
    province: str
    deadline: date | None  # None: collection's default, 15 December of the year


def read_new_campaign(
    sent: Mapping[str, str], provinces: Collection[str]
) -> tuple[NewCampaign | None, list[Problem]]:
    """The campaign the form asks for, or the problems beside its fields. `provinces`: those
    the form offers (the person's own, or every one)."""
    problems = []
    year_text = sent.get("campaign_year", "")
    year = int(year_text) if year_text.isascii() and year_text.isdigit() else 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(Problem("campaign_year", "error.campaign_year_invalid"))
    province = sent.get("campaign_province", "")
    if province not in provinces:
        problems.append(Problem("campaign_province", "error.choice_invalid"))
    deadline = None
    if sent.get("campaign_deadline"):
        deadline = parse_day(sent["campaign_deadline"])
        if deadline is None:
            problems.append(Problem("campaign_deadline", "error.day_invalid"))
        elif deadline.year != year:
            problems.append(Problem("campaign_deadline", "error.campaign_deadline_year"))
    if problems:
        return None, problems
    return NewCampaign(year, province, deadline), []
