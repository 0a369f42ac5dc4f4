"""The search service fed by the real registry: a write becomes searchable, and a reindex
switches generations while searches keep being answered."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from hoptac.platform.testing import wait_until

from .conftest import RegistryStack

pytestmark = pytest.mark.e2e


def body(number: int, name: str) -> dict[str, Any]:
    return {
        "registration_number": f"96{number:08d}",
        "name": name,
        "kind": "cooperative",
        "registered_on": "2019-05-20",
        "address": {"province_code": "96", "commune_code": "31825", "street": "Khóm 2"},
        "sector": {"group": "agriculture", "vsic": ["0322"]},
        "members_count": 12,
        "legal_representative": {"name": "Lê Thị Hồng", "id_number": "096190004321"},
    }


async def found(search: httpx.AsyncClient, q: str) -> list[str]:
    response = await search.get("/v1/search", params={"q": q})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


async def test_a_registration_becomes_searchable_and_a_rename_follows(
    registry_stack: RegistryStack, search_url: tuple[str, dict[str, str]]
) -> None:
    url, _ = search_url
    async with (
        httpx.AsyncClient(base_url=registry_stack.url, headers=registry_stack.headers) as registry,
        httpx.AsyncClient(base_url=url) as search,
    ):
        created = await registry.post("/v1/organizations", json=body(1, "Hợp tác xã Hoà Thuận"))
        assert created.status_code == 201, created.text
        await wait_until(lambda: found(search, "hoa thuan"), timeout=15)
        patched = await registry.patch(
            f"/v1/organizations/{created.json()['id']}",
            json={"name": "Hợp tác xã Hoà Thuận Phát"},
            headers={"If-Match": '"1"'},
        )
        assert patched.status_code == 200, patched.text

        async def renamed() -> bool:
            return await found(search, "hòa thuận") == ["Hợp tác xã Hoà Thuận Phát"]

        await wait_until(renamed, timeout=15)


async def test_reindex_switches_while_searches_keep_being_answered(
    registry_stack: RegistryStack, search_url: tuple[str, dict[str, str]]
) -> None:
    url, env = search_url
    async with (
        httpx.AsyncClient(base_url=registry_stack.url, headers=registry_stack.headers) as registry,
        httpx.AsyncClient(base_url=url) as search,
    ):
        for n in range(20):
            response = await registry.post("/v1/organizations", json=body(n, f"Hợp tác xã Số {n}"))
            assert response.status_code == 201, response.text

        async def all_twenty() -> bool:
            response = await search.get("/v1/search", params={"q": "hợp tác xã số"})
            return response.json()["total"] == 20

        await wait_until(all_twenty, timeout=20)
        before = (await search.get("/v1/index")).json()["generation"]

        answers: list[int] = []
        stop = asyncio.Event()

        async def keep_searching() -> None:
            while not stop.is_set():
                response = await search.get("/v1/search", params={"q": "hợp tác xã số"})
                answers.append(response.json()["total"] if response.status_code == 200 else -1)
                await asyncio.sleep(0.01)

        searching = asyncio.create_task(keep_searching())
        cli = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "hoptac"), "search", "reindex",
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await cli.communicate()
        assert cli.returncode == 0, output.decode()
        assert b"switched from" in output

        async def switched() -> bool:
            return (await search.get("/v1/index")).json()["generation"] != before

        await wait_until(switched, timeout=15)
        late = await registry.post("/v1/organizations", json=body(99, "Hợp tác xã Sau Cùng"))
        assert late.status_code == 201
        await wait_until(lambda: found(search, "sau cùng"), timeout=15)
        stop.set()
        await searching
    assert answers
    assert set(answers) == {20}, "every search during the reindex saw all twenty"
