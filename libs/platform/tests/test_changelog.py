"""Catching up from the change log with the service token: what a projection is given to apply,
and what it is told when the change log cannot be read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from hoptac.platform.changelog import ChangeLogError, Pages, catch_up
from hoptac.platform.settings import ProjectionSettings

pytestmark = pytest.mark.unit

EVENTS = [{"sequence": n, "event_type": "organization.updated"} for n in range(1, 6)]


def registry(asked: list[httpx.Request]) -> httpx.AsyncClient:
    """A registry holding EVENTS; the requests kept in `asked`."""

    def changes(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        after, limit = int(request.url.params["after"]), int(request.url.params["limit"])
        page = [e for e in EVENTS if e["sequence"] > after][:limit]
        return httpx.Response(200, json={"events": page, "next": after})

    return httpx.AsyncClient(transport=httpx.MockTransport(changes))


def settings(tmp_path: Path, token: str | None = "service-token") -> ProjectionSettings:
    return ProjectionSettings(
        port=0, var_dir=tmp_path, registry_url="http://registry", registry_token=token
    )


class Projection:
    def __init__(self) -> None:
        self.pages: list[list[dict[str, Any]]] = []

    async def apply(self, pages: Pages) -> int:
        async for page in pages:
            self.pages.append(page)
        return sum(len(page) for page in self.pages)


async def test_the_projection_is_given_what_follows_its_sequence_and_says_what_it_applied(
    tmp_path: Path,
) -> None:
    asked: list[httpx.Request] = []
    projection = Projection()
    async with registry(asked) as client:
        applied = await catch_up(
            "test", settings(tmp_path), after=2, apply=projection.apply, client=client
        )
    assert applied == 3
    assert [e["sequence"] for page in projection.pages for e in page] == [3, 4, 5]
    assert {r.headers["Authorization"] for r in asked} == {"Bearer service-token"}


async def test_without_a_token_nothing_is_read(tmp_path: Path) -> None:
    asked: list[httpx.Request] = []
    projection = Projection()
    async with registry(asked) as client:
        with pytest.raises(ChangeLogError, match="no registry token"):
            await catch_up(
                "test", settings(tmp_path, None), after=0, apply=projection.apply, client=client
            )
    assert asked == []
    assert projection.pages == []


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(503, text="starting"),
        httpx.ConnectError("connection refused"),
    ],
    ids=["refusing", "unreachable"],
)
async def test_a_registry_that_cannot_be_read_is_a_change_log_error(
    tmp_path: Path, answer: httpx.Response | Exception
) -> None:
    def registry_away(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    transport = httpx.MockTransport(registry_away)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(ChangeLogError):
            await catch_up(
                "test", settings(tmp_path), after=0, apply=Projection().apply, client=client
            )


async def test_what_the_projection_raises_itself_is_not_taken_for_the_change_log(
    tmp_path: Path,
) -> None:
    async def store_away(pages: Pages) -> int:
        async for _ in pages:
            raise ConnectionRefusedError("the projection's database")
        return 0

    async with registry([]) as client:
        with pytest.raises(ConnectionRefusedError):
            await catch_up("test", settings(tmp_path), after=0, apply=store_away, client=client)
