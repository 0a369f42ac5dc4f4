"""What the fault tests write and how they read it back: a steady stream of registrations and
updates, each retried until the registry answers, the registry's whole change log, and the
checks every fault test ends with."""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field
from typing import Any

import httpx

from hoptac.cli.check import Urls, run_check
from hoptac.platform.testing import wait_until

from .platform import Platform
from .receiver import Receiver

RETRYABLE = (httpx.TransportError, httpx.HTTPStatusError)


def body(number: int) -> dict[str, Any]:
    return {
        "registration_number": f"96{number:08d}",
        "name": f"Hợp tác xã Thử Lửa {number}",
        "kind": "cooperative",
        "registered_on": "2020-05-04",
        "address": {"province_code": "96", "commune_code": "31825"},
        "sector": {"group": "agriculture", "vsic": ["0111"]},
        "members_count": 10,
    }


@dataclass
class Writer:
    """Registrations and updates at a steady rate, each retried until the registry answers; what
    it acknowledged is what must never be lost."""

    http: httpx.AsyncClient
    acknowledged: dict[str, int] = field(default_factory=dict)  # id -> version
    rng: random.Random = field(default_factory=lambda: random.Random(96))
    count: int = 0

    async def run(self, stop: asyncio.Event, writes_per_second: float) -> None:
        while not stop.is_set():
            if self.acknowledged and self.rng.random() < 0.5:
                await self._retried(self._update)
            else:
                await self._retried(self._register)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1 / writes_per_second)

    async def _retried(self, write: Any) -> None:
        for _ in range(600):
            try:
                await write()
                return
            except RETRYABLE:
                await asyncio.sleep(0.1)
        raise AssertionError("the registry did not take a write for a minute")

    async def _register(self) -> None:
        self.count += 1
        number = self.count
        answer = await self.http.post("/v1/organizations", json=body(number))
        if answer.status_code == 409:  # an earlier try committed, its answer was lost
            listed = await self.http.get(
                "/v1/organizations",
                params={"registration_number": body(number)["registration_number"]},
            )
            listed.raise_for_status()
            (item,) = listed.json()["items"]
            self.acknowledged[item["id"]] = item["version"]
            return
        answer.raise_for_status()
        self.acknowledged[answer.json()["id"]] = answer.json()["version"]

    async def _update(self) -> None:
        org_id = self.rng.choice(sorted(self.acknowledged))
        current = await self.http.get(f"/v1/organizations/{org_id}")
        current.raise_for_status()
        answer = await self.http.patch(
            f"/v1/organizations/{org_id}",
            json={"members_count": self.rng.randrange(1, 1000)},
            headers={"If-Match": current.headers["ETag"]},
        )
        if answer.status_code == 412:  # an earlier try committed; read again next time
            return
        answer.raise_for_status()
        self.acknowledged[org_id] = max(self.acknowledged[org_id], answer.json()["version"])


async def subscribe(platform: Platform, receiver: Receiver) -> None:
    async with httpx.AsyncClient(base_url=platform.url("notifications")) as http:
        answer = await http.post(
            "/v1/subscriptions",
            json={"url": receiver.url, "description": "crash test"},
            headers={"Authorization": f"Bearer {platform.service_token}"},
        )
    assert answer.status_code == 201, answer.text


async def registry_events(platform: Platform) -> dict[str, int]:
    """event_id -> sequence, for the whole change log."""
    events: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {platform.service_token}"}
    async with httpx.AsyncClient(base_url=platform.url("registry"), headers=headers) as http:
        after = 0
        while True:
            page = (await http.get("/v1/changes", params={"after": after, "limit": 1000})).json()
            if not page["events"]:
                return events
            events.update({e["event_id"]: e["sequence"] for e in page["events"]})
            after = page["next"]


async def check_nothing_acknowledged_is_lost(http: httpx.AsyncClient, writer: Writer) -> None:
    for org_id, version in writer.acknowledged.items():
        answer = await http.get(f"/v1/organizations/{org_id}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"] >= version


async def check_every_projection_agrees(platform: Platform) -> None:
    """Nothing applied twice, nothing missing: `hoptac check` finds no difference."""
    urls = Urls(
        platform.url("registry"),
        platform.url("search"),
        platform.url("reporting"),
        platform.url("notifications"),
    )
    differences = await run_check(urls, platform.service_token, 90.0, lambda line: None)
    assert differences == [], differences


async def check_every_event_delivered(platform: Platform, receiver: Receiver) -> dict[str, int]:
    """Every event of the change log reached the webhook receiver; returns them (id: sequence)."""
    events = await registry_events(platform)
    await wait_until(
        lambda: set(events) <= set(receiver.acknowledged),
        timeout=120,
        message="every event acknowledged by the receiver",
    )
    assert {receiver.sequences[i] for i in events} == set(events.values())
    return events
