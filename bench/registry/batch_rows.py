"""The registry's batch write, per row, in this process: CPU microseconds of the API's Python
and milliseconds of PostgreSQL's statements for each registration an import's approval sends.

    .venv/bin/python bench/registry/batch_rows.py [--rounds 7 --requests 4 --batch 500]

Starts its own PostgreSQL (fsync off, pg_stat_statements loaded) in a temporary directory and
serves the registry's app over ASGI in this process (no socket, no uvicorn). Each round sends
`--requests` POST /v1/organizations/batch of `--batch` new registrations, shaped as collection
sends an approved import's rows (`bench/import/run.py`'s file: a row per commune, a
correlation id per row, `similar_names: false`), their bodies written beforehand. After a
warm-up request, what exists is frozen out of the garbage collector, as the app's lifespan
does (ASGI here runs no lifespan). A round's figure is this process's CPU time
(time.process_time) over its rows: JSON decoding, reading and checking every row, the events,
the statements' parameters, the answer; the statements' executing time is PostgreSQL's, per
statement. Prints each round and the medians; with `--profile`, cProfile's heaviest functions
over one more round (coroutines make its cumulative times hard to read: py-spy's samples are
plainer).

On a shared machine a round's CPU moves by half from one round to the next: run it from two
checkouts in turn (old, new, old, new: each checkout's .venv runs its own code), many times,
and compare the pairs; see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

from bench.common import statements
from hoptac.platform.admin_units import current_rows
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.startup_memory import freeze_startup_objects
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.migrations import migrate_async
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.bootstrap import build_registry
from hoptac.registry.domain.access import Role
from hoptac.registry.entrypoints.http.app import create_app
from hoptac.registry.settings import RegistrySettings

DATABASE = "hoptac_registry"
CLIENT = "127.0.0.1"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--rounds", type=int, default=7, help="measured rounds (default 7)")
    add("--requests", type=int, default=4, help="batch requests a round (default 4)")
    add("--batch", type=int, default=500, help="rows a request, as collection sends (500)")
    add(
        "--profile",
        choices=["tottime", "cumulative"],
        help="cProfile one more round; print the heaviest functions in this order",
    )
    return parser.parse_args(argv)


def registration(n: int, communes: list[Any]) -> dict[str, Any]:
    """Row `n` of an approved import, as collection sends it to the registry."""
    commune = communes[(n * 7919) % len(communes)]
    return {
        "op": "register",
        "correlation_id": f"proposal:{uuid4()}",
        "body": {
            "registration_number": f"BI{n:08d}",
            "name": f"Hợp tác xã Nông nghiệp {commune.name} số {n}",
            "kind": "cooperative",
            "registered_on": f"{2000 + n % 25}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "address": {
                "street": f"Ấp {1 + n % 9}",
                "province_code": commune.province_code,
                "commune_code": commune.code,
            },
            "sector": {"group": "agriculture", "vsic": ["01"]},
            "members_count": 7 + n % 300,
            "workers_count": n % 90,
            "charter_capital": 500_000_000 + n,
            "digital": {"internet": n % 3 != 0},
            "operating_in_practice": "yes",
        },
    }


def bodies(start: int, requests: int, batch: int, communes: list[Any]) -> list[bytes]:
    return [
        orjson.dumps(
            {
                "changes": [registration(start + r * batch + i, communes) for i in range(batch)],
                "similar_names": False,
            }
        )
        for r in range(requests)
    ]


async def admin_token(database_url: str) -> str:
    registry = build_registry(RegistrySettings(database_url=database_url))
    try:
        async with registry.engine.begin() as conn:
            context = WriteContext("bench", "bench", None)
            return await tokens.create_token(conn, "bench-admin", Role.ADMIN, [], [], context)
    finally:
        await registry.engine.dispose()


async def statement_ms(dsn: str) -> dict[str, float]:
    """Executing time of the registry's writes since the last reset, by statement."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            """
            SELECT s.query, s.total_exec_time
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = $1 AND s.query ~* '^(INSERT|UPDATE|WITH)'
            """,
            DATABASE,
        )
    finally:
        await connection.close()
    return {" ".join(row["query"].split()[:3]): row["total_exec_time"] for row in rows}


async def send(client: httpx.AsyncClient, token: str, requests: list[bytes]) -> None:
    for content in requests:
        response = await client.post(
            "/v1/organizations/batch",
            content=content,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response.raise_for_status()
        if response.json()["refused"]:
            raise RuntimeError(f"rows refused: {response.text[:500]}")


async def benchmark(postgres: EmbeddedPostgres, args: argparse.Namespace) -> None:
    database_url = postgres.create_database(DATABASE)
    await migrate_async(database_url)
    token = await admin_token(database_url)
    settings = RegistrySettings(database_url=database_url, rate_limit_exempt=[CLIENT])
    registry = build_registry(settings)
    transport = httpx.ASGITransport(app=create_app(settings, registry), client=(CLIENT, 1234))
    communes = list(current_rows())
    per_round = args.requests * args.batch
    rows_sent = 0
    cpu_us: list[float] = []
    pg_us: dict[str, list[float]] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        await send(client, token, bodies(rows_sent, 1, args.batch, communes))  # warm-up
        rows_sent += args.batch
        freeze_startup_objects()  # as the app's lifespan does once it has started
        for number in range(1, args.rounds + 1):
            requests = bodies(rows_sent, args.requests, args.batch, communes)
            rows_sent += per_round
            await statements.reset(postgres.dsn())
            started = time.process_time()
            await send(client, token, requests)
            cpu_us.append((time.process_time() - started) / per_round * 1e6)
            for statement, ms in (await statement_ms(postgres.dsn())).items():
                pg_us.setdefault(statement, []).append(ms / per_round * 1e3)
            print(f"round {number}: {cpu_us[-1]:.1f} µs of this process's CPU a row", flush=True)
        print(f"\nregistry Python, median of {args.rounds}: {statistics.median(cpu_us):.1f} µs/row")
        print("PostgreSQL executing, median µs a row:")
        medians = {statement: statistics.median(values) for statement, values in pg_us.items()}
        for statement, median in sorted(medians.items(), key=lambda item: -item[1]):
            print(f"  {median:8.1f}  {statement}")
        if args.profile:
            requests = bodies(rows_sent, args.requests, args.batch, communes)
            profiler = cProfile.Profile()
            profiler.enable()
            await send(client, token, requests)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.profile).print_stats(40)
    await registry.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hoptac-batch-rows-") as workdir:
        Path(workdir).chmod(0o755)  # as root, PostgreSQL runs as another user
        postgres = EmbeddedPostgres(
            Path(workdir) / "pg", free_port(), fast=True, settings=statements.SETTINGS
        )
        with postgres:
            asyncio.run(benchmark(postgres, args))


if __name__ == "__main__":
    main()
