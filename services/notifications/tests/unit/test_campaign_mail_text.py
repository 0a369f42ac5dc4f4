"""The reminder staff read during an annual update campaign."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from hoptac.notifications.domain.campaign_mail import (
    CampaignReminder,
    CommuneStanding,
    campaign_reminder_email,
)
from hoptac.notifications.domain.staff_mail import StaffArea

pytestmark = pytest.mark.unit

CAMPAIGN = UUID("0b9c3a52-6f0e-4d7e-9a59-0d7f8a1c2e33")
REMINDER = CampaignReminder(
    CAMPAIGN,
    2026,
    "96",
    date(2026, 12, 15),
    [
        CommuneStanding("31825", 4, 1),
        CommuneStanding("31834", 10, 9),
        CommuneStanding("31840", 3, 3),  # done: not listed
    ],
)


def test_the_reminder_lists_the_communes_still_to_update_lowest_first() -> None:
    email = campaign_reminder_email(
        "lan@example.org", "chị Lan", StaffArea(), REMINDER, date(2026, 12, 5), "http://portal"
    )

    assert email is not None
    assert email.subject == (
        "[hoptac] Cập nhật thông tin năm 2026: 4 tổ chức chưa cập nhật, hạn 15/12/2026"
    )
    assert "(còn 10 ngày)" in email.body
    lines = [line for line in email.body.splitlines() if line.startswith("- ")]
    assert lines == [
        "- Xã/phường 31825: đã cập nhật 1/4 (25,0 %)",
        "- Xã/phường 31834: đã cập nhật 9/10 (90,0 %)",
    ]
    assert f"Xem chi tiết: http://portal/quan-ly/dot-cap-nhat/{CAMPAIGN}" in email.body


def test_a_recipient_sees_only_the_communes_of_their_area() -> None:
    area = StaffArea(communes=frozenset({"31834"}))

    email = campaign_reminder_email(
        "an@example.org", "anh An", area, REMINDER, date(2026, 12, 20), "http://portal"
    )

    assert email is not None
    assert "1 tổ chức chưa cập nhật" in email.body
    assert "đã quá hạn" in email.body
    assert "31825" not in email.body


def test_after_the_deadline_the_reminder_says_the_records_left_are_lapsed() -> None:
    before, after = (
        campaign_reminder_email("x@example.org", "X", StaffArea(), REMINDER, day, "p")
        for day in (date(2026, 12, 5), date(2026, 12, 22))
    )

    assert before is not None
    assert after is not None
    assert "sẽ bị đánh dấu quá hạn cập nhật" in before.body
    assert "đã bị đánh dấu quá hạn cập nhật, cho đến khi được cập nhật" in after.body


def test_no_email_when_the_area_has_nothing_left_to_update() -> None:
    area = StaffArea(communes=frozenset({"31840"}))
    assert (
        campaign_reminder_email("x@example.org", "X", area, REMINDER, date(2026, 12, 5), "p")
        is None
    )
