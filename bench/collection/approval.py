"""Collection's own cost of approving proposals: the CPU seconds of its Python and of
PostgreSQL, with the registry replaced by an answer made in process, so that only collection's
bookkeeping (lock, read, `applying` mark, outcome, audit) is measured.

    .venv/bin/python bench/collection/approval.py --rows 20000 --rounds 3 \
        [--base /tmp/base/services/collection/src]

Each round submits --rows drafts at once (PostgreSQL's CPU counted apart), then approves them
in requests of 1,000 ids, two in flight (as the workspace and bench/import/run.py send them),
on a fresh database of one PostgreSQL server (durable, as bench/import/run.py starts it);
with --base, a round of the collection code found there runs before each round of this
checkout's (A/B interleaved), each in a process of its own. Prints the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
REQUEST = 1_000
IN_FLIGHT = 2


def _change(n: int) -> dict[str, Any]:
    """About the size of a generated cooperative's change in bench/import/run.py."""
    return {
        "record": {
            "name": f"Hợp tác xã Nông nghiệp Số {n}",
            "registration_number": f"{6001000000 + n}",
            "type": "cooperative",
            "sector": "A01",
            "founded_on": "2019-05-01",
            "members_count": 12 + n % 50,
            "charter_capital": 500_000_000 + n,
            "legal_representative": "Nguyễn Văn An",
            "phone": "0290 3812 345",
            "address": {
                "province_code": "96",
                "commune_code": "32002",
                "text": f"Số {n}, ấp Tân Hưng, xã Tân Thành, tỉnh Cà Mau",
            },
        },
        "status": None,
        "status_reason": None,
        "effective_date": None,
        "matched_by": None,
        "candidates": [],
    }


class _Registry:
    """The registry's batch write answered at once: each change registered."""

    async def batch(self, token: str, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"status": 201, "id": str(uuid.uuid4()), "version": 1} for _ in changes]

    async def correlated(self, token: str, ids: list[str]) -> dict[str, Any]:
        return {}


async def _round(url: str, postmaster: int, rows: int, statements: bool) -> dict[str, Any]:
    from datetime import UTC, datetime

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from hoptac.collection.adapters import store
    from hoptac.collection.adapters.migrations import migrate_async
    from hoptac.collection.handlers import Collection
    from hoptac.platform.identity import Caller
    from hoptac.platform.json_columns import JSON_COLUMNS

    sys.path.insert(0, str(HERE.parent.parent))
    from common.cpu import _cpu_seconds

    await migrate_async(url)
    engine = create_async_engine(url, pool_size=5, **JSON_COLUMNS)
    service = Collection(engine, _Registry(), None, None)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    batch_id = uuid.uuid4()
    async with engine.begin() as conn:
        await store.add_batch(
            conn,
            {
                "id": batch_id,
                "checksum": batch_id.hex,
                "filename": "bench.csv",
                "format": "csv",
                "uploaded_by": "officer",
                "uploaded_at": now,
                "rows_total": rows,
                "rows_proposed": rows,
                "rows_refused": 0,
                "problems": [],
                "content": b"",
            },
        )
        for start in range(0, rows, 5_000):
            await store.add_proposals(
                conn,
                [
                    {
                        "id": uuid.uuid4(),
                        "batch_id": batch_id,
                        "row_number": n + 2,
                        "row_key": uuid.uuid4().hex * 2,
                        "organization_id": None,
                        "base_version": None,
                        "province_code": "96",
                        "commune_code": "32002",
                        "change": _change(n),
                        "state": "draft",
                        "author": "officer",
                        "created_at": now,
                        "comments": [],
                    }
                    for n in range(start, min(rows, start + 5_000))
                ],
            )
    submitting = _cpu_seconds(postmaster, with_children=True)
    async with engine.begin() as conn:
        ids = await store.submit_drafts_of_batch(conn, batch_id, [], [], "officer", now)
    submitting = _cpu_seconds(postmaster, with_children=True) - submitting
    ids.sort()
    reviewer = Caller("reviewer", "reviewer")
    parts = [ids[start : start + REQUEST] for start in range(0, len(ids), REQUEST)]
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def approve(part: list[uuid.UUID]) -> None:
        async with gate:
            done = await service.approve(reviewer, part, brief=True)
            assert all(p["state"] == "applied" for p in done), done[:1]

    if statements:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            await conn.execute(text("SELECT pg_stat_statements_reset()"))
    database = _cpu_seconds(postmaster, with_children=True)
    python = time.process_time()
    await asyncio.gather(*(approve(part) for part in parts))
    python = time.process_time() - python
    database = _cpu_seconds(postmaster, with_children=True) - database
    heaviest = []
    if statements:
        async with engine.connect() as conn:
            heaviest = [
                [round(row.ms), " ".join(row.query.split())[:100]]
                for row in await conn.execute(text(_HEAVIEST))
            ]
    await engine.dispose()
    return {
        "python": python,
        "postgres": database,
        "submit_postgres": submitting,
        "statements": heaviest,
    }


_HEAVIEST = """
SELECT total_exec_time AS ms, query FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC LIMIT 6
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--base", help="src folder of the collection code to compare with")
    parser.add_argument(
        "--statements", action="store_true", help="each round's heaviest statements (ms)"
    )
    parser.add_argument("--one", nargs=3, metavar=("SRC", "URL", "POSTMASTER"))
    args = parser.parse_args()
    if args.one:
        src, url, postmaster = args.one
        if src != "-":
            sys.path.insert(0, src)
        found = asyncio.run(_round(url, int(postmaster), args.rows, args.statements))
        print(json.dumps(found))
        return
    sys.path.insert(0, str(HERE.parents[2]))  # `bench.*` from the repo root
    from bench.common import rounds

    settings = {"shared_preload_libraries": "pg_stat_statements"} if args.statements else {}
    passed = [*(["--statements"] if args.statements else []), "--rows", str(args.rows)]
    with rounds.postgres(settings) as server:
        found = rounds.interleaved(HERE, passed, args.rounds, args.base, server)
    for name, done in found.items():
        python = statistics.median(r["python"] for r in done)
        database = statistics.median(r["postgres"] for r in done)
        submitting = statistics.median(r["submit_postgres"] for r in done)
        print(
            f"{name}: {args.rows} proposals approved, median of {len(done)}: "
            f"collection {python:.2f} CPU s, PostgreSQL {database:.2f} CPU s, "
            f"{(python + database) / args.rows * 1e6:.0f} µs a proposal; "
            f"submitting them PostgreSQL {submitting:.2f} CPU s"
        )


if __name__ == "__main__":
    main()
