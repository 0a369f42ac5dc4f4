"""Answers the portal keeps: a search answer for a few seconds (one call shared by those asking at
once, an older answer served while one call refreshes it), a history until the version moves,
the library's answers for profiles until it changes; a profile still shows a status change at
once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from hoptac.platform.testing.waiting import wait_until
from hoptac.portal.adapters.backends import Backend
from hoptac.portal.adapters.library import LibraryBackends
from hoptac.portal.adapters.recent_answers import RecentAnswers, VersionedAnswers
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import ORG_ID, FakeServices, HandlerTransport

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


class HeldBackend:
    """A backend whose calls wait until the test lets them answer (or fail)."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.failure: Exception | None = None

    async def fetch(self) -> str:
        self.calls += 1
        number = self.calls
        await self.release.wait()
        if self.failure is not None:
            raise self.failure
        return f"answer {number}"


async def test_readers_asking_the_same_thing_at_once_share_one_call() -> None:
    backend = HeldBackend()
    answers = RecentAnswers(1.0, clock=Clock())
    readers = [asyncio.create_task(answers.answer("q", backend.fetch)) for _ in range(5)]
    other = asyncio.create_task(answers.answer("other", backend.fetch))
    await wait_until(lambda: backend.calls == 2)
    backend.release.set()
    assert await asyncio.gather(*readers) == ["answer 1"] * 5
    assert await other == "answer 2"
    assert backend.calls == 2


async def test_a_shared_call_that_fails_fails_for_every_reader_and_is_not_kept() -> None:
    backend = HeldBackend()
    backend.failure = ConnectionError("search is down")
    answers = RecentAnswers(1.0, clock=Clock())
    readers = [asyncio.create_task(answers.answer("q", backend.fetch)) for _ in range(3)]
    await wait_until(lambda: backend.calls == 1)
    backend.release.set()
    outcomes = await asyncio.gather(*readers, return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)
    backend.failure = None
    assert await answers.answer("q", backend.fetch) == "answer 2"  # asked again


async def test_a_reader_who_leaves_does_not_cancel_the_call_the_others_wait_for() -> None:
    backend = HeldBackend()
    answers = RecentAnswers(1.0, clock=Clock())
    leaving = asyncio.create_task(answers.answer("q", backend.fetch))
    staying = asyncio.create_task(answers.answer("q", backend.fetch))
    await wait_until(lambda: backend.calls == 1)
    leaving.cancel()
    backend.release.set()
    assert await staying == "answer 1"
    assert leaving.cancelled()


async def test_an_older_answer_serves_while_one_call_refreshes_it_in_the_background() -> None:
    clock = Clock()
    backend = HeldBackend()
    backend.release.set()
    answers = RecentAnswers(1.0, clock=clock, stale_seconds=2.0)
    assert await answers.answer("q", backend.fetch) == "answer 1"
    backend.release.clear()
    clock.now += 1.5  # past its freshness, within its staleness
    assert [await answers.answer("q", backend.fetch) for _ in range(3)] == ["answer 1"] * 3
    await wait_until(lambda: backend.calls == 2)  # one refresh for the three readers
    assert answers.calling("q")  # and none of them waited for it
    backend.release.set()
    await wait_until(lambda: answers.get("q") == "answer 2")
    assert await answers.answer("q", backend.fetch) == "answer 2"
    assert backend.calls == 2


async def test_an_answer_past_both_limits_is_never_served() -> None:
    clock = Clock()
    backend = HeldBackend()
    backend.release.set()
    answers = RecentAnswers(1.0, clock=clock, stale_seconds=2.0)
    await answers.answer("q", backend.fetch)
    clock.now += 3.0
    assert await answers.answer("q", backend.fetch) == "answer 2"  # waited for a fresh call


async def test_a_failed_refresh_keeps_the_older_answer_until_its_limit_then_readers_see_it() -> (
    None
):
    clock = Clock()
    backend = HeldBackend()
    backend.release.set()
    answers = RecentAnswers(1.0, clock=clock, stale_seconds=2.0)
    await answers.answer("q", backend.fetch)
    backend.failure = ConnectionError("search is down")
    clock.now += 1.5
    assert await answers.answer("q", backend.fetch) == "answer 1"
    await wait_until(lambda: backend.calls == 2 and not answers.calling("q"))
    assert await answers.answer("q", backend.fetch) == "answer 1"  # still within its limit
    clock.now += 1.5
    with pytest.raises(ConnectionError):
        await answers.answer("q", backend.fetch)


async def test_without_seconds_every_reader_asks_afresh() -> None:
    backend = HeldBackend()
    backend.release.set()
    answers = RecentAnswers(0.0, stale_seconds=5.0)
    assert [await answers.answer("q", backend.fetch) for _ in range(2)] == ["answer 1", "answer 2"]


async def test_closing_cancels_a_refresh_still_running() -> None:
    clock = Clock()
    backend = HeldBackend()
    backend.release.set()
    answers = RecentAnswers(1.0, clock=clock, stale_seconds=2.0)
    await answers.answer("q", backend.fetch)
    backend.release.clear()
    clock.now += 1.5
    await answers.answer("q", backend.fetch)
    await answers.close()
    assert not answers.calling("q")


def test_a_versioned_answer_serves_its_version_only() -> None:
    answers = VersionedAnswers(size=1)
    answers.put("org", 3, ["v1", "v2", "v3"])
    assert answers.get("org", 3) == ["v1", "v2", "v3"]
    assert answers.get("org", 4) is None
    answers.put("other", 1, ["v1"])
    assert "org" not in answers


async def portal_of(services: FakeServices, **kept: float) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        PortalSettings(),
        services.backends(**kept),
        today=lambda: date(2026, 1, 15),
        library=services.library(),
    )
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


async def test_a_kept_record_is_asked_for_conditionally_and_reused_while_current() -> None:
    services = FakeServices()
    record = f"/v1/organizations/{ORG_ID}"
    async for portal in portal_of(services, histories=10):
        first = await portal.get(f"/organizations/{ORG_ID}")
        again = await portal.get(f"/organizations/{ORG_ID}")
        assert again.status_code == 200
        assert again.text == first.text
        conditions = [
            r.headers.get("if-none-match") for r in services.requests if r.url.path == record
        ]
        assert conditions == [None, '"2"']
        services.record_version = 3
        services.record_without = {"members_count"}  # the new version differs
        changed = await portal.get(f"/organizations/{ORG_ID}")
        assert changed.text != first.text
        assert (await portal.get(f"/organizations/{ORG_ID}")).text == changed.text
        conditions = [
            r.headers.get("if-none-match") for r in services.requests if r.url.path == record
        ]
        assert conditions == [None, '"2"', '"2"', '"3"']


async def test_a_profile_page_is_rendered_once_per_version_and_language() -> None:
    services = FakeServices()
    app = create_app(
        PortalSettings(),
        services.backends(histories=10),
        today=lambda: date(2026, 1, 15),
        library=services.library(),
    )
    rendered: list[str] = []
    render = app.state.pages.body

    def counting(request: object, name: str, *args: object, **kwargs: object) -> bytes:
        rendered.append(name)
        return render(request, name, *args, **kwargs)  # type: ignore[no-any-return]

    app.state.pages.body = counting
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as portal:
        page = f"/organizations/{ORG_ID}"
        first = await portal.get(page)
        assert (await portal.get(page)).text == first.text
        assert len(rendered) == 1
        english = await portal.get(page, headers={"cookie": "lang=en"})
        assert english.text != first.text
        await portal.get(page, params={"as_of": "2024-01-01"})  # a day's page: never kept
        await portal.get(page, params={"as_of": "2024-01-01"})
        assert len(rendered) == 4
        services.record_version = 3
        services.record_without = {"members_count"}
        assert (await portal.get(page)).text != first.text  # the new version at once
        assert len(rendered) == 5


async def test_clearing_forgets_every_answer_and_a_call_begun_before_keeps_nothing() -> None:
    backend = HeldBackend()
    answers = RecentAnswers(60.0, clock=Clock())
    backend.release.set()
    assert await answers.answer("q", backend.fetch) == "answer 1"
    answers.clear()
    assert answers.get("q") is None
    backend.release.clear()
    before = asyncio.create_task(answers.answer("q", backend.fetch))  # begun before a change…
    await wait_until(lambda: backend.calls == 2)
    answers.clear()  # …that clears what is kept
    backend.release.set()
    assert await before == "answer 2"  # its reader has it
    assert answers.get("q") is None  # but it is not kept for the next ones
    assert await answers.answer("q", backend.fetch) == "answer 3"


async def test_the_library_is_asked_once_per_kind_sector_and_province_until_it_changes() -> None:
    asked: list[str] = []

    def library(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url.params))
        return httpx.Response(200, json={"items": [{"number": f"{len(asked)}/2026/QĐ-UBND"}]})

    def backend(part: str) -> Backend:
        return Backend(part, "http://fake", 1.0, HandlerTransport(part, library))

    backends = LibraryBackends(backend("search"), backend("library"), RecentAnswers(60.0))
    first = await backends.applying_to("cooperative", "agriculture", "96")
    assert await backends.applying_to("cooperative", "agriculture", "96") == first
    await backends.applying_to("cooperative", "agriculture", "82")  # another province: asked
    assert await backends.provisions() == await backends.provisions()
    assert len(asked) == 3
    backends.forget()  # staff changed the library through the workspace
    assert await backends.applying_to("cooperative", "agriculture", "96") != first
    assert len(asked) == 4
