"""The reporting service end to end: the registry and its relay, the reporting service as its own
process consuming JetStream, the Cà Mau report of 30 July 2022 (docs/design.md, section 5)
reproduced number for number, and `hoptac reporting check` / `rebuild` against the registry's
HTTP API."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.platform.testing import wait_until
from hoptac.registry.adapters.admin_units import official_units

from .conftest import RegistryStack, ReportingStack

pytestmark = pytest.mark.e2e

REPORT_DAY = date(2022, 7, 30)
STOPPED_STATUSES = ["dissolved", "suspended", "dissolving", "certificate_revoked", "bankrupt"]


@dataclass(frozen=True)
class Cooperative:
    number: int
    agriculture: bool
    stopped_as: str | None  # the status it had on 30 July 2022, None when operating
    members: int
    workers: int
    legacy_commune: str
    legacy_district: str


def ca_mau_2022() -> list[Cooperative]:
    """277 cooperatives: 222 operating and 55 stopped; agriculture 195 (27 stopped),
    non-agriculture 82 (28 stopped); 4,497 members; 4,796 regular workers."""
    communes = official_units().legacy_communes_of("96")
    plan = [(True, None)] * 168 + [(False, None)] * 54
    plan += [(True, STOPPED_STATUSES[i % 5]) for i in range(27)]
    plan += [(False, STOPPED_STATUSES[(i + 2) % 5]) for i in range(28)]
    members = [16 + (i < 65) for i in range(277)]  # 16 × 277 + 65 = 4,497
    workers = [17 + (i < 87) for i in range(277)]  # 17 × 277 + 87 = 4,796
    return [
        Cooperative(
            i,
            agriculture,
            stopped,
            members[i],
            workers[i],
            communes[i % len(communes)].code,
            communes[i % len(communes)].district_code,
        )
        for i, (agriculture, stopped) in enumerate(plan)
    ]


def body(
    coop: Cooperative, registered_on: date, kind: str = "cooperative", **extra: Any
) -> dict[str, Any]:
    return {
        "registration_number": f"96{coop.number:08d}",
        "name": f"HTX {'Nông nghiệp' if coop.agriculture else 'Dịch vụ'} Cà Mau số {coop.number}",
        "kind": kind,
        "registered_on": registered_on.isoformat(),
        "address": {
            "province_code": "96",
            "legacy": {
                "province_code": "96",
                "district_code": coop.legacy_district,
                "commune_code": coop.legacy_commune,
            },
            "text": "tỉnh Cà Mau",
        },
        "sector": {"group": "agriculture", "vsic": ["0111"]}
        if coop.agriculture
        else {
            "group": ["trade_services", "industry_handicraft", "transport"][coop.number % 3],
            "vsic": [],
        },
        "members_count": coop.members,
        "workers_count": coop.workers,
        "charter_capital": 100_000_000 + coop.number * 1_000_000,
        "ocop_products": [{"name": f"Sản phẩm {coop.number}", "stars": 3 + coop.number % 3}]
        if coop.number % 10 == 0
        else [],
        "digital": {
            "accounting_software": coop.number % 4 == 0,
            "social_media": coop.number % 2 == 0,
        },
        **extra,
    }


class Writer:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.writes = 0
        self.limit = asyncio.Semaphore(8)

    async def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        async with self.limit:
            response = await self.client.request(method, path, **kwargs)
        assert response.status_code in (200, 201, 204), (path, response.status_code, response.text)
        self.writes += 1
        return response.json() if response.content else {}

    async def register(self, payload: dict[str, Any]) -> str:
        return str((await self.call("POST", "/v1/organizations", json=payload))["id"])

    async def status(self, org_id: str, status: str, day: date) -> None:
        change: dict[str, Any] = {
            "status": status,
            "effective_date": day.isoformat(),
            "reason": "rà soát năm 2022",
        }
        if status == "suspended":
            change["suspended_until"] = "2023-12-31"
        await self.call("POST", f"/v1/organizations/{org_id}/status", json=change)


async def load_ca_mau(registry: RegistryStack) -> int:
    """The 277 of the report, plus what must not count on 30 July 2022; returns the writes."""
    coops = ca_mau_2022()
    async with httpx.AsyncClient(
        base_url=registry.url, headers=registry.headers, timeout=60
    ) as client:
        writer = Writer(client)
        start = date(2009, 1, 1)

        def registered(coop: Cooperative) -> date:
            return start + timedelta(days=(coop.number * 17) % 4000)  # before 2020

        ids = await asyncio.gather(*(writer.register(body(c, registered(c))) for c in coops))
        # The stopped ones stopped before the report's day, each in its own way.
        await asyncio.gather(
            *(
                writer.status(
                    org_id, coop.stopped_as, REPORT_DAY - timedelta(days=30 + coop.number % 300)
                )
                for coop, org_id in zip(coops, ids, strict=True)
                if coop.stopped_as
            )
        )
        # After the day: five operating ones dissolve in 2024, one gains members; none of it
        # may change the figures of 30 July 2022.
        operating = [org_id for coop, org_id in zip(coops, ids, strict=True) if not coop.stopped_as]
        await asyncio.gather(
            *(writer.status(i, "dissolved", date(2024, 5, 1)) for i in operating[:5])
        )
        await writer.call(
            "PATCH",
            f"/v1/organizations/{operating[5]}",
            json={"members_count": 500, "effective_date": "2024-01-01"},
            headers={"If-Match": '"1"'},
        )
        # Registered after the day, or not a cooperative, or entered by mistake: not counted.
        extra = Cooperative(
            900, True, None, 9, 9, coops[0].legacy_commune, coops[0].legacy_district
        )
        await writer.register(body(extra, date(2023, 3, 1)))
        group = Cooperative(902, True, None, 7, 7, extra.legacy_commune, extra.legacy_district)
        await writer.register(body(group, date(2020, 3, 1), kind="cooperative_group"))
        mistaken = await writer.register(
            body(
                Cooperative(901, True, None, 99, 99, extra.legacy_commune, extra.legacy_district),
                date(2020, 3, 1),
            )
        )
        await writer.call("DELETE", f"/v1/organizations/{mistaken}", params={"reason": "nhập nhầm"})
        # Corrections entered today about 2021: the second restores the first's members.
        coop = next(c for c in coops if not c.stopped_as and c.number == 6)
        for version, members, day in (
            (1, coop.members + 10, "2021-01-01"),
            (2, coop.members, "2021-06-01"),
        ):
            await writer.call(
                "PATCH",
                f"/v1/organizations/{ids[6]}",
                json={"members_count": members, "effective_date": day},
                headers={"If-Match": f'"{version}"'},
            )
        return writer.writes


async def versions_counted(client: httpx.AsyncClient) -> int:
    for line in (await client.get("/metrics")).text.splitlines():
        if line.startswith('hoptac_reporting_projection_size{part="versions"}'):
            return int(float(line.split()[-1]))
    return 0


def hoptac(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "hoptac"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def test_the_ca_mau_report_of_30_july_2022_is_reproduced_and_checks_clean(
    registry_stack: RegistryStack, reporting_stack: ReportingStack
) -> None:
    writes = await load_ca_mau(registry_stack)
    async with httpx.AsyncClient(base_url=reporting_stack.url, timeout=30) as client:

        async def all_counted() -> bool:
            return await versions_counted(client) == writes

        await wait_until(all_counted, timeout=120, message="every write counted")
        day = {"as_of": REPORT_DAY.isoformat(), "kind": "cooperative"}
        stats = (await client.get("/v1/stats", params=day)).json()
        assert stats["totals"]["organizations"] == 277
        assert stats["totals"]["members"] == 4497
        assert stats["totals"]["workers"] == 4796
        by_class = (
            await client.get("/v1/stats", params={**day, "group_by": "status_class"})
        ).json()
        assert {r["status_class"]: r["organizations"] for r in by_class["rows"]} == {
            "operating": 222,
            "stopped": 55,
        }
        by_sector = (
            await client.get("/v1/stats", params={**day, "group_by": "sector_class,status_class"})
        ).json()
        cells = {
            (r["sector_class"], r["status_class"]): r["organizations"] for r in by_sector["rows"]
        }
        assert cells[("agriculture", "operating")] + cells[("agriculture", "stopped")] == 195
        assert cells[("agriculture", "stopped")] == 27
        assert cells[("non_agriculture", "operating")] + cells[("non_agriculture", "stopped")] == 82
        assert cells[("non_agriculture", "stopped")] == 28

        summary = (await client.get("/v1/reports/summary", params=day)).json()
        assert {
            k: summary["totals"][k]
            for k in ("organizations", "operating", "stopped", "members", "workers")
        } == {
            "organizations": 277,
            "operating": 222,
            "stopped": 55,
            "members": 4497,
            "workers": 4796,
        }
        sectors = {
            r["sector_class"]: (r["organizations"], r["stopped"])
            for r in summary["by_sector_class"]
        }
        assert sectors == {"agriculture": (195, 27), "non_agriculture": (82, 28)}

        # Old districts add up; split communes are counted at province level, and said so.
        districts = (
            await client.get("/v1/stats", params={**day, "group_by": "legacy_district"})
        ).json()
        assert sum(r["organizations"] for r in districts["rows"]) == 277
        communes = (await client.get("/v1/stats", params={**day, "group_by": "commune"})).json()
        unknown = [r for r in communes["rows"] if r["commune"] is None]
        assert unknown
        assert unknown[0]["counted_at"] == "province"
        assert communes["notes"]

        xlsx = await client.get("/v1/reports/summary", params={**day, "format": "xlsx"})
        assert xlsx.status_code == 200

    # The recount from the registry's HTTP API agrees, today and on the report's day.
    for args in (["reporting", "check"], ["reporting", "check", "--as-of", REPORT_DAY.isoformat()]):
        result = hoptac(reporting_stack.env, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no difference" in result.stdout

    # A projection that drifted is caught, organisation and field named.
    engine = create_async_engine(reporting_stack.database_url)
    try:
        async with engine.begin() as conn:
            drifted = await conn.scalar(
                text(
                    "UPDATE timeline SET members = members + 1 WHERE organization_id = "
                    "(SELECT organization_id FROM timeline ORDER BY organization_id LIMIT 1) "
                    "AND valid_to = 'infinity' RETURNING organization_id"
                )
            )
    finally:
        await engine.dispose()
    result = hoptac(reporting_stack.env, "reporting", "check")
    assert result.returncode == 1
    assert f"{drifted}  members:" in result.stdout

    # A rebuild from the change log repairs it.
    result = hoptac(reporting_stack.env, "reporting", "rebuild")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rebuilt from" in result.stdout
    result = hoptac(reporting_stack.env, "reporting", "check", "--as-of", REPORT_DAY.isoformat())
    assert result.returncode == 0, result.stdout + result.stderr
