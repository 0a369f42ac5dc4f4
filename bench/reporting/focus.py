"""Statistics latency in process, on a kept 100k database: for iterating on the queries.

    .venv/bin/python bench/reporting/focus.py [--dir /tmp/hoptac-reporting-focus] [--explain]

Keeps PostgreSQL's data directory between runs (the first run loads the synthetic histories of
run.py, about a minute), migrates it, then times each shape of run.py through `Reporting`
itself (SQL and Python shaping, no HTTP, answers never kept). `--explain` prints EXPLAIN
ANALYZE of each shape's statements. The full benchmark is still run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common.stats import Latencies
from bench.registry.workload import Bodies
from bench.reporting.run import SHAPES, pages_of
from bench.reporting.workload import Histories
from hoptac.contracts.vietnam_time import vietnam_today
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.reporting.adapters.migrations import migrate_async
from hoptac.reporting.domain.stats import parse_query
from hoptac.reporting.handlers import Reporting

FILTERS = ("kind", "status", "status_class", "sector_group", "sector_class", "province")


def _call(reporting: Reporting, path: str, params: dict[str, str]) -> Awaitable[Any]:
    as_of = date.fromisoformat(params.get("as_of", params.get("to", vietnam_today().isoformat())))
    given = {key: params.get(key) for key in FILTERS}
    query = parse_query(as_of, params.get("group_by"), given)
    if path == "/v1/stats":
        return reporting.reader.stats(query)
    if path == "/v1/reports/summary":
        return reporting.reader.summary(query)
    return reporting.reader.trends(query, params["unit"], date.fromisoformat(params["from"]))


async def main(args: argparse.Namespace) -> None:
    postgres = EmbeddedPostgres(Path(args.dir) / "pg", free_port())
    with postgres:
        url = postgres.create_database("hoptac_reporting")
        await migrate_async(url)
        server = {"jit": "off"}
        if args.workers is not None:
            server["max_parallel_workers_per_gather"] = str(args.workers)
        engine = create_async_engine(url, connect_args={"server_settings": server})
        statements: list[tuple[str, Any]] = []

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def keep(conn: Any, cursor: Any, sql: str, params: Any, *rest: Any) -> None:
            if sql.lstrip().upper().startswith(("SELECT", "WITH", "SET")):
                statements.append((sql, params))

        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT count(*) FROM timeline"))).scalar_one()
        if rows == 0:
            pages = list(Histories(Bodies.generate(40).templates).pages(args.organizations))
            done = await Reporting(engine).rebuild(pages_of(pages))
            print(f"loaded {done.events:,} events in {done.seconds:.0f} s")
            async with engine.connect() as conn:
                await conn.execute(text("COMMIT"))
                await conn.execute(text("VACUUM ANALYZE"))
        reporting = Reporting(engine, in_memory=args.memory)
        if reporting.copy is not None:
            started = time.perf_counter()
            await reporting.copy.load()
            print(f"in-memory copy loaded in {time.perf_counter() - started:.2f} s")
        names = [name for name in args.only.split(",") if name] if args.only else None
        every: list[float] = []
        for name, path, params in SHAPES:
            if names and not any(part in name for part in names):
                continue
            run: Callable[[], Awaitable[Any]] = lambda p=path, q=params: _call(reporting, p, q)  # noqa: E731
            samples = []
            for attempt in range(args.queries + 2):
                started = time.perf_counter()
                await run()
                if attempt >= 2:
                    samples.append(time.perf_counter() - started)
            got = Latencies.of_seconds(samples)
            every += samples
            print(f"{name:45s} p50 {got.p50:6.1f}  p95 {got.p95:6.1f} ms")
            if args.explain:
                statements.clear()
                await run()
                async with engine.connect() as conn:
                    raw = (await conn.get_raw_connection()).driver_connection
                    assert raw is not None
                    async with raw.transaction():
                        for sql, params in list(statements):
                            if "projection_state" in sql:
                                continue
                            if sql.lstrip().upper().startswith("SET"):
                                await raw.execute(sql)
                                continue
                            plan = await raw.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *params)
                            print(sql)
                            print("\n".join(row[0] for row in plan))
        print(f"all: {Latencies.of_seconds(every)}")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="/tmp/hoptac-reporting-focus")
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated parts of shape names")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--workers", type=int, help="max_parallel_workers_per_gather")
    parser.add_argument("--memory", action="store_true", help="answer from the in-memory copy")
    asyncio.run(main(parser.parse_args()))
