"""What collection does by the calendar: the campaigns' reminders, e-mailed through a real
notifications service once per campaign, area and day whatever the number of processes and
restarts, and the quality report of each month ended, stored once and downloaded as it was.
The clock is collection's, moved by the test."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.collection.adapters.notifications import NotificationsClient
from hoptac.collection.adapters.store import audit_of
from hoptac.collection.campaigns import Campaigns
from hoptac.collection.domain.reminders import ReminderSchedule
from hoptac.collection.entrypoints.events import Background
from hoptac.collection.quality import store_ended_month
from hoptac.collection.settings import CollectionSettings
from hoptac.notifications.adapters import staff
from hoptac.platform.testing.waiting import wait_until
from hoptac.registry.entrypoints.http.app import create_app as create_registry_app
from hoptac.registry.settings import RegistrySettings

from .conftest import Tokens, bearer
from .test_cli import serving
from .test_quality_and_campaigns import (
    Stack,
    campaign,
    catch_up,
    change,
    changes_recorded_on,
    get,
    register,
    stack,
    two_records,
)

pytestmark = pytest.mark.integration
__all__ = ["stack"]  # the fixture, shared with the campaigns' tests

SCHEDULE = ReminderSchedule(days_before=(30, 14, 7, 3, 1), weeks_after=4, hour=8)


async def staff_of_ca_mau(stack: Stack) -> None:
    async with stack.notifications_engine.begin() as conn:
        for email, provinces in (("can-bo-ca-mau@example.org", ["96"]), ("hn@example.org", ["01"])):
            await staff.upsert(conn, email, "chị Lan", "area_officer", provinces, [], True, True)


@pytest.fixture
async def engines(collection_url: str) -> AsyncIterator[list[AsyncEngine]]:
    """Engines of other collection processes on the same database."""
    made = [create_async_engine(collection_url) for _ in range(2)]
    yield made
    for engine in made:
        await engine.dispose()


def another_process(stack: Stack, engine: AsyncEngine) -> Campaigns:
    runs: Campaigns = stack.app.state.campaigns
    return Campaigns(engine, runs.notifications, stack.clock)


async def reminders(stack: Stack, campaign_id: str, token: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (
        await get(stack, f"/v1/campaigns/{campaign_id}/reminders", token)
    ).json()["items"]
    return found


async def test_a_days_reminder_goes_once_across_two_processes_and_a_restart(
    stack: Stack,
    registry: httpx.AsyncClient,
    issued: Tokens,
    engines: list[AsyncEngine],
    collection_url: str,
) -> None:
    await two_records(registry, stack, issued)
    made = await campaign(stack, issued.admin)  # opened on 10 December
    await staff_of_ca_mau(stack)
    first, second = (another_process(stack, engine) for engine in engines)

    stack.clock.set("2026-12-12")  # three days before the deadline, noon in Viet Nam
    together = await asyncio.gather(
        first.remind_due(SCHEDULE, issued.reviewer), second.remind_due(SCHEDULE, issued.reviewer)
    )
    again = await first.remind_due(SCHEDULE, issued.reviewer)
    restarted = create_async_engine(collection_url)
    try:
        after_restart = await another_process(stack, restarted).remind_due(
            SCHEDULE, issued.reviewer
        )
    finally:
        await restarted.dispose()

    assert sorted(together) == [0, 1]
    assert again == after_restart == 0
    (email,) = stack.mail.sent
    assert email.to == "can-bo-ca-mau@example.org"
    assert "hạn 15/12/2026" in email.subject

    stack.clock.set("2026-12-14")
    assert await first.remind_due(SCHEDULE, issued.reviewer) == 1
    assert len(stack.mail.sent) == 2

    listed = await reminders(stack, made["id"], issued.officer_96)
    assert [(r["due_on"], r["kind"], r["sent_by"]) for r in listed] == [
        ("2026-12-14", "before_deadline", "system"),
        ("2026-12-12", "before_deadline", "system"),
    ]
    assert listed[0] | {"sent_at": None} == {
        "sent_at": None,
        "sent_by": "system",
        "kind": "before_deadline",
        "due_on": "2026-12-14",
        "not_updated": 1,
        "recipients": 1,
        "sent": 1,
        "failed": 0,
    }
    elsewhere = await stack.http.get(
        f"/v1/campaigns/{made['id']}/reminders", headers=bearer(issued.officer_01)
    )
    assert elsewhere.status_code == 403
    async with stack.app.state.campaigns.engine.connect() as conn:
        trail = await audit_of(conn, f"campaign:{made['id']}")
    sent = [entry for entry in trail if entry["action"] == "remind"]
    assert [(e["actor"], e["details"]["due_on"]) for e in sent] == [
        ("system", "2026-12-12"),
        ("system", "2026-12-14"),
    ]


async def test_a_reminder_asked_for_by_staff_is_listed_and_does_not_take_the_days_place(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    await two_records(registry, stack, issued)
    made = await campaign(stack, issued.admin)
    await staff_of_ca_mau(stack)
    stack.clock.set("2026-12-12")

    asked = await stack.http.post(
        f"/v1/campaigns/{made['id']}/reminders", headers=bearer(issued.reviewer)
    )
    scheduled = await stack.app.state.campaigns.remind_due(SCHEDULE, issued.reviewer)

    assert asked.status_code == 200, asked.text
    assert scheduled == 1
    listed = await reminders(stack, made["id"], issued.admin)
    assert sorted((r["kind"], r["due_on"]) for r in listed) == [
        ("asked", None),
        ("before_deadline", "2026-12-12"),
    ]


async def test_a_reminder_that_cannot_be_sent_is_sent_by_the_next_round(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    await two_records(registry, stack, issued)
    made = await campaign(stack, issued.admin)
    await staff_of_ca_mau(stack)
    stack.clock.set("2026-12-12")

    def away(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("notifications is stopped", request=request)

    unreachable = NotificationsClient("http://notifications", transport=httpx.MockTransport(away))
    runs: Campaigns = stack.app.state.campaigns
    try:
        while_away = await Campaigns(runs.engine, unreachable, stack.clock).remind_due(
            SCHEDULE, issued.reviewer
        )
    finally:
        await unreachable.close()
    no_token = await runs.remind_due(SCHEDULE, None)
    not_a_reviewer = await runs.remind_due(SCHEDULE, issued.officer_96)

    assert while_away == no_token == not_a_reviewer == 0
    assert await reminders(stack, made["id"], issued.admin) == []
    assert await runs.remind_due(SCHEDULE, issued.reviewer) == 1
    assert len(stack.mail.sent) == 1


async def test_after_the_deadline_staff_are_reminded_weekly_while_records_are_lapsed(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    _, stale = await two_records(registry, stack, issued)
    await campaign(stack, issued.admin)
    await staff_of_ca_mau(stack)
    runs: Campaigns = stack.app.state.campaigns
    stack.clock.set("2026-12-16")
    assert await runs.close_due() == 1
    assert await runs.remind_due(SCHEDULE, issued.reviewer) == 0  # the first week not over

    stack.clock.set("2026-12-22")
    assert await runs.remind_due(SCHEDULE, issued.reviewer) == 1
    (email,) = stack.mail.sent
    assert "đã cập nhật 1/2" in email.body  # the record still lapsed

    await change(registry, issued.admin, stale, 1, {"members_count": 8})
    after = (await stack.scores.read_tracking()).contiguous_through
    await stack.scores.apply(
        await changes_recorded_on(stack, registry, issued.admin, {stale: "2026-12-23"}, after)
    )
    stack.clock.set("2026-12-29")
    assert await runs.remind_due(SCHEDULE, issued.reviewer) == 0  # nothing lapsed any more
    assert len(stack.mail.sent) == 1


# The quality report of each month


async def test_the_month_ended_is_stored_once_and_its_report_downloaded_as_it_was(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens, engines: list[AsyncEngine]
) -> None:
    org_id = await register(registry, issued.admin, "9603000001", "HTX Nông nghiệp Vĩnh Hậu")
    await register(registry, issued.admin, "9603000002", "HTX Dịch vụ Hòa Bình")
    await catch_up(stack, registry, issued.admin)
    now = stack.clock()  # 10 December: November has ended

    stored = await asyncio.gather(*(store_ended_month(engine, now) for engine in engines))
    again = await store_ended_month(engines[0], now)

    assert [count for count in stored if count is not None] == [2]
    assert again is None
    november = (
        await get(stack, "/v1/quality", issued.admin, province="96", month="2026-11")
    ).json()

    await change(
        registry,
        issued.admin,
        org_id,
        1,
        {"members_count": 30, "operating_in_practice": "yes", "last_verified_on": "2026-12-02"},
    )
    await catch_up(stack, registry, issued.admin)
    now_found = (await get(stack, "/v1/quality", issued.admin, province="96")).json()
    then = (await get(stack, "/v1/quality", issued.admin, province="96", month="2026-11")).json()

    assert then == november
    assert then["month"] == "2026-11"
    assert now_found["score"] > then["score"]
    assert now_found["month"] is None

    answer = await get(
        stack, "/v1/quality/report.xlsx", issued.officer_96, province="96", month="2026-11"
    )
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    summary, records = book["Tổng hợp"], book["Hồ sơ"]
    assert "chat-luong-96-2026-11.xlsx" in answer.headers["content-disposition"]
    assert "tháng 11/2026" in summary["A1"].value
    assert summary["A2"].value.startswith("Số liệu chốt ngày 10/12/2026")
    rows = [[cell.value for cell in row] for row in records.iter_rows(min_row=2)]
    assert [row[10] for row in rows] == [item["score"] for item in then["items"]]
    assert [cell.value for cell in summary[6]][1:3] == ["Toàn bộ", 2]

    current = await get(
        stack, "/v1/quality/report.xlsx", issued.admin, province="96", month="2026-12"
    )
    assert (
        "tháng 12/2026"
        in openpyxl.load_workbook(io.BytesIO(current.content))["Tổng hợp"]["A1"].value
    )
    listed = (await get(stack, "/v1/quality/months", issued.officer_96)).json()["items"]
    assert [(m["month"], m["records"]) for m in listed] == [("2026-11", 2)]
    assert datetime.fromisoformat(listed[0]["taken_at"]) == datetime(2026, 12, 10, 5, tzinfo=UTC)


async def test_a_month_not_stored_or_not_a_month_is_refused_with_a_message(
    stack: Stack, issued: Tokens
) -> None:
    path = "/v1/quality/report.xlsx"

    async def ask(month: str, language: str = "en") -> httpx.Response:
        return await stack.http.get(
            path,
            params={"province": "96", "month": month},
            headers={**bearer(issued.admin), "Accept-Language": language},
        )

    missing, missing_vi = await ask("2026-10"), await ask("2026-10", "vi")
    future = await ask("2027-02")
    malformed, malformed_vi = await ask("2026-13"), await ask("11/2026", "vi")
    elsewhere = await stack.http.get(
        path, params={"province": "96", "month": "2026-10"}, headers=bearer(issued.officer_01)
    )

    assert missing.status_code == future.status_code == 404
    assert missing.json()["message"].startswith("No quality report is stored for 2026-10")
    assert (
        "Không có báo cáo chất lượng nào được lưu cho tháng 2026-10" in missing_vi.json()["message"]
    )
    assert malformed.status_code == malformed_vi.status_code == 422
    (problem,) = malformed.json()["errors"]
    assert problem == {
        "field": "query.month",
        "message": "The month '2026-13' is not in the form year-month: write it as 2026-11.",
    }
    assert "hãy viết năm-tháng" in malformed_vi.json()["errors"][0]["message"]
    assert elsewhere.status_code == 403


# The scheduler in the service


async def test_the_scheduler_runs_in_the_background_and_stops_cleanly(
    stack: Stack,
    registry: httpx.AsyncClient,
    issued: Tokens,
    fresh_database: str,
    nats_url: str,
    collection_url: str,
    tmp_path: Path,
) -> None:
    await two_records(registry, stack, issued)
    made = await campaign(stack, issued.admin)
    await staff_of_ca_mau(stack)
    await register(registry, issued.admin, "9603000003", "HTX Muối Tân Thuận")
    await stack.sequenced()
    stack.clock.set("2026-12-12")
    (tmp_path / "service-token").write_text(issued.agency)  # as `hoptac run` writes them
    (tmp_path / "reminder-token").write_text(issued.reviewer)

    async def months() -> list[Any]:
        found: list[Any] = (await get(stack, "/v1/quality/months", issued.admin)).json()["items"]
        return found

    with serving(create_registry_app(RegistrySettings(database_url=fresh_database))) as url:
        settings = CollectionSettings(
            database_url=collection_url,
            nats_url=nats_url,
            var_dir=tmp_path,
            registry_url=url,
            schedule_seconds=0.05,
            reminder_weeks_after=4,
        )
        background = Background(settings, stack.scores, stack.app.state.campaigns, None)
        await background.start()
        try:
            await wait_until(lambda: stack.mail.sent, message="the day's reminder e-mailed")
            stored = await wait_until(months, message="November's quality report stored")
        finally:
            await asyncio.wait_for(background.stop(), timeout=30)

    assert len(stack.mail.sent) == 1
    assert len(await reminders(stack, made["id"], issued.admin)) == 1
    # Stored once the change log was read: the record only it held is in the report.
    assert [(m["month"], m["records"]) for m in stored] == [("2026-11", 3)]
