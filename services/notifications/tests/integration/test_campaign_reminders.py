"""POST /v1/staff/campaign-reminders: collection asks, the staff of the area get the e-mail."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.notifications.adapters import staff
from hoptac.notifications.domain.staff_mail import Email
from hoptac.notifications.entrypoints.http.app import create_app
from hoptac.notifications.handlers import Notifications
from hoptac.notifications.settings import NotificationsSettings

from .conftest import ADMIN, AGENCY_A, bearer

pytestmark = pytest.mark.integration

REMINDER = {
    "campaign_id": "5b0f7ad2-4a44-4c1b-9a35-0d6f1b7f3a10",
    "year": 2026,
    "province_code": "96",
    "deadline": "2026-12-15",
    "communes": [
        {"commune_code": "31825", "in_scope": 4, "updated": 1},
        {"commune_code": "31834", "in_scope": 2, "updated": 2},
    ],
}


class Recorded:
    def __init__(self) -> None:
        self.sent: list[Email] = []

    async def send(self, email: Email) -> None:
        self.sent.append(email)


async def post(settings: Any, service: Notifications, token: str, body: Any) -> Any:
    app = create_app(settings, service)
    mail = Recorded()
    app.state.mailer = mail
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://notifications"
    ) as http:
        answer = await http.post("/v1/staff/campaign-reminders", json=body, headers=bearer(token))
    return answer, mail


async def test_the_staff_of_the_area_with_reminders_on_get_the_email(
    settings: NotificationsSettings, service: Notifications, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        for email, provinces, reminders in (
            ("lan@example.org", ["96"], True),
            ("an@example.org", ["01"], True),
            ("binh@example.org", ["96"], False),
        ):
            await staff.upsert(
                conn, email, "chị Lan", "area_officer", provinces, [], True, reminders
            )

    answer, mail = await post(settings, service, ADMIN, REMINDER)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"recipients": 1, "sent": 1, "failed": 0}
    (email,) = mail.sent
    assert email.to == "lan@example.org"
    assert "31825: đã cập nhật 1/4" in email.body
    assert "31834" not in email.body  # done


async def test_an_agency_token_is_refused_before_the_body_is_read(
    settings: NotificationsSettings, service: Notifications
) -> None:
    answer, mail = await post(settings, service, AGENCY_A, {"not": "a reminder"})

    assert answer.status_code == 403
    assert mail.sent == []
