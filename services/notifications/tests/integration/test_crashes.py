"""What a crash leaves behind: every attempt a receiver may have seen is in the delivery log,
duplicates stay within the at-least-once bound, and nothing the database is given reaches a log."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hoptac.notifications.bootstrap import bookkeeping_engine, engine_for
from hoptac.platform.testing import wait_until

from .conftest import AGENCY_A, SECRET_KEY, bearer

pytestmark = pytest.mark.integration

# The delivery worker alone, as the worker process runs it, configured from the environment.
DELIVERY_WORKER = """
import asyncio
from hoptac.notifications.adapters.webhooks import DeliveryMetrics
from hoptac.notifications.bootstrap import bookkeeping_engine, build_delivery_worker
from hoptac.notifications.settings import NotificationsSettings

settings = NotificationsSettings()
worker = build_delivery_worker(settings, bookkeeping_engine(settings), DeliveryMetrics(None))
asyncio.run(worker.run(asyncio.Event()))
"""


async def attempt_log(client, subscription: dict) -> list[dict]:
    listed = await client.get(
        f"/v1/subscriptions/{subscription['id']}/deliveries", headers=bearer(AGENCY_A)
    )
    delivery = listed.json()["items"][0]
    one = await client.get(
        f"/v1/subscriptions/{subscription['id']}/deliveries/{delivery['id']}",
        headers=bearer(AGENCY_A),
    )
    log: list[dict] = one.json()["attempt_log"]
    return log


async def test_an_attempt_is_in_the_log_before_the_receiver_answers(
    receivers, subscribe, publish, run_worker, new_event, client
):
    gate = asyncio.Event()
    receiver = await receivers(gate=gate)
    made = await subscribe(receiver.url)
    await publish(new_event(1))
    run_worker()
    await wait_until(lambda: receiver.received, message="the request reached the receiver")
    sending = await attempt_log(client, made)
    assert [a["outcome"] for a in sending] == ["sending"]
    gate.set()

    async def answered() -> list[dict]:
        log = await attempt_log(client, made)
        return log if log[0]["outcome"] != "sending" else []

    done = await wait_until(answered, message="the answer recorded")
    assert [(a["outcome"], a["status_code"]) for a in done] == [("delivered", 204)]


async def test_a_worker_killed_while_sending_leaves_the_attempt_in_the_log(
    receivers, subscribe, publish, run_worker, new_event, client, settings, tmp_path
):
    gate = asyncio.Event()
    receiver = await receivers(gate=gate)
    made = await subscribe(receiver.url)
    await publish(new_event(1))
    env = {
        **os.environ,
        "HOPTAC_NOTIFICATIONS_DATABASE_URL": settings.database_url,
        "HOPTAC_NOTIFICATIONS_SECRET_KEYS": SECRET_KEY,
        "HOPTAC_NOTIFICATIONS_DELIVERY_POLL_SECONDS": "0.05",
        "HOPTAC_NOTIFICATIONS_VAR_DIR": str(tmp_path),
    }
    with (tmp_path / "worker.log").open("wb") as output:
        doomed = await asyncio.create_subprocess_exec(
            sys.executable, "-c", DELIVERY_WORKER, env=env, stdout=output, stderr=output
        )
    try:
        await wait_until(lambda: receiver.received, timeout=30, message="first request arrived")
    finally:
        doomed.kill()  # SIGKILL while the receiver holds the request: no answer is recorded
        await doomed.wait()
    gate.set()
    run_worker()  # finds no other worker alive and takes the dead one's claim back at once

    async def delivered() -> list[dict]:
        log = await attempt_log(client, made)
        return log if log[-1]["outcome"] == "delivered" else []

    log = await wait_until(delivered, message="delivered by the second worker")
    assert [a["outcome"] for a in log] == ["interrupted", "delivered"]
    assert "may have received" in log[0]["error"]
    # Sent twice with the same webhook-id: exactly the attempts in the log.
    assert len(receiver.received) == 2
    assert len(set(receiver.ids())) == 1
    listed = await client.get(
        f"/v1/subscriptions/{made['id']}/deliveries", headers=bearer(AGENCY_A)
    )
    assert listed.json()["items"][0]["attempts"] == 2


async def test_delivery_bookkeeping_commits_durably(settings):
    engine = bookkeeping_engine(settings)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SHOW synchronous_commit")) == "on"
    finally:
        await engine.dispose()


@pytest.mark.parametrize("make_engine", [engine_for, bookkeeping_engine])
async def test_a_database_error_does_not_carry_its_parameters(settings, make_engine, caplog):
    """As a subscription stored with a NUL in its description once failed: PostgreSQL refuses
    the row, and the error must not print the sealed secret bound beside it."""
    engine = make_engine(settings)
    sealed = "gAAAAAB-a-sealed-signing-secret"
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError) as raised:
                await conn.execute(
                    text("SELECT CAST(:description AS TEXT), CAST(:secret AS TEXT)"),
                    {"description": "a\x00b", "secret": sealed},
                )
    finally:
        await engine.dispose()
    logging.getLogger("test").error("unexpected", exc_info=raised.value)
    assert sealed not in str(raised.value)
    assert sealed not in caplog.text
