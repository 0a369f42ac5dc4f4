"""Reporting: statistics latency at 100k organisations, commit-to-counted latency, rebuild time.

    .venv/bin/python bench/reporting/run.py [--organizations 100000 --queries 40 ...]

Starts its own stack in a temporary directory (durable PostgreSQL, NATS JetStream, the registry
with its outbox relay, the reporting service as `make run` starts it), then:

1. bulk: synthetic histories of N organisations (real areas from the demo generator, some
   status changes and recounts dated after registration) applied by the projection's own code
   (`Reporting.rebuild` over change-log pages held in memory): the projection's apply rate;
2. statistics over HTTP at N organisations: a mix of group keys, filters and dates, one client,
   each shape repeated; p50/p95/p99 per shape and over all;
3. raw PostgreSQL on the same table: a bare aggregate, the same SQL as /v1/stats without HTTP,
   and COPY of the timeline rows;
4. commit-to-counted: clients register organisations over the registry's HTTP API; for each, the
   time from the registry's commit (`recorded_at` of the event) to the projection's commit;
   meanwhile one client asks every shape of the consuming service (its copy patched with what
   it applies) and of the PostgreSQL-only one: latency while writes stream;
5. rebuild from the registry's real change log (`GET /v1/changes`) into an empty database, next
   to the bare rate of reading that change log.

Exits non-zero when a request failed or an event was not counted in time. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import report
from bench.common.registry import Registry, start_registry
from bench.common.stack import (
    BENCH_CLIENT,
    Stack,
    machine_facts,
    postgres_facts,
    terminate_as_interrupt,
    uvicorn_app,
    wait_http_ready,
)
from bench.common.stats import Latencies, per_second
from bench.registry.workload import Bodies, Register, run_load
from bench.reporting.workload import Histories
from hoptac.platform.changelog import read_changes
from hoptac.platform.embedded.ports import free_port
from hoptac.reporting.adapters.migrations import migrate_async
from hoptac.reporting.handlers import Reporting

APP = "hoptac.reporting.entrypoints.http.app:create_app"
REPORT_DAY = "2022-07-30"

# (name, path, query parameters): what provinces and agencies ask for.
DAY = {"as_of": REPORT_DAY}
SHAPES: list[tuple[str, str, dict[str, str]]] = [
    ("totals, today", "/v1/stats", {}),
    ("by status, today", "/v1/stats", {"group_by": "status"}),
    ("by province × operating/stopped, 2022", "/v1/stats",
     {"group_by": "province,status_class", **DAY}),
    ("by kind × sector, 2015", "/v1/stats",
     {"group_by": "kind,sector_group", "as_of": "2015-06-30"}),
    ("one province by commune", "/v1/stats", {"group_by": "commune", "province": "96"}),
    ("by old district, 2022", "/v1/stats", {"group_by": "legacy_district", **DAY}),
    ("agriculture × stopped, cooperatives, 2022", "/v1/stats",
     {"group_by": "sector_class,status_class", "kind": "cooperative", **DAY}),
    ("summary report, 2022", "/v1/reports/summary", DAY),
    ("trends by year, 10 years", "/v1/reports/trends", {"unit": "year", "from": "2016-01-01"}),
    ("trends by month, 24 months", "/v1/reports/trends", {"unit": "month", "from": "2024-11-01"}),
]  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--organizations", type=int, default=100_000, help="bulk organisations (default 100000)")
    add("--queries", type=int, default=40, help="requests per query shape (default 40)")
    add("--seconds", type=float, default=15, help="registration window for commit-to-counted")
    add("--clients", type=int, default=4, help="registering HTTP clients (default 4)")
    add("--count-timeout", type=float, default=120, help="give up waiting for counts after (s)")
    add("--keep", action="store_true", help="keep the stack's files and logs")
    return parser.parse_args(argv)


@dataclass
class Figures:
    bulk_events: int = 0
    bulk_seconds: float = 0.0
    timeline_rows: int = 0
    shapes: dict[str, Latencies] | None = None
    all_queries: Latencies | None = None
    sql_shapes: dict[str, Latencies] | None = None
    sql_queries: Latencies | None = None
    memory_load_seconds: float = 0.0
    kept: Latencies | None = None
    raw_bare: Latencies | None = None
    raw_stats_sql: Latencies | None = None
    copy_rows_per_second: float = 0.0
    written: int = 0
    write_seconds: float = 0.0
    counted: Latencies | None = None
    while_writing: dict[str, Latencies] | None = None
    from_memory_share: float = 0.0
    failures: int = 0
    rebuild_events: int = 0
    rebuild_seconds: float = 0.0
    read_events_per_second: float = 0.0


async def pages_of(pages: Sequence[list[dict[str, Any]]]) -> AsyncIterator[list[dict[str, Any]]]:
    for page in pages:
        yield page


async def bulk_load(database_url: str, organizations: int, figures: Figures) -> None:
    report.heading(f"bulk: {organizations:,} organisations through the projection's own code")
    started = time.perf_counter()
    histories = Histories(Bodies.generate(40).templates)
    pages = list(histories.pages(organizations))
    print(f"generated {sum(map(len, pages)):,} events in {time.perf_counter() - started:.1f} s")
    engine = create_async_engine(database_url, connect_args={"server_settings": {"jit": "off"}})
    try:
        done = await Reporting(engine).rebuild(pages_of(pages))
    finally:
        await engine.dispose()
    figures.bulk_events, figures.bulk_seconds = done.events, done.seconds
    print(
        f"applied {done.events:,} events in {done.seconds:.1f} s: "
        f"{per_second(done.events, done.seconds):,.0f} events/s"
    )


async def start_reporting(
    stack: Stack,
    registry: Registry,
    database_url: str,
    *,
    name: str,
    cache: int,
    consume: bool,
    in_memory: bool = True,
    extra_env: dict[str, str] | None = None,
) -> str:
    port = free_port()
    env = {
        **os.environ,
        "HOPTAC_REPORTING_DATABASE_URL": database_url,
        "HOPTAC_REPORTING_NATS_URL": stack.nats.url,
        "HOPTAC_REPORTING_PORT": str(port),
        "HOPTAC_REPORTING_RATE_LIMIT_EXEMPT": BENCH_CLIENT,
        "HOPTAC_REPORTING_REGISTRY_URL": registry.url,
        "HOPTAC_REPORTING_REGISTRY_TOKEN": registry.token,
        "HOPTAC_REPORTING_VAR_DIR": str(stack.workdir),
        "HOPTAC_REPORTING_ANSWER_CACHE_SIZE": str(cache),
        "HOPTAC_REPORTING_CONSUME": "true" if consume else "false",
        "HOPTAC_REPORTING_IN_MEMORY": "true" if in_memory else "false",
        **(extra_env or {}),
    }
    service = stack.spawn(name, uvicorn_app(APP, port), env)
    url = f"http://127.0.0.1:{port}"
    await wait_http_ready(f"{url}/readyz", service)
    return url


WHAT = {
    "sql": "every answer computed by PostgreSQL (in-memory copy off)",
    "memory": "every answer computed, from the in-memory copy",
    "kept": "answers kept (same request again)",
}


async def query_latency(targets: dict[str, str], repeats: int, figures: Figures) -> None:
    """Each shape asked of every target in turn, request by request (`targets`: kind -> URL),
    so that targets measured together see the same load on a shared machine."""
    shapes: dict[str, dict[str, Latencies]] = {kind: {} for kind in targets}
    every: dict[str, list[float]] = {kind: [] for kind in targets}
    clients = {kind: httpx.AsyncClient(base_url=url, timeout=60) for kind, url in targets.items()}
    try:
        for name, path, params in SHAPES:
            samples: dict[str, list[float]] = {kind: [] for kind in targets}
            for attempt in range(repeats + 2):
                for kind, client in clients.items():
                    started = time.perf_counter()
                    response = await client.get(path, params=params)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        figures.failures += 1
                        print(f"{name}: HTTP {response.status_code} {response.text[:200]}")
                    elif attempt >= 2:  # the first two warm the caches
                        samples[kind].append(elapsed)
            for kind in targets:
                shapes[kind][name] = Latencies.of_seconds(samples[kind])
                every[kind] += samples[kind]
    finally:
        for client in clients.values():
            await client.aclose()
    for kind in targets:
        report.heading(
            f"statistics over HTTP at {figures.timeline_rows:,} timeline rows: {WHAT[kind]}"
        )
        rows = [
            (name, f"{v.p50:.1f}", f"{v.p95:.1f}", f"{v.p99:.1f}", f"{v.max:.1f}")
            for name, v in shapes[kind].items()
        ]
        report.table(["query", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows)
        overall = Latencies.of_seconds(every[kind])
        print(f"all queries: {overall}")
        if kind == "kept":
            figures.kept = overall
        elif kind == "sql":
            figures.sql_shapes, figures.sql_queries = shapes[kind], overall
        else:
            figures.shapes, figures.all_queries = shapes[kind], overall


async def raw_postgres(dsn: str, repeats: int, figures: Figures) -> None:
    report.heading("raw PostgreSQL on the same timeline (asyncpg, no HTTP, no Python shaping)")
    conn = await asyncpg.connect(dsn, server_settings={"jit": "off"})
    try:
        figures.timeline_rows = await conn.fetchval("SELECT count(*) FROM timeline")

        async def timed(sql: str, *args: object) -> Latencies:
            samples = []
            for attempt in range(repeats + 2):
                started = time.perf_counter()
                await conn.fetch(sql, *args)
                if attempt >= 2:
                    samples.append(time.perf_counter() - started)
            return Latencies.of_seconds(samples)

        figures.raw_bare = await timed("SELECT count(*), sum(members) FROM timeline")
        figures.raw_stats_sql = await timed(
            "SELECT status, count(*), sum(members), sum(workers), sum(charter_capital) "
            "FROM timeline WHERE valid_from <= $1 AND valid_to > $1 "
            "GROUP BY status ORDER BY status",
            date.fromisoformat(REPORT_DAY),
        )
        rows = await conn.fetch("SELECT * FROM timeline")
        await conn.execute("CREATE TEMP TABLE timeline_copy (LIKE timeline)")
        started = time.perf_counter()
        await conn.copy_records_to_table("timeline_copy", records=rows)
        figures.copy_rows_per_second = per_second(len(rows), time.perf_counter() - started)
    finally:
        await conn.close()
    report.table(
        ["raw query", "p50 ms", "p95 ms", "p99 ms"],
        [
            ("SELECT count(*), sum(members) FROM timeline", *_ms(figures.raw_bare)),
            ("/v1/stats?group_by=status&as_of=… as bare SQL", *_ms(figures.raw_stats_sql)),
        ],
    )
    rate = figures.copy_rows_per_second
    print(f"COPY of {figures.timeline_rows:,} timeline rows: {rate:,.0f} rows/s")


async def memory_ready(url: str, figures: Figures, give_up_after: float = 60.0) -> None:
    """Wait until the service has loaded its in-memory copy (it starts loading at start)."""
    deadline = time.monotonic() + give_up_after
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        while time.monotonic() < deadline:
            metrics = (await client.get("/metrics")).text
            found = {
                line.split()[0]: float(line.split()[1])
                for line in metrics.splitlines()
                if line.startswith("hoptac_reporting_memory_load_seconds_")
            }
            if found.get("hoptac_reporting_memory_load_seconds_count", 0) >= 1:
                figures.memory_load_seconds = (
                    found["hoptac_reporting_memory_load_seconds_sum"]
                    / (found["hoptac_reporting_memory_load_seconds_count"])
                )
                print(f"in-memory copy loaded in {figures.memory_load_seconds:.2f} s")
                return
            await asyncio.sleep(0.2)
    print("the in-memory copy was not loaded in time")
    figures.failures += 1


def _ms(latencies: Latencies | None) -> tuple[str, str, str]:
    if latencies is None:
        return ("-", "-", "-")
    return (f"{latencies.p50:.1f}", f"{latencies.p95:.1f}", f"{latencies.p99:.1f}")


async def answers_by_source(client: httpx.AsyncClient) -> dict[str, float]:
    """The service's computed answers so far, by source (memory, database, cache)."""
    found: dict[str, float] = {}
    for line in (await client.get("/metrics")).text.splitlines():
        if line.startswith("hoptac_reporting_answers_total{"):
            source = line.split('source="')[1].split('"')[0]
            found[source] = found.get(source, 0.0) + float(line.split()[-1])
    return found


async def queries_while_writing(
    targets: dict[str, str], writing: asyncio.Event, figures: Figures
) -> None:
    """Every shape in turn, asked of each target request by request, until the writes end."""
    samples: dict[str, list[float]] = {kind: [] for kind in targets}
    clients = {kind: httpx.AsyncClient(base_url=url, timeout=60) for kind, url in targets.items()}
    try:
        before = await answers_by_source(clients["memory"])
        while writing.is_set():
            for _name, path, params in SHAPES:
                for kind, client in clients.items():
                    started = time.perf_counter()
                    response = await client.get(path, params=params)
                    if response.status_code != 200:
                        figures.failures += 1
                    samples[kind].append(time.perf_counter() - started)
        after = await answers_by_source(clients["memory"])
    finally:
        for client in clients.values():
            await client.aclose()
    served = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in ("memory", "database")}
    figures.from_memory_share = served["memory"] / max(1.0, sum(served.values()))
    figures.while_writing = {kind: Latencies.of_seconds(v) for kind, v in samples.items()}
    report.heading("statistics while the registrations stream (every shape in turn)")
    report.table(
        ["answers", "requests", "p50 ms", "p95 ms", "p99 ms"],
        [
            (WHAT[kind], f"{len(samples[kind]):,}", *_ms(figures.while_writing[kind]))
            for kind in targets
        ],
    )
    print(f"consuming service: {figures.from_memory_share:.0%} of answers from the copy")


async def commit_to_counted(
    registry: Registry,
    dsn: str,
    args: argparse.Namespace,
    figures: Figures,
    readers: dict[str, str],
) -> None:
    report.heading(f"commit to counted: {args.clients} clients register for {args.seconds:.0f} s")
    bodies = Bodies.generate(4, seed=7)
    writing = asyncio.Event()
    writing.set()
    reading = asyncio.create_task(queries_while_writing(readers, writing, figures))
    try:
        load = await run_load(
            registry.url, registry.headers, Register(bodies), args.clients, args.seconds, 2
        )
    finally:
        writing.clear()
        await reading
    figures.written, figures.write_seconds = load.measured, load.elapsed
    figures.failures += load.errors
    for sample in load.error_samples:
        print(f"failed: {sample}")
    conn = await asyncpg.connect(dsn)
    try:
        ids = load.ids
        deadline = time.monotonic() + args.count_timeout
        while True:
            counted = await conn.fetchval(
                "SELECT count(*) FROM organizations WHERE organization_id = ANY($1::uuid[])", ids
            )
            if counted == len(ids) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        if counted != len(ids):
            figures.failures += len(ids) - counted
            print(f"only {counted} of {len(ids)} registrations were counted in time")
        lags = await conn.fetch(
            "SELECT extract(epoch FROM counted_at - recorded_at) AS lag FROM organizations "
            "WHERE organization_id = ANY($1::uuid[])",
            ids,
        )
    finally:
        await conn.close()
    figures.counted = Latencies.of_seconds([float(row["lag"]) for row in lags])
    print(
        f"{load.measured} registrations, {per_second(load.measured, load.elapsed):.0f}/s over HTTP"
    )
    print(f"registry commit -> projection commit: {figures.counted}")


async def rebuild_from_change_log(stack: Stack, registry: Registry, figures: Figures) -> None:
    report.heading(
        "rebuild from the registry's change log (GET /v1/changes) into an empty database"
    )
    started = time.perf_counter()
    events = 0
    async for page in read_changes(registry.url, registry.token):
        events += len(page)
    figures.read_events_per_second = per_second(events, time.perf_counter() - started)
    url = stack.postgres.create_database("hoptac_reporting_rebuild")
    await migrate_async(url)
    engine = create_async_engine(url, connect_args={"server_settings": {"jit": "off"}})
    try:
        done = await Reporting(engine).rebuild(read_changes(registry.url, registry.token))
    finally:
        await engine.dispose()
    figures.rebuild_events, figures.rebuild_seconds = done.events, done.seconds
    print(
        f"rebuilt {done.events:,} events in {done.seconds:.2f} s "
        f"({per_second(done.events, done.seconds):,.0f} events/s); reading the change log "
        f"alone: {figures.read_events_per_second:,.0f} events/s"
    )


def _while_writing(figures: Figures, kind: str) -> str:
    found = (figures.while_writing or {}).get(kind)
    if found is None:
        return "-"
    if kind == "memory":
        return f"{found.p95:.1f} ms ({figures.from_memory_share:.0%} from the copy)"
    return f"{found.p95:.1f} ms"


def summary(figures: Figures, organizations: int) -> None:
    report.heading("figures")
    apply_rate = per_second(figures.bulk_events, figures.bulk_seconds)
    rebuild_rate = per_second(figures.rebuild_events, figures.rebuild_seconds)
    worst = max(figures.shapes.values(), key=lambda v: v.p95) if figures.shapes else None
    sql_worst = (
        max(figures.sql_shapes.values(), key=lambda v: v.p95) if figures.sql_shapes else None
    )
    rows: list[tuple[object, ...]] = [
        (
            f"stats p95 at {organizations:,} organisations, all shapes, PostgreSQL only",
            f"{figures.sql_queries.p95:.1f} ms" if figures.sql_queries else "-",
            f"slowest shape p95 {sql_worst.p95:.1f} ms" if sql_worst else "-",
            "≤ 50 ms",
        ),
        (
            "in-memory copy: load from PostgreSQL",
            f"{figures.memory_load_seconds:.2f} s" if figures.memory_load_seconds else "-",
            "",
            "",
        ),
        (
            f"stats p95 at {organizations:,} organisations, all shapes",
            f"{figures.all_queries.p95:.1f} ms" if figures.all_queries else "-",
            f"bare SQL p95 {figures.raw_stats_sql.p95:.1f} ms" if figures.raw_stats_sql else "-",
            "≤ 50 ms",
        ),
        ("stats p95, slowest shape", f"{worst.p95:.1f} ms" if worst else "-", "", "≤ 50 ms"),
        (
            "stats p50 / p95, answer kept (unchanged projection)",
            f"{figures.kept.p50:.1f} / {figures.kept.p95:.1f} ms" if figures.kept else "-",
            "",
            "",
        ),
        (
            "stats p95 while registrations stream, all shapes",
            _while_writing(figures, "memory"),
            f"PostgreSQL only: {_while_writing(figures, 'sql')}",
            "≤ 50 ms",
        ),
        (
            "commit → counted p50 / p99",
            f"{figures.counted.p50:.0f} / {figures.counted.p99:.0f} ms" if figures.counted else "-",
            "",
            "p99 ≤ 300 ms",
        ),
        (
            "projection apply (bulk, in process)",
            f"{apply_rate:,.0f} events/s",
            f"COPY {figures.copy_rows_per_second:,.0f} rows/s",
            "",
        ),
        (
            f"rebuild {organizations:,} organisations at that rate",
            f"{figures.bulk_seconds:.0f} s",
            "",
            "",
        ),
        (
            "rebuild from the real change log",
            f"{rebuild_rate:,.0f} events/s ({figures.rebuild_events:,} events)",
            f"reading /v1/changes {figures.read_events_per_second:,.0f} events/s",
            "",
        ),
    ]
    report.table(["figure", "value", "raw in the same run", "target"], rows)


async def main(args: argparse.Namespace) -> int:
    figures = Figures()
    with terminate_as_interrupt(), Stack(keep=args.keep) as stack:
        report.heading("machine")
        facts = machine_facts(stack.workdir)
        facts += list((await postgres_facts(stack.postgres.dsn("postgres"))).items())
        report.facts(facts)
        registry = await start_registry(stack)
        database_url = stack.postgres.create_database("hoptac_reporting")
        await migrate_async(database_url)
        await bulk_load(database_url, args.organizations, figures)
        # One process consumes and answers every request from the database; a second one,
        # read-only on the same database, keeps answers while the projection is unchanged.
        url = await start_reporting(
            stack, registry, database_url, name="reporting", cache=0, consume=True
        )
        kept_url = await start_reporting(
            stack, registry, database_url, name="reporting-kept", cache=256, consume=False
        )
        # And one that answers every request with PostgreSQL only (the in-memory copy off).
        sql_url = await start_reporting(
            stack, registry, database_url, name="reporting-sql", cache=0, consume=False,
            in_memory=False,
        )  # fmt: skip
        dsn = stack.postgres.dsn("hoptac_reporting")
        await raw_postgres(dsn, args.queries, figures)
        await memory_ready(url, figures)
        # PostgreSQL only and the in-memory copy request by request: the same conditions.
        await query_latency({"sql": sql_url, "memory": url}, args.queries, figures)
        await query_latency({"kept": kept_url}, args.queries, figures)
        await commit_to_counted(registry, dsn, args, figures, {"memory": url, "sql": sql_url})
        await rebuild_from_change_log(stack, registry, figures)
        summary(figures, args.organizations)
    return 1 if figures.failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
