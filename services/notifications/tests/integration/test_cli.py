"""`hoptac notifications …` for operators: listing and replaying any agency's deliveries."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from hoptac.notifications.entrypoints.cli import notifications_app

pytestmark = pytest.mark.integration


@pytest.fixture
async def delivered(subscribe, publish, new_event, engine) -> dict[str, Any]:
    made = await subscribe("http://127.0.0.1:9/hook")
    await publish(*(new_event(s) for s in range(1, 4)))
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE deliveries SET status = 'failed', attempts = 4"))
    return made


def test_an_operator_replays_a_range_and_one_delivery(delivered, database_url, monkeypatch):
    monkeypatch.setenv("HOPTAC_NOTIFICATIONS_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    listed = runner.invoke(notifications_app, ["deliveries", delivered["id"], "--status", "failed"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("organization.registered") == 3
    ranged = runner.invoke(
        notifications_app,
        ["replay", delivered["id"], "--from-sequence", "2", "--to-sequence", "3"],
    )
    assert ranged.exit_code == 0, ranged.output
    assert "2 deliveries queued" in ranged.output
    by_time = runner.invoke(
        notifications_app,
        ["replay", delivered["id"], "--since", "2026-11-22T00:00:00", "--until", "2026-11-23"],
    )
    assert "3 deliveries queued" in by_time.output
    subscriptions = runner.invoke(notifications_app, ["subscriptions"])
    assert "so-tai-chinh-ca-mau" in subscriptions.output


def test_replaying_an_unknown_subscription_says_so(database_url, monkeypatch):
    monkeypatch.setenv("HOPTAC_NOTIFICATIONS_DATABASE_URL", database_url)
    result = CliRunner().invoke(notifications_app, ["replay", str(uuid.uuid4()), "--delivery", "1"])
    assert result.exit_code == 2
    assert "no subscription" in result.output


def test_migrate_brings_an_empty_database_up_to_date_and_can_run_again(fresh_database: str):
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(notifications_app, ["migrate", "--database-url", fresh_database])
        assert result.exit_code == 0, result.output
        assert "up to date" in result.output


async def test_prune_removes_old_delivered_deliveries_and_keeps_the_rest(
    subscribe, publish, new_event, engine, database_url, monkeypatch
):
    made = await subscribe("http://127.0.0.1:9/hook")
    await publish(*(new_event(s) for s in range(1, 6)))
    async with engine.begin() as conn:
        ids = (await conn.execute(text("SELECT id FROM deliveries ORDER BY sequence"))).scalars()
        old_delivered, recent_delivered, old_failed, *_waiting = ids.all()
        await conn.execute(
            text(
                "UPDATE deliveries SET status = 'delivered', "
                "delivered_at = now() - CAST(:age AS INTERVAL) WHERE id = :id"
            ),
            [
                {"id": old_delivered, "age": timedelta(days=91)},
                {"id": recent_delivered, "age": timedelta(days=89)},
            ],
        )
        await conn.execute(
            text(
                "UPDATE deliveries SET status = 'failed', "
                "last_attempt_at = now() - CAST(:age AS INTERVAL) WHERE id = :id"
            ),
            {"id": old_failed, "age": timedelta(days=400)},
        )
        await conn.execute(
            text(
                "INSERT INTO delivery_attempts (delivery_id, attempted_at, duration_ms, outcome) "
                "VALUES (:id, now(), 1, 'delivered')"
            ),
            {"id": old_delivered},
        )
    monkeypatch.setenv("HOPTAC_NOTIFICATIONS_DATABASE_URL", database_url)

    result = await asyncio.to_thread(CliRunner().invoke, notifications_app, ["prune"])

    assert result.exit_code == 0, result.output
    assert "1 deliveries delivered more than 90 days ago removed" in result.output
    async with engine.connect() as conn:
        left = (await conn.execute(text("SELECT id FROM deliveries"))).scalars().all()
        attempts = (await conn.execute(text("SELECT count(*) FROM delivery_attempts"))).scalar()
        events = (await conn.execute(text("SELECT count(*) FROM events"))).scalar()
    assert old_delivered not in left
    assert len(left) == 4
    assert (attempts, events) == (0, 5)
    replayed = await asyncio.to_thread(
        CliRunner().invoke,
        notifications_app,
        ["replay", made["id"], "--from-sequence", "1", "--to-sequence", "1"],
    )
    assert "1 deliveries queued" in replayed.output, "a pruned delivery can still be replayed"
