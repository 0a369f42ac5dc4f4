"""Bulk import: reading and checking rate, the registry's batch apply rate next to raw
PostgreSQL COPY in the same run, and the time until every approved row is published.

    .venv/bin/python bench/import/run.py [--rows 100000 --registry-workers 1 --keep]
                                         [--no-dry-run] [--quality-scores] [--pg-statements]

1. in this process: a generated file of --rows new cooperatives (all 34 provinces, real commune
   codes), as XLSX and as CSV, read and checked cell by cell (the part collection does itself);
2. a stack in a temporary directory: PostgreSQL (durable), NATS JetStream, the registry and its
   relay (its API in two processes, --registry-workers), and collection, each over uvicorn as
   `make run` starts them;
   with search and reporting following the registry's events, as `make run` starts them
   (collection's data-quality consumer, which follows them too, only with --quality-scores);
3. through collection's API: the dry run (every row also checked by the registry's batch write,
   which stores nothing; left out with --no-dry-run), the real import (every row a proposal;
   the registry's answers to the dry run reused, or asked again with
   HOPTAC_COLLECTION_DRY_RUN_REUSE_SECONDS=0 or --no-dry-run), submission of the whole import,
   and approval by a second reviewer, which applies every row through the registry's batch
   write with its event; then the time until the relay has published every
   event, and until search finds and reporting counts every row; each step's CPU seconds per
   process (on a shared machine, what compares two runs);
4. raw PostgreSQL COPY of as many event-sized rows, on the same server.

Exits non-zero when a request failed or a row was refused. Target (issue 13): 100k rows
imported, searchable and counted within 60 s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

from bench.common import report, statements
from bench.common.cpu import CpuMeter
from bench.common.registry import start_registry
from bench.common.stack import BENCH_CLIENT, Stack, run_benchmark, uvicorn_app, wait_http_ready
from bench.common.stats import fraction_of, per_second
from bench.registry import raw
from bench.registry.publication import wait_for_drain
from bench.reporting.run import start_reporting
from bench.search.run import start_search
from hoptac.collection.adapters.code_lists import code_lists
from hoptac.collection.adapters.migrations import migrate_async
from hoptac.collection.adapters.spreadsheet import DATA_SHEET, Limits, read_upload
from hoptac.collection.domain.fields import FIELDS
from hoptac.collection.domain.rows import RowReader
from hoptac.platform.admin_units import current_rows
from hoptac.platform.embedded.ports import free_port
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role
from hoptac.reporting.adapters.migrations import migrate_async as migrate_reporting

COLLECTION_APP = "hoptac.collection.entrypoints.http.app:create_app"
PATHS = [
    "registration_number", "name", "kind", "registered_on", "address.street",
    "address.province_code", "address.commune_code", "sector.group", "sector.vsic",
    "members_count", "workers_count", "charter_capital", "digital.internet",
    "operating_in_practice",
]  # fmt: skip
HEADERS = {field.path: field.header for field in FIELDS}
IDS_PER_STEP = 1000  # what one approve request takes
TARGET_SECONDS = 60.0
APPROVE = "approve: registry batch apply, with events"
PROJECTIONS_GIVE_UP_AFTER = 600.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--rows", type=int, default=100_000, help="rows of the file (default 100000)")
    add("--keep", action="store_true", help="keep the stack's files (logs, data) afterwards")
    add(
        "--registry-workers",
        type=int,
        default=2,
        help="processes serving the registry's API (default 2, as `make run` starts it)",
    )
    add(
        "--no-dry-run",
        action="store_true",
        help="import straight away, as a person who skips the check may (the import then asks "
        "the registry to check every row itself)",
    )
    add(
        "--approvals-in-flight",
        type=int,
        default=2,
        help="approve requests sent side by side (default 2, as the workspace's 'approve every' "
        "sends them)",
    )
    add(
        "--quality-scores",
        action="store_true",
        help="run collection's data-quality consumer too, as `make run` does (off by default: "
        "the target counts search and reporting, not the scores)",
    )
    add(
        "--pg-statements",
        action="store_true",
        help="print each step's heaviest PostgreSQL statements (pg_stat_statements)",
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be >= 1")
    if args.registry_workers < 1:
        parser.error("--registry-workers must be >= 1")
    if args.approvals_in_flight < 1:
        parser.error("--approvals-in-flight must be >= 1")
    return args


def generated(rows: int) -> list[list[Any]]:
    """New cooperatives spread over every current commune, in the form officers type."""
    communes = current_rows()
    made = []
    for n in range(rows):
        commune = communes[(n * 7919) % len(communes)]
        made.append(
            [
                f"BI{n:08d}",
                f"Hợp tác xã Nông nghiệp {commune.name} số {n}",
                "Hợp tác xã",
                f"{1 + n % 28:02d}/{1 + n % 12:02d}/{2000 + n % 25}",
                f"Ấp {1 + n % 9}",
                commune.province_code,
                commune.code,
                "Nông, lâm, ngư nghiệp, diêm nghiệp",
                "01",
                str(7 + n % 300),
                n % 90,
                500_000_000 + n,
                "Có" if n % 3 else "Không",
                "Có hoạt động thực tế",
            ]
        )
    return made


def as_csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PATHS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def as_xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    sheet.append([HEADERS[path] for path in PATHS])
    sheet.append(PATHS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_and_check(content: bytes, name: str, vsic: dict[str, str]) -> tuple[float, int]:
    """Seconds to read the file and check every cell; the rows found valid."""
    started = time.monotonic()
    sheet = read_upload(content, name, Limits(max_rows=10**6))
    reader = RowReader(sheet.paths, code_lists(vsic))
    valid = sum(
        1
        for offset, cells in enumerate(sheet.rows)
        if reader.read(sheet.first_row + offset, cells).change is not None
    )
    return time.monotonic() - started, valid


async def reviewer_token(database_url: str) -> str:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            return await tokens.create_token(
                conn, "bench-reviewer", Role.REVIEWER, [], [], WriteContext("bench", "b", None)
            )
    finally:
        await engine.dispose()


async def in_steps(
    http: httpx.AsyncClient,
    path: str,
    ids: list[str],
    headers: dict[str, str],
    in_flight: int,
) -> list[dict[str, Any]]:
    """`ids` posted to `path` a step at a time, `in_flight` steps side by side; the answers in
    the order of the ids."""
    gate = asyncio.Semaphore(in_flight)

    async def one(start: int) -> list[dict[str, Any]]:
        async with gate:
            answer = await http.post(
                path, json={"ids": ids[start : start + IDS_PER_STEP]}, headers=headers
            )
        answer.raise_for_status()
        return list(answer.json())

    done = await asyncio.gather(*(one(start) for start in range(0, len(ids), IDS_PER_STEP)))
    return [proposal for step in done for proposal in step]


async def projected(search_url: str, reporting_url: str, rows: int) -> tuple[float, float]:
    """Seconds from now until search finds and reporting counts `rows` organisations."""
    started = time.monotonic()
    found_at = counted_at = 0.0
    async with httpx.AsyncClient(timeout=30) as http:
        while not (found_at and counted_at):
            if time.monotonic() - started > PROJECTIONS_GIVE_UP_AFTER:
                raise TimeoutError("not all rows searchable and counted in time")
            if not found_at:
                answer = (await http.get(f"{search_url}/v1/search", params={"limit": 1})).json()
                if answer["total"] >= rows:
                    found_at = time.monotonic() - started
            if not counted_at:
                answer = (await http.get(f"{reporting_url}/v1/stats")).json()
                if answer["totals"]["organizations"] >= rows:
                    counted_at = time.monotonic() - started
            await asyncio.sleep(0.2)
    return found_at, counted_at


class Steps:
    """Each step's time and the CPU seconds each process (with its children: PostgreSQL's
    backends, uvicorn's workers) spent in it. On a machine shared with others' work the times
    move with their load; the CPU seconds are what compares two runs."""

    def __init__(self, stack: Stack, statements: bool) -> None:
        self.dsn = stack.postgres.dsn() if statements else None
        self.families = {service.name: service.pid for service in stack.services}
        self.families["postgres"] = stack.postgres.pid
        self.families["nats"] = stack.nats.pid
        self.timings: list[tuple[str, float]] = []
        self.cpu: list[tuple[str, dict[str, float]]] = []

    @contextlib.asynccontextmanager
    async def step(self, what: str) -> AsyncIterator[None]:
        if self.dsn:
            await statements.reset(self.dsn)
        meter = CpuMeter({}, self.families).start()
        started = time.monotonic()
        yield
        self.timings.append((what, time.monotonic() - started))
        meter.stop()
        self.cpu.append((what, {s.name: s.cores * meter.elapsed for s in meter.shares}))
        if self.dsn:
            await statements.show(self.dsn, what)

    def cpu_table(self) -> None:
        names = list(dict.fromkeys(name for _, used in self.cpu for name in used))
        rows = [
            [
                what,
                *(report.number(used.get(name, 0.0), 2) for name in names),
                report.number(sum(used.values()), 2),
            ]
            for what, used in self.cpu
        ]
        report.table(["CPU seconds", *names, "all"], rows)


async def benchmark(stack: Stack, args: argparse.Namespace, problems: list[str]) -> None:
    rows = generated(args.rows)
    csv_file, xlsx_file = as_csv(rows), as_xlsx(rows)
    registry = await start_registry(stack, workers=args.registry_workers)
    _, search_url = await start_search(stack, registry, stack.workdir / "search-var")
    reporting_db = stack.postgres.create_database("hoptac_reporting")
    await migrate_reporting(reporting_db)
    reporting_url = await start_reporting(
        stack, registry, reporting_db, name="reporting", cache=0, consume=True
    )
    async with httpx.AsyncClient() as http:
        divisions = (await http.get(f"{registry.url}/v1/reference/vsic")).json()["divisions"]
    vsic = {division["code"]: division["name"] for division in divisions}
    local = []
    for name, content in (("khao-sat.xlsx", xlsx_file), ("khao-sat.csv", csv_file)):
        seconds, valid = read_and_check(content, name, vsic)
        if valid != args.rows:
            problems.append(f"{name}: {args.rows - valid} rows refused by the local check")
        local.append((f"read and check, {name[-4:]} ({len(content) / 1e6:.1f} MB)", seconds))

    collection_db = stack.postgres.create_database("hoptac_collection")
    await migrate_async(collection_db)
    port = free_port()
    env = {
        **os.environ,
        "HOPTAC_COLLECTION_DATABASE_URL": collection_db,
        "HOPTAC_COLLECTION_REGISTRY_URL": registry.url,
        "HOPTAC_COLLECTION_PORT": str(port),
        # The data-quality scores follow the same events; the target does not count them.
        "HOPTAC_COLLECTION_CONSUME": "true" if args.quality_scores else "false",
        "HOPTAC_COLLECTION_NATS_URL": stack.nats.url,
        "HOPTAC_COLLECTION_REGISTRY_TOKEN": registry.token,
        "HOPTAC_COLLECTION_VAR_DIR": str(stack.workdir),
        "HOPTAC_COLLECTION_RATE_LIMIT_EXEMPT": BENCH_CLIENT,
        "HOPTAC_COLLECTION_MAX_UPLOAD_BYTES": str(len(xlsx_file) + len(csv_file)),
        "HOPTAC_COLLECTION_MAX_ROWS": str(args.rows),
        "HOPTAC_REGISTRY_RATE_LIMIT_EXEMPT": BENCH_CLIENT,
    }
    service = stack.spawn("collection", uvicorn_app(COLLECTION_APP, port), env)
    await wait_http_ready(f"http://127.0.0.1:{port}/readyz", service)
    reviewer = {"Authorization": f"Bearer {await reviewer_token(registry.database_url)}"}
    steps = Steps(stack, args.pg_statements)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=None) as http:
        if not args.no_dry_run:
            async with steps.step("dry run through the API (registry checks every row)"):
                dry = await http.post(
                    "/v1/imports",
                    params={"dry_run": "true"},
                    files={"file": ("khao-sat.csv", csv_file)},
                    headers=registry.headers,
                )
            if dry.status_code != 200 or dry.json()["problems"]:
                problems.append(f"dry run: {dry.status_code} {dry.text[:300]}")
                return
        async with steps.step("import: every row a proposal"):
            answer = await http.post(
                "/v1/imports", files={"file": ("khao-sat.csv", csv_file)}, headers=registry.headers
            )
        if answer.status_code != 200:
            problems.append(f"import: {answer.status_code} {answer.text[:300]}")
            return
        async with steps.step("submit the import (every proposal)"):
            submitted = await http.post(
                f"/v1/imports/{answer.json()['batch_id']}/submit", headers=registry.headers
            )
            submitted.raise_for_status()
        async with steps.step(APPROVE):
            approved = await in_steps(
                http,
                "/v1/proposals/approve?brief=true",  # as the workspace asks
                submitted.json()["ids"],
                reviewer,
                args.approvals_in_flight,
            )
    refused = sum(1 for proposal in approved if proposal["state"] != "applied")
    if refused or len(approved) != args.rows:
        problems.append(f"{refused} proposals not applied of {len(approved)}")
    async with steps.step("then every event published by the relay"):
        drained = await wait_for_drain(registry.dsn, give_up_after=600)
    async with steps.step("then every row searchable and counted"):
        found, counted = await projected(search_url, reporting_url, args.rows)
    timings = steps.timings

    samples = await raw.sample_events(registry.database_url, "organization.registered")
    await raw.prepare_tables(registry.dsn)
    copied = await raw.copy_rows(registry.dsn, samples, args.rows)

    report.heading("import")
    apply_rate = per_second(args.rows, dict(timings)[APPROVE])
    table = [
        (what, report.number(s, 2), report.number(per_second(args.rows, s)))
        for what, s in local + timings
    ]
    table.append(
        (
            "raw PostgreSQL COPY, event-sized rows",
            report.number(copied.seconds, 2),
            report.number(copied.rate),
        )
    )
    report.table(["step", "seconds", "rows/s"], table)
    steps.cpu_table()
    total = sum(seconds for _, seconds in timings)
    share = report.percent(fraction_of(apply_rate, copied.rate))
    report.facts(
        [
            ("rows", report.number(args.rows)),
            ("batch apply as a fraction of raw COPY", share),
            ("upload to searchable and counted, every step", f"{total:.1f} s"),
            (
                "after the last approval: searchable / counted",
                f"{drained + found:.1f} s / {drained + counted:.1f} s",
            ),
            ("target to searchable and counted", f"{TARGET_SECONDS:.0f} s for 100 000 rows"),
        ]
    )


if __name__ == "__main__":
    arguments = parse_args()
    settings = statements.SETTINGS if arguments.pg_statements else None
    sys.exit(run_benchmark("import benchmark", arguments, benchmark, settings))
