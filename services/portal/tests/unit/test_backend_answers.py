"""Answers the portal keeps: a search answer for a few seconds, a history until the version moves;
a profile still shows a status change at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from hoptac.portal.adapters.recent_answers import RecentAnswers, VersionedAnswers
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import ORG_ID, FakeServices

pytestmark = pytest.mark.unit


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_recent_answer_is_kept_for_its_seconds_only() -> None:
    clock = Clock()
    answers = RecentAnswers(2.0, size=2, clock=clock)
    answers.put("a", 1)
    clock.now += 1.9
    assert answers.get("a") == 1
    clock.now += 0.2
    assert answers.get("a") is None


def test_recent_answers_keep_the_newest_up_to_their_size_and_none_with_no_seconds() -> None:
    answers = RecentAnswers(10.0, size=2)
    for key in "abc":
        answers.put(key, key)
    assert [answers.get(k) for k in "abc"] == [None, "b", "c"]
    never = RecentAnswers(0.0)
    never.put("a", 1)
    assert never.get("a") is None


def test_a_versioned_answer_serves_its_version_only() -> None:
    answers = VersionedAnswers(size=1)
    answers.put("org", 3, ["v1", "v2", "v3"])
    assert answers.get("org", 3) == ["v1", "v2", "v3"]
    assert answers.get("org", 4) is None
    answers.put("other", 1, ["v1"])
    assert "org" not in answers


async def portal_of(services: FakeServices, **kept: float) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(PortalSettings(), services.backends(**kept), today=lambda: date(2026, 1, 15))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        yield client


def asked(services: FakeServices, path: str) -> int:
    return sum(1 for request in services.requests if request.url.path == path)


async def test_a_profile_asks_for_the_history_again_only_when_the_version_moved() -> None:
    services = FakeServices()
    history = f"/v1/organizations/{ORG_ID}/history"
    async for portal in portal_of(services, histories=10):
        for _ in range(3):
            assert (await portal.get(f"/organizations/{ORG_ID}")).status_code == 200
        assert (asked(services, f"/v1/organizations/{ORG_ID}"), asked(services, history)) == (3, 1)
        services.record_version = 3  # a change: the history may hold more
        assert (await portal.get(f"/organizations/{ORG_ID}")).status_code == 200
        assert asked(services, history) == 2
        await portal.get(f"/organizations/{ORG_ID}", params={"as_of": "2020-01-01"})
        assert asked(services, history) == 3  # a past day: both asked at once, as always


async def test_the_same_search_within_its_seconds_asks_the_search_service_once() -> None:
    services = FakeServices()
    async for portal in portal_of(services, search_seconds=60):
        for _ in range(3):
            assert (await portal.get("/search", params={"q": "tan hung"})).status_code == 200
        await portal.get("/search", params={"q": "tan hung", "kind": "cooperative"})
    assert asked(services, "/v1/search") == 2
    services = FakeServices()
    async for portal in portal_of(services):
        for _ in range(2):
            await portal.get("/search", params={"q": "tan hung"})
    assert asked(services, "/v1/search") == 2
