"""Portal: pages per second and latency of the search results page, a profile and the statistics
page at 1, 8 and 32 clients, each next to the API calls beneath it, in the same run.

    .venv/bin/python bench/portal/run.py [--organizations 100000 --seconds 10 --clients 1 8 32]

Starts its own stack in a temporary directory (PostgreSQL, NATS JetStream, the registry with its
relay, search, reporting and the portal, each as `make run` starts it), registers N organisations
through the registry's batch write (real communes and names from the demo generator), waits until
search and reporting hold all of them, then measures each page and, separately, the backend
calls that page makes (the same queries, straight to the services). Two times per page: the
portal's own (its `Server-Timing: app;dur=`, from the request reaching the app to its answer's
headers, every middleware counted: the issue's "server time"), and the latency the client saw on
loopback (that plus uvicorn's reading and writing, and the wait for the process to take the
request up). Exits non-zero when a request failed. See bench/README.md.

Beside the latencies, the CPU each process spent per page (and per API call pair), warm-up
included: on a shared machine the clearest figure to compare two runs by.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

import aiohttp
import httpx

from bench.common import report
from bench.common.cpu import CpuMeter
from bench.common.registry import Registry, start_registry
from bench.common.stack import (
    BENCH_CLIENT,
    Stack,
    run_benchmark,
    uvicorn_app,
    wait_http_ready,
)
from bench.common.stats import Latencies, per_second
from bench.portal.load import Operation, closed_loop, get
from bench.registry.workload import Bodies, describe
from bench.reporting.run import start_reporting
from hoptac.library.adapters.migrations import migrate_async as migrate_library
from hoptac.platform.embedded.ports import free_port
from hoptac.reporting.adapters.migrations import migrate_async

SEARCH_APP = "hoptac.search.entrypoints.http.app:create_app"
PORTAL_APP = "hoptac.portal.entrypoints.http.app:create_app"
LIBRARY_APP = "hoptac.library.entrypoints.http.app:create_app"
BATCH_ROWS = 1000  # the registry's HOPTAC_REGISTRY_BATCH_MAX_ROWS
BATCH_LOADERS = 2
UNLIMITED = "1000000/minute"
TARGETS_P95_MS = {"search results page": 50.0, "profile page": 30.0}
STATS_VIEWS = ("kind", "status", "sector_group", "province")
QUERIES = ("htx nong nghiep", "hop tac xa dich vu", "tan hung", "quy tin dung", "to hop tac",
           "htx thuong mai", "nuoi trong thuy san", "hop tac xa ca mau")  # fmt: skip


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--organizations", type=int, default=100_000, help="registered first (default 100000)")
    add("--seconds", type=float, default=10, help="measured seconds per shape (default 10)")
    add("--warmup", type=float, default=2, help="unmeasured seconds before each (default 2)")
    add("--clients", type=int, nargs="+", default=[1, 8, 32], help="concurrencies (default 1 8 32)")
    add("--keep", action="store_true", help="keep the stack's files (logs) afterwards")
    args = parser.parse_args(argv)
    if args.organizations < 100 or args.seconds <= 0:
        parser.error("--organizations must be >= 100 and --seconds > 0")
    return args


def main(argv: list[str] | None = None) -> int:
    return run_benchmark("portal benchmark", parse_args(argv), benchmark)


@dataclass
class Urls:
    registry: str
    search: str
    reporting: str
    portal: str


async def benchmark(stack: Stack, args: argparse.Namespace, problems: list[str]) -> None:
    # Every client of this run shares one address, and the portal asks the registry for each
    # profile: per-address limits would measure themselves rather than the pages.
    registry = await start_registry(
        stack,
        extra_env={
            "HOPTAC_REGISTRY_RATE_LIMIT_READS": UNLIMITED,
            "HOPTAC_REGISTRY_RATE_LIMIT_WRITES": UNLIMITED,
        },
    )
    urls = await start_services(stack, registry)
    loaded = time.monotonic()
    await register(registry, args.organizations)
    seconds = time.monotonic() - loaded
    print(f"registered {args.organizations} organisations in {seconds:.0f} s")
    caught_up = time.monotonic()
    await until_projected(urls, args.organizations)
    print(f"search and reporting hold them all {time.monotonic() - caught_up:.1f} s later")
    ids = await some_ids(urls.search)

    shapes = [
        ("search results page", urls.portal, _portal_search, urls.search, _api_search),
        ("profile page", urls.portal, _portal_profile(ids), urls.registry, _api_profile(ids)),
        ("statistics page", urls.portal, _portal_statistics, urls.reporting, _api_statistics),
    ]
    rows = []
    cpu_rows = []
    at_eight: dict[str, Measured] = {}
    for name, page_url, page_call, api_url, api_call in shapes:
        for clients in args.clients:
            page = await measure(page_url, page_call, clients, args, problems, stack)
            api = await measure(api_url, api_call, clients, args, problems, stack)
            if clients == 8:
                at_eight[name] = page
            rows.append(
                [name, clients, f"{page.rate:.0f}", *_percentiles(page.server),
                 *_percentiles(page.latency), f"{api.rate:.0f}", *_percentiles(api.latency)]
            )  # fmt: skip
            cpu_rows += [[name, clients, *page.cpu], ["  its API calls", clients, *api.cpu]]
    report.heading(f"pages and the API calls beneath them, {args.organizations} organisations")
    print(
        "times in ms. server: the portal's own (Server-Timing); client: the latency the\n"
        "benchmark's client saw, which adds uvicorn's reading and writing and the wait to be\n"
        "taken up by the portal's event loop (most of it when every core is busy)\n"
    )
    report.table(
        ["page", "clients", "pages/s", "server p50", "p95", "p99", "client p50", "p95", "p99",
         "API calls/s", "API p50", "p95", "p99"],
        rows,
    )  # fmt: skip
    report.heading("CPU per page (per API call pair below it), ms, warm-up included")
    report.table(["page", "clients", *CPU_COLUMNS], cpu_rows)
    report.heading("targets (8 clients), judged on the portal's server time")
    report.facts(
        [_verdict(name, target, at_eight.get(name)) for name, target in TARGETS_P95_MS.items()]
    )


def _verdict(name: str, target: float, page: Measured | None) -> tuple[str, str]:
    if page is None:
        return f"{name} p95 ≤ {target:.0f} ms", "not measured at 8 clients"
    server, client = page.server.p95, page.latency.p95
    verdict = "met" if server <= target else "NOT met"
    return (
        f"{name} p95 ≤ {target:.0f} ms",
        f"server {server:.1f} ms ({verdict}); client-observed {client:.1f} ms",
    )


async def start_services(stack: Stack, registry: Registry) -> Urls:
    search_port = free_port()
    search_env = {
        **os.environ,
        "HOPTAC_SEARCH_PORT": str(search_port),
        "HOPTAC_SEARCH_NATS_URL": stack.nats.url,
        "HOPTAC_SEARCH_VAR_DIR": str(stack.workdir / "search-var"),
        "HOPTAC_SEARCH_REGISTRY_URL": registry.url,
        "HOPTAC_SEARCH_REGISTRY_TOKEN": registry.token,
        "HOPTAC_SEARCH_RATE_LIMIT_EXEMPT": BENCH_CLIENT,  # the portal's address, as in production
    }
    search = stack.spawn("search", uvicorn_app(SEARCH_APP, search_port), search_env)
    search_url = f"http://127.0.0.1:{search_port}"
    database_url = stack.postgres.create_database("hoptac_reporting")
    await migrate_async(database_url)
    reporting_url = await start_reporting(
        stack,
        registry,
        database_url,
        name="reporting",
        cache=256,
        consume=True,
        extra_env={"HOPTAC_REPORTING_RATE_LIMIT_READS": UNLIMITED},  # see start_registry's
    )
    library_url = await start_library(stack, registry)
    await wait_http_ready(f"{search_url}/readyz", search)
    portal_port = free_port()
    portal_env = {
        **os.environ,
        "HOPTAC_PORTAL_PORT": str(portal_port),
        "HOPTAC_PORTAL_SEARCH_URL": search_url,
        "HOPTAC_PORTAL_REPORTING_URL": reporting_url,
        "HOPTAC_PORTAL_REGISTRY_URL": registry.url,
        "HOPTAC_PORTAL_LIBRARY_URL": library_url,
        "HOPTAC_PORTAL_RATE_LIMIT_READS": UNLIMITED,
    }
    portal = stack.spawn("portal", uvicorn_app(PORTAL_APP, portal_port), portal_env)
    portal_url = f"http://127.0.0.1:{portal_port}"
    await wait_http_ready(f"{portal_url}/readyz", portal)
    return Urls(registry.url, search_url, reporting_url, portal_url)


async def start_library(stack: Stack, registry: Registry) -> str:
    """The policy library with its starting set: a profile asks it for the documents applying
    to the organisation and for the articles of the register's rules."""
    database_url = stack.postgres.create_database("hoptac_library")
    await migrate_library(database_url)
    port = free_port()
    env = {
        **os.environ,
        "HOPTAC_LIBRARY_PORT": str(port),
        "HOPTAC_LIBRARY_DATABASE_URL": database_url,
        "HOPTAC_LIBRARY_NATS_URL": stack.nats.url,
        "HOPTAC_LIBRARY_REGISTRY_URL": registry.url,
        "HOPTAC_LIBRARY_VAR_DIR": str(stack.workdir / "library-var"),
        "HOPTAC_LIBRARY_RATE_LIMIT_EXEMPT": BENCH_CLIENT,  # the portal's address, as in production
    }
    library = stack.spawn("library", uvicorn_app(LIBRARY_APP, port), env)
    url = f"http://127.0.0.1:{port}"
    await wait_http_ready(f"{url}/readyz", library)
    return url


async def register(registry: Registry, count: int) -> None:
    """Register `count` organisations through the registry's batch write (rows validated and
    committed with their events as single writes are), a few requests at a time, saying how far
    it has got every tenth of the way."""
    per_province = max(count // 34 + 1, 1)
    bodies = Bodies.generate(min(per_province, 300))
    done = 0
    shown = 0
    started = time.monotonic()

    async def loader() -> None:
        nonlocal done, shown
        async with httpx.AsyncClient(
            base_url=registry.url, headers=registry.headers, timeout=300
        ) as http:
            while bodies.issued < count:
                rows = min(BATCH_ROWS, count - bodies.issued)
                changes = [
                    {"op": "register", "body": json.loads(bodies.next()[1])} for _ in range(rows)
                ]
                response = await http.post(
                    "/v1/organizations/batch",
                    json={"changes": changes, "similar_names": False},
                )
                if response.status_code != 200 or response.json()["refused"]:
                    raise describe(response, "POST /v1/organizations/batch")
                done += rows
                if done * 10 // count > shown:
                    shown = done * 10 // count
                    elapsed = time.monotonic() - started
                    print(
                        f"  registered {done:,} of {count:,} ({done / elapsed:,.0f}/s)", flush=True
                    )

    await asyncio.gather(*(loader() for _ in range(BATCH_LOADERS)))


async def until_projected(urls: Urls, count: int, give_up_after: float = 1800) -> None:
    deadline = time.monotonic() + give_up_after
    async with httpx.AsyncClient(timeout=30) as http:
        while time.monotonic() < deadline:
            searched = (await http.get(f"{urls.search}/v1/search", params={"limit": 1})).json()
            counted = (await http.get(f"{urls.reporting}/v1/stats")).json()
            if searched["total"] >= count and counted["totals"]["organizations"] >= count:
                return
            await asyncio.sleep(0.5)
    raise TimeoutError(f"search or reporting did not reach {count} organisations")


async def some_ids(search_url: str, count: int = 500) -> list[str]:
    async with httpx.AsyncClient(base_url=search_url, timeout=30) as http:
        answer = await http.get("/v1/search", params={"sort": "name", "limit": 100})
        ids = [item["id"] for item in answer.json()["items"]]
        cursor = answer.json()["next_cursor"]
        while cursor and len(ids) < count:
            answer = await http.get(
                "/v1/search", params={"sort": "name", "limit": 100, "cursor": cursor}
            )
            ids += [item["id"] for item in answer.json()["items"]]
            cursor = answer.json()["next_cursor"]
        return ids


@dataclass(frozen=True)
class Measured:
    latency: Latencies  # as the client saw it
    server: Latencies  # as the server said (Server-Timing); empty for the APIs
    rate: float  # answers per second
    cpu: list[str]  # CPU_COLUMNS


# The services by the names the stack gave them; search and PostgreSQL with their children
# (search's reader processes, PostgreSQL's backends). "everything else": other work.
PROCESSES = ("portal", "registry", "reporting", "library")
FAMILIES = ("search", "postgres")
CPU_COLUMNS = ("benchmark client", *PROCESSES, *FAMILIES, "whole machine", "everything else")


async def measure(
    url: str,
    call: Operation,
    clients: int,
    args: argparse.Namespace,
    problems: list[str],
    stack: Stack,
) -> Measured:
    pids = {service.name: service.pid for service in stack.services}
    meter = CpuMeter(
        {name: pids.get(name) for name in PROCESSES},
        {"search": pids.get("search"), "postgres": stack.postgres.pid},
    ).start()
    load = await closed_loop(url, call, clients, args.seconds, args.warmup)
    meter.stop()
    if load.errors:
        problems.append(f"{load.errors} failed requests at {url}: {load.error_samples}")
    return Measured(
        Latencies.of_seconds(load.latencies),
        Latencies.of_seconds([ms / 1000 for ms in load.server_ms]),
        per_second(len(load.latencies), load.elapsed),
        _cpu_per_request(meter, load.requests),
    )


def _cpu_per_request(meter: CpuMeter, requests: int) -> list[str]:
    def per_request(cores: float) -> str:
        return f"{cores * meter.elapsed / max(requests, 1) * 1000:.2f}"

    used = {share.name: share.cores for share in meter.shares}
    ours = sum(used.values())
    columns = [per_request(used[n]) if n in used else "–" for n in CPU_COLUMNS[:-2]]
    return [*columns, per_request(meter.machine), per_request(max(meter.machine - ours, 0.0))]


def _percentiles(latency: Latencies) -> list[object]:
    return [latency.p50, latency.p95, latency.p99] if latency.count else ["–"] * 3


_query = itertools.cycle(QUERIES)
_view = itertools.cycle(STATS_VIEWS)


async def _portal_search(http: aiohttp.ClientSession) -> float | None:
    return await get(http, "/search", [("q", next(_query))])


async def _api_search(http: aiohttp.ClientSession) -> float | None:
    await get(http, "/v1/search", [("q", next(_query)), ("limit", "20")])
    return None


def _portal_profile(ids: list[str]) -> Operation:
    next_id = itertools.cycle(ids).__next__

    async def call(http: aiohttp.ClientSession) -> float | None:
        return await get(http, f"/organizations/{next_id()}")

    return call


def _api_profile(ids: list[str]) -> Operation:
    next_id = itertools.cycle(ids).__next__

    async def call(http: aiohttp.ClientSession) -> float | None:
        org_id = next_id()
        await get(http, f"/v1/organizations/{org_id}")
        await get(http, f"/v1/organizations/{org_id}/history")
        return None

    return call


async def _portal_statistics(http: aiohttp.ClientSession) -> float | None:
    return await get(http, "/statistics", [("view", next(_view))])


async def _api_statistics(http: aiohttp.ClientSession) -> float | None:
    await get(http, "/v1/stats", [("group_by", next(_view))])
    await get(http, "/v1/reports/summary")
    return None


if __name__ == "__main__":
    sys.exit(main())
