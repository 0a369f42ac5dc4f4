"""Backup and point-in-time restore, as docs/operations.md tells an operator to do it: a base
backup and the archived WAL bring PostgreSQL back to a named restore point; the event stream,
which holds events of changes the restore took back, is deleted (the relay makes it anew); the
search index is rebuilt from the registry's change log at start and reporting by `hoptac
reporting rebuild`. Then the registry holds exactly what it held at the restore point and every
projection agrees with it. The figures printed: organisations kept and taken back, and the time
the restore took.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from typing import Any

import asyncpg
import httpx
import nats
import pytest

from hoptac.contracts.events import STREAM

from .platform import Platform, StartPlatform
from .workload import check_every_projection_agrees

pytestmark = pytest.mark.e2e

RESTORE_POINT = "before-the-mistake"


@pytest.fixture
async def platform(started: StartPlatform) -> Platform:
    return await started("restore", archive=True)


def organisation(number: int) -> dict[str, Any]:
    return {
        "registration_number": f"97{number:08d}",
        "name": f"Hợp tác xã Phục Hồi {number}",
        "kind": "cooperative",
        "registered_on": "2021-03-02",
        "address": {"province_code": "96", "commune_code": "31825"},
        "sector": {"group": "agriculture", "vsic": ["0111"]},
    }


async def register(platform: Platform, numbers: range) -> set[str]:
    headers = {"Authorization": f"Bearer {platform.admin_token}"}
    async with httpx.AsyncClient(base_url=platform.url("registry"), headers=headers) as http:
        ids = set()
        for number in numbers:
            answer = await http.post("/v1/organizations", json=organisation(number))
            assert answer.status_code == 201, answer.text
            ids.add(answer.json()["id"])
        return ids


async def sql(platform: Platform, statement: str) -> None:
    conn = await asyncpg.connect(platform.postgres.dsn())
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def registered(platform: Platform) -> set[str]:
    async with httpx.AsyncClient(base_url=platform.url("registry")) as http:
        ids: set[str] = set()
        cursor: str | None = None
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = (await http.get("/v1/organizations", params=params)).json()
            ids |= {item["id"] for item in page["items"]}
            cursor = page["next_cursor"]
            if cursor is None:
                return ids


async def delete_stream(platform: Platform) -> None:
    nc = await nats.connect(platform.account.relay_url(platform.nats.url))
    try:
        await nc.jetstream().delete_stream(STREAM)
    finally:
        await nc.close()


async def test_a_point_in_time_restore_brings_the_register_and_every_projection_back(
    platform: Platform,
) -> None:
    platform.postgres.base_backup(platform.workdir / "base-backup")
    kept = await register(platform, range(1, 13))
    await sql(platform, f"SELECT pg_create_restore_point('{RESTORE_POINT}')")
    taken_back = await register(platform, range(13, 21))  # the mistake
    await sql(platform, "SELECT pg_switch_wal()")  # the last segment goes to the archive too

    started = time.monotonic()
    platform.stop_services()
    platform.postgres.restore_to(
        platform.workdir / "base-backup", platform.wal_archive, RESTORE_POINT
    )
    await delete_stream(platform)  # its events of the changes taken back must not be applied
    shutil.rmtree(platform.var_dir / "search")  # rebuilt from the change log at start
    await platform.start_services()
    rebuild = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "hoptac.cli.main", "reporting", "rebuild"],
        env=platform.parts["reporting"].env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert rebuild.returncode == 0, rebuild.stdout + rebuild.stderr
    restored_in = time.monotonic() - started

    assert await registered(platform) == kept
    await check_every_projection_agrees(platform)
    # The register goes on from there: a new change flows to every projection.
    await register(platform, range(21, 22))
    await check_every_projection_agrees(platform)
    print(
        f"restored to {RESTORE_POINT!r} from a base backup and the WAL archive in "
        f"{restored_in:.1f} s: {len(kept)} organisations kept, {len(taken_back)} taken back as "
        "intended; search rebuilt from the change log, reporting check clean"
    )
