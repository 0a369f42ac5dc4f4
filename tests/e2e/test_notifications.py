"""Notifications fed by the real registry: an agency subscribes with its registry token,
receives signed webhooks for real writes, reads and resumes the feed, and loses nothing when the
notifications worker is killed and started again; a revoked token stops its subscriptions, and
the registry's admin manages every agency's."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import create_async_engine
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from hoptac.notifications.adapters.migrations import migrate_async
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.testing import wait_until
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role

from .conftest import Process, RegistryStack, uvicorn_command, wait_ready

pytestmark = pytest.mark.e2e


def body(number: int) -> dict[str, Any]:
    return {
        "registration_number": f"96{number:08d}",
        "name": f"Hợp tác xã Dịch vụ Nông nghiệp Tân Lộc {number}",
        "kind": "cooperative",
        "registered_on": "2019-05-20",
        "address": {"province_code": "96", "commune_code": "31825", "street": "Khóm 2"},
        "sector": {"group": "agriculture", "vsic": ["0322"]},
        "members_count": 12,
        "legal_representative": {"name": "Lê Thị Hồng", "id_number": "096190004321"},
    }


@dataclass
class Receiver:
    """A real webhook receiver on 127.0.0.1, served in the test's loop."""

    port: int = field(default_factory=free_port)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        data = b""
        while True:
            message = await receive()
            data += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.received.append(({k.decode(): v.decode() for k, v in scope["headers"]}, data))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hoptac"


@dataclass
class NotificationsStack:
    url: str
    agency_token: str
    worker: Process
    receiver: Receiver

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.agency_token}"}


@pytest.fixture
async def notifications(
    registry_stack: RegistryStack, pg_server: EmbeddedPostgres, tmp_path: Path
) -> AsyncIterator[NotificationsStack]:
    name = f"notifications_{uuid.uuid4().hex[:12]}"
    database_url = pg_server.create_database(name)
    await migrate_async(database_url)
    engine = create_async_engine(registry_stack.database_url)
    async with engine.begin() as conn:
        agency = await tokens.create_token(
            conn, "so-tai-chinh-ca-mau", Role.AGENCY_READER, [], [], WriteContext("e2e", "t", None)
        )
    await engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "HOPTAC_NOTIFICATIONS_PORT": str(port),
        "HOPTAC_NOTIFICATIONS_DATABASE_URL": database_url,
        "HOPTAC_NOTIFICATIONS_NATS_URL": registry_stack.nats_url,
        "HOPTAC_NOTIFICATIONS_REGISTRY_URL": registry_stack.url,
        "HOPTAC_NOTIFICATIONS_REGISTRY_TOKEN": registry_stack.admin_token,
        "HOPTAC_NOTIFICATIONS_WORKER_METRICS_PORT": "0",
        "HOPTAC_NOTIFICATIONS_VAR_DIR": str(tmp_path),
        "HOPTAC_NOTIFICATIONS_DELIVERY_POLL_SECONDS": "0.1",
        "HOPTAC_NOTIFICATIONS_OWNER_CHECK_SECONDS": "0",
    }
    command = uvicorn_command("hoptac.notifications.entrypoints.http.app:create_app", port)
    api = Process("notifications", command, env, tmp_path / "notifications.log")
    worker = Process(
        "notifications-worker",
        [sys.executable, "-m", "hoptac.notifications.entrypoints.worker"],
        env,
        tmp_path / "notifications-worker.log",
    )
    receiver = Receiver()
    server = uvicorn.Server(
        uvicorn.Config(receiver, host="127.0.0.1", port=receiver.port, log_level="warning")
    )
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    serving = asyncio.create_task(server.serve())
    api.start()
    worker.start()
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(url, api)
        yield NotificationsStack(url, agency, worker, receiver)
    finally:
        worker.stop()
        api.stop()
        server.should_exit = True
        await asyncio.wait_for(serving, 10)
        pg_server.drop_database(name)


async def test_an_agency_receives_signed_webhooks_and_reads_the_feed(
    registry_stack: RegistryStack, notifications: NotificationsStack
) -> None:
    async with (
        httpx.AsyncClient(base_url=registry_stack.url, headers=registry_stack.headers) as registry,
        httpx.AsyncClient(base_url=notifications.url, headers=notifications.headers) as api,
    ):
        made = await api.post(
            "/v1/subscriptions",
            json={
                "url": notifications.receiver.url,
                "event_types": ["registered", "status_changed"],
            },
        )
        assert made.status_code == 201, made.text
        secret = made.json()["secret"]
        created = await registry.post("/v1/organizations", json=body(1))
        assert created.status_code == 201, created.text
        org = created.json()["id"]
        suspended = await registry.post(
            f"/v1/organizations/{org}/status",
            json={
                "status": "suspended",
                "effective_date": "2026-11-01",
                "suspended_until": "2027-05-01",
                "reason": "tạm ngừng",
            },
        )
        assert suspended.status_code in (200, 201), suspended.text

        await wait_until(lambda: len(notifications.receiver.received) == 2, timeout=20)
        events = [Webhook(secret).verify(b, h) for h, b in notifications.receiver.received]
        assert [e["event_type"] for e in events] == [
            "organization.registered",
            "organization.status_changed",
        ]
        assert events[0]["data"]["record"]["name"] == body(1)["name"]
        assert "096190004321" not in str(events[0])  # restricted values never leave

        page = (await api.get("/v1/feed", params={"after": 0})).json()
        assert [e["sequence"] for e in page["events"]] == [e["sequence"] for e in events]
        resumed = (
            await api.get("/v1/feed", params={"after": page["events"][0]["sequence"]})
        ).json()
        assert [e["event_type"] for e in resumed["events"]] == ["organization.status_changed"]
        snapshot = (await api.get("/v1/snapshot")).json()
        assert snapshot["sequence"] == page["next"]
        assert snapshot["organizations"][0]["status"] == "suspended"

        stranger = await registry_token(registry_stack, "cuc-thong-ke", Role.AGENCY_READER)
        other = await api.get(
            f"/v1/subscriptions/{made.json()['id']}",
            headers={"Authorization": f"Bearer {stranger}"},
        )
        assert other.status_code == 404  # another agency does not see it


async def registry_token(stack: RegistryStack, name: str, role: Role) -> str:
    engine = create_async_engine(stack.database_url)
    async with engine.begin() as conn:
        token = await tokens.create_token(conn, name, role, [], [], WriteContext("e2e", "t", None))
    await engine.dispose()
    return token


async def revoke(stack: RegistryStack, name: str) -> None:
    engine = create_async_engine(stack.database_url)
    async with engine.begin() as conn:
        assert await tokens.revoke_token(conn, name, WriteContext("e2e", "t", None))
    await engine.dispose()


def signed_for(receiver: Receiver, secret: str) -> list[dict[str, Any]]:
    """The webhooks that verify with this subscription's secret."""
    found = []
    for headers, data in receiver.received:
        with contextlib.suppress(WebhookVerificationError):
            found.append(Webhook(secret).verify(data, headers))
    return found


async def test_revoking_a_token_stops_its_subscriptions_and_admins_manage_every_one(
    registry_stack: RegistryStack, notifications: NotificationsStack
) -> None:
    receiver = notifications.receiver
    other_token = await registry_token(registry_stack, "cuc-thong-ke", Role.AGENCY_READER)
    admin = {"Authorization": f"Bearer {registry_stack.admin_token}"}
    async with (
        httpx.AsyncClient(base_url=registry_stack.url, headers=registry_stack.headers) as registry,
        httpx.AsyncClient(base_url=notifications.url, headers=notifications.headers) as api,
    ):
        doomed = (await api.post("/v1/subscriptions", json={"url": receiver.url})).json()
        kept = (
            await api.post(
                "/v1/subscriptions",
                json={"url": receiver.url},
                headers={"Authorization": f"Bearer {other_token}"},
            )
        ).json()
        every = (await api.get("/v1/subscriptions", headers=admin)).json()["items"]
        assert {(s["id"], s["owner"]) for s in every} == {
            (doomed["id"], "so-tai-chinh-ca-mau"),
            (kept["id"], "cuc-thong-ke"),
        }

        async def register(n: int) -> None:
            assert (await registry.post("/v1/organizations", json=body(n))).status_code == 201
            await wait_until(
                lambda: any(
                    e["data"]["record"]["name"] == body(n)["name"]
                    for e in signed_for(receiver, kept["secret"])
                ),
                timeout=20,
                message=f"organisation {n} delivered to the agency that keeps its token",
            )

        await register(0)
        assert len(signed_for(receiver, doomed["secret"])) == 1
        await revoke(registry_stack, "so-tai-chinh-ca-mau")
        # The registry may still vouch for the token for its cache's few seconds: changes
        # go on until the worker hears that it is revoked.
        doomed_path = f"/v1/subscriptions/{doomed['id']}"
        n = 1
        while (await api.get(doomed_path, headers=admin)).json()["enabled"]:
            assert n < 200, "the revoked owner's subscription was never disabled"
            await register(n)
            n += 1
        stopped = (await api.get(doomed_path, headers=admin)).json()
        assert stopped["disabled_by"] == "revoked"
        seen_by_doomed = len(signed_for(receiver, doomed["secret"]))
        await register(n)
        await register(n + 1)
        assert len(signed_for(receiver, doomed["secret"])) == seen_by_doomed

        async def refused() -> bool:  # the revoked token itself, once the caches let go
            return (await api.get("/v1/subscriptions")).status_code == 401

        await wait_until(refused, timeout=10, message="the revoked token refused")

        kept_path = f"/v1/subscriptions/{kept['id']}"
        paused = await api.patch(kept_path, json={"enabled": False}, headers=admin)
        assert paused.json()["disabled_by"] == "admin"
        assert (await api.delete(kept_path, headers=admin)).status_code == 204
        assert (await api.delete(doomed_path, headers=admin)).status_code == 204
        assert (await api.get("/v1/subscriptions", headers=admin)).json()["items"] == []


async def test_nothing_is_lost_when_the_worker_is_killed_and_started_again(
    registry_stack: RegistryStack, notifications: NotificationsStack
) -> None:
    async with (
        httpx.AsyncClient(base_url=registry_stack.url, headers=registry_stack.headers) as registry,
        httpx.AsyncClient(base_url=notifications.url, headers=notifications.headers) as api,
    ):
        made = await api.post("/v1/subscriptions", json={"url": notifications.receiver.url})
        assert made.status_code == 201, made.text
        for n in range(5):
            assert (await registry.post("/v1/organizations", json=body(n))).status_code == 201
        await wait_until(lambda: len(notifications.receiver.received) == 5, timeout=20)
        notifications.worker.kill()
        for n in range(5, 15):
            assert (await registry.post("/v1/organizations", json=body(n))).status_code == 201
        notifications.worker.start()

        def distinct() -> int:
            return len({h["webhook-id"] for h, _ in notifications.receiver.received})

        await wait_until(lambda: distinct() == 15, timeout=30, message="all 15 delivered")
        names = {Webhook(made.json()["secret"]).verify(b, h)["data"]["record"]["name"]
                 for h, b in notifications.receiver.received}  # fmt: skip
        assert names == {body(n)["name"] for n in range(15)}
