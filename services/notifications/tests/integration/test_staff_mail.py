"""Staff e-mail through a real local SMTP server (aiosmtpd): the digest and the reminder."""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from hoptac.notifications.adapters import staff
from hoptac.notifications.entrypoints.cli import notifications_app
from hoptac.notifications.entrypoints.worker import staff_notices
from hoptac.platform.embedded.ports import free_port

pytestmark = pytest.mark.integration


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def mail_settings(settings: Any, smtp: tuple[Inbox, int]) -> Any:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp[1]})


async def add(engine: Any, address: str, role: str, provinces: list[str]) -> None:
    async with engine.begin() as conn:
        await staff.upsert(conn, address, "chị Lan", role, provinces, [], True, True)


def body_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def test_the_daily_digest_covers_each_area_once(
    engine, publish, new_event, mail_settings, smtp
):
    inbox, _ = smtp
    await add(engine, "lan@camau.gov.vn", "area_officer", ["96"])
    await add(engine, "reviewer@lmhtx.vn", "reviewer", [])
    await publish(
        new_event(1, province="96", name="Hợp tác xã Thủy sản Đất Mũi"),
        new_event(2, province="01", name="HTX Dịch vụ Đông Anh"),
        new_event(3, uuid.uuid4(), event="status_changed", status="suspended", province="96"),
    )
    notices = staff_notices(mail_settings, engine)
    today = date(2026, 11, 22)
    assert await notices.send_digests(today) == 2
    officer = body_of(inbox.to("lan@camau.gov.vn")[0])
    assert "Hợp tác xã Thủy sản Đất Mũi" in officer
    assert "Đông Anh" not in officer
    assert "Thay đổi tình trạng pháp lý" in officer
    assert "tạm ngừng hoạt động" in officer
    assert "2 thay đổi" in inbox.to("lan@camau.gov.vn")[0]["Subject"]
    assert "Đông Anh" in body_of(inbox.to("reviewer@lmhtx.vn")[0])
    # Once a day, and the next digest starts after what was sent.
    assert await notices.send_digests(today) == 0
    await publish(new_event(4, province="96", name="HTX Muối Bạc Liêu"))
    assert await notices.send_digests(date(2026, 11, 23)) == 2
    second = body_of(inbox.to("lan@camau.gov.vn")[1])
    assert "HTX Muối Bạc Liêu" in second
    assert "Đất Mũi" not in second


async def test_the_reminder_lists_records_not_verified_for_twelve_months(
    engine, publish, new_event, mail_settings, smtp
):
    inbox, _ = smtp
    await add(engine, "lan@camau.gov.vn", "area_officer", ["96"])
    dissolved = uuid.uuid4()
    await publish(
        new_event(1, name="HTX Cũ Chưa Xác Minh", last_verified_on="2025-11-01"),
        new_event(2, name="HTX Mới Xác Minh", last_verified_on="2026-01-15"),
        new_event(3, name="HTX Chưa Từng Xác Minh", last_verified_on=None),
        new_event(4, dissolved, name="HTX Đã Giải Thể", last_verified_on="2020-01-01"),
        new_event(
            5,
            dissolved,
            2,
            event="status_changed",
            status="dissolved",
            name="HTX Đã Giải Thể",
            last_verified_on="2020-01-01",
        ),
        new_event(6, name="HTX Hà Nội", province="01", last_verified_on=None),
    )
    notices = staff_notices(mail_settings, engine)
    assert await notices.send_reminders(date(2026, 11, 22)) == 1
    text = body_of(inbox.messages[0])
    assert "HTX Cũ Chưa Xác Minh" in text
    assert "chưa từng xác minh" in text
    assert "HTX Mới Xác Minh" not in text
    assert "Giải Thể" not in text
    assert "Hà Nội" not in text
    assert "2 tổ chức" in inbox.messages[0]["Subject"]
    assert await notices.send_reminders(date(2026, 11, 25)) == 0  # weekly, not daily


async def test_nothing_is_sent_before_the_digest_hour_and_all_is_sent_after(
    engine, publish, new_event, mail_settings, smtp
):
    inbox, _ = smtp
    await add(engine, "lan@camau.gov.vn", "area_officer", ["96"])
    await publish(new_event(1))
    notices = staff_notices(mail_settings, engine)
    early = await notices.run_due(datetime(2026, 11, 22, 23, 0, tzinfo=UTC))  # 06:00 in Vietnam
    assert (early.digests, early.reminders) == (0, 0)
    late = await notices.run_due(datetime(2026, 11, 23, 0, 30, tzinfo=UTC))  # 07:30
    assert (late.digests, late.reminders) == (1, 1)  # verified 2025-10-01: over a year ago
    assert len(inbox.messages) == 2


def test_the_cli_manages_recipients_and_sends_the_digest_now(
    database_url, mail_settings, smtp, monkeypatch
):
    _, port = smtp
    monkeypatch.setenv("HOPTAC_NOTIFICATIONS_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")  # rich tables are cut to the terminal width
    monkeypatch.setenv("HOPTAC_NOTIFICATIONS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HOPTAC_NOTIFICATIONS_SMTP_PORT", str(port))
    runner = CliRunner()
    bad = runner.invoke(
        notifications_app,
        ["staff", "add", "--email", "x", "--name", "A", "--role", "area_officer"],
    )
    assert bad.exit_code == 2
    assert "--email" in bad.output
    added = runner.invoke(
        notifications_app,
        [
            "staff",
            "add",
            "--email",
            "lan@camau.gov.vn",
            "--name",
            "Nguyễn Thị Lan",
            "--role",
            "area_officer",
            "--province",
            "96",
        ],
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(notifications_app, ["staff", "list"])
    assert "lan@camau.gov.vn" in listed.output
    sent = runner.invoke(notifications_app, ["digest"])
    assert sent.exit_code == 0, sent.output
    assert "0 digests" in sent.output  # nothing changed since the recipient was added
    removed = runner.invoke(notifications_app, ["staff", "remove", "lan@camau.gov.vn"])
    assert removed.exit_code == 0
