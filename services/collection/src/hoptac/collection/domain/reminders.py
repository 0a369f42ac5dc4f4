"""When a campaign's staff are reminded by themselves, and what a reminder says they have left.

The schedule has days: some days before the deadline, then one a week after it for a few weeks
while records are still lapsed (the service's settings say how many). On a day of the schedule the
reminder goes out from a set hour of the day in Viet Nam. A day missed (the service was stopped)
is made up later, but only the latest day passed counts, so that staff never get two reminders
at once, and a day before the deadline is not made up after it. No day before the campaign was
opened counts either: opening a campaign late does not send a reminder at once for a day already
gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from hoptac.collection.domain.campaigns import CommuneProgress

Kind = Literal["before_deadline", "after_deadline", "asked"]
WEEK = timedelta(weeks=1)


@dataclass(frozen=True, order=True)
class Slot:
    day: date
    kind: Kind


@dataclass(frozen=True)
class ReminderSchedule:
    days_before: tuple[int, ...]
    weeks_after: int
    hour: int  # of the day in Viet Nam

    def slots(self, deadline: date) -> list[Slot]:
        before = {
            Slot(deadline - timedelta(days=days), "before_deadline") for days in self.days_before
        }
        after = {
            Slot(deadline + weeks * WEEK, "after_deadline")
            for weeks in range(1, self.weeks_after + 1)
        }
        return sorted(before | after)

    def due(self, deadline: date, opened_on: date, local_now: datetime) -> Slot | None:
        """The day whose reminder should have gone out by `local_now` (Viet Nam time), if any:
        the latest day of the schedule passed."""
        today = local_now.date()
        passed = [slot for slot in self.slots(deadline) if slot.day <= today]
        if not passed:
            return None
        latest = passed[-1]
        if latest.day < opened_on:
            return None
        if latest.day == today and local_now.hour < self.hour:
            return None  # today's, later today; never the one before it in its place
        if latest.kind == "before_deadline" and today > deadline:
            return None
        if latest.kind == "after_deadline" and today >= latest.day + WEEK:
            return None  # the schedule is over
        return latest

    def first_deadline(self, today: date) -> date:
        """No campaign with an earlier deadline has a reminder due `today`."""
        return today - timedelta(weeks=self.weeks_after) - WEEK


@dataclass(frozen=True)
class Standing:
    """A commune's records in scope and those done, as the notifications service reads them."""

    commune_code: str | None
    in_scope: int
    updated: int

    def as_json(self) -> dict[str, object]:
        return {
            "commune_code": self.commune_code,
            "in_scope": self.in_scope,
            "updated": self.updated,
        }


def standings(rows: Sequence[CommuneProgress], closed: bool) -> list[Standing]:
    """Before the campaign closes, what is left is what was not updated; once it is closed,
    the records still lapsed (a change the registry records after the deadline ends a lapse)."""
    return [
        Standing(
            row.commune_code, row.in_scope, row.in_scope - row.lapsed if closed else row.updated
        )
        for row in rows
    ]


def left(found: Sequence[Standing]) -> int:
    return sum(row.in_scope - row.updated for row in found)
