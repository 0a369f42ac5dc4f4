"""Signing secrets are stored sealed; secrets stored before sealing keep working and are sealed
when the worker starts; `hoptac notifications reseal` moves them to a new first key."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest
from sqlalchemy import text
from standardwebhooks import Webhook
from typer.testing import CliRunner

from hoptac.notifications.adapters.secret_box import SEALED, SecretBox, new_key, seal_stored
from hoptac.notifications.entrypoints.cli import notifications_app
from hoptac.platform.testing import wait_until

from .conftest import SECRET_KEY, bearer

pytestmark = pytest.mark.integration


async def stored(engine, subscription_id: str) -> tuple[str, str | None]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT secret, previous_secret FROM subscriptions WHERE id = :id"),
                {"id": UUID(subscription_id)},
            )
        ).one()
    return row.secret, row.previous_secret


async def test_the_database_holds_sealed_secrets_only(subscribe, client, engine) -> None:
    made = await subscribe("http://127.0.0.1:9/hook")
    secret, _ = await stored(engine, made["id"])
    assert secret.startswith(SEALED)
    assert made["secret"].removeprefix("whsec_") not in secret
    async with engine.connect() as conn:
        owner_token = await conn.scalar(text("SELECT owner_token FROM subscriptions"))
    assert owner_token.startswith(SEALED)  # the owner's registry token, kept sealed too
    assert "token-so-tai-chinh" not in owner_token

    headers = bearer("token-so-tai-chinh")
    rotated = await client.post(f"/v1/subscriptions/{made['id']}/secret", headers=headers)
    assert rotated.status_code == 200, rotated.text
    secret, previous = await stored(engine, made["id"])
    assert secret.startswith(SEALED)
    assert previous is not None
    assert previous.startswith(SEALED)
    assert SecretBox(lambda: [SECRET_KEY]).open(previous) == made["secret"]


async def test_a_secret_stored_plain_still_signs_and_is_sealed_once(
    receivers, subscribe, publish, run_worker, new_event, engine
) -> None:
    receiver = await receivers()
    made = await subscribe(receiver.url)
    async with engine.begin() as conn:  # as stored before sealing began
        await conn.execute(
            text("UPDATE subscriptions SET secret = :plain"), {"plain": made["secret"]}
        )
    run_worker()
    await publish(new_event(1))
    await wait_until(lambda: receiver.received, message="webhook received")
    got = receiver.received[0]
    Webhook(made["secret"]).verify(got.body, got.headers)

    box = SecretBox(lambda: [SECRET_KEY])
    assert await seal_stored(engine, box) == 1
    assert await seal_stored(engine, box) == 0
    secret, _ = await stored(engine, made["id"])
    assert box.open(secret) == made["secret"]


async def test_reseal_moves_every_secret_to_the_new_first_key(
    subscribe, engine, database_url, monkeypatch
) -> None:
    made = await subscribe("http://127.0.0.1:9/hook")
    new = new_key()
    monkeypatch.setenv("HOPTAC_NOTIFICATIONS_DATABASE_URL", database_url)
    monkeypatch.setenv("HOPTAC_NOTIFICATIONS_SECRET_KEYS", f"{new},{SECRET_KEY}")

    result = await asyncio.to_thread(CliRunner().invoke, notifications_app, ["reseal"])

    assert result.exit_code == 0, result.output
    assert "resealed the signing secrets of 1 subscriptions" in result.output
    secret, _ = await stored(engine, made["id"])
    assert SecretBox(lambda: [new]).open(secret) == made["secret"]
    async with engine.connect() as conn:
        owner_token = await conn.scalar(text("SELECT owner_token FROM subscriptions"))
    assert SecretBox(lambda: [new]).open(owner_token) == "token-so-tai-chinh"

    monkeypatch.setenv("HOPTAC_NOTIFICATIONS_SECRET_KEYS", new_key())
    refused = await asyncio.to_thread(CliRunner().invoke, notifications_app, ["reseal"])
    assert refused.exit_code == 2
    assert "none of the secret keys opens" in refused.output
