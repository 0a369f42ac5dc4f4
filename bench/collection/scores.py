"""Collection's data-quality consumer per event, in process: the handler the consumer calls
(`Scores.handle_messages`) fed registration events shaped as an import's approval brings them,
with nothing else of the stack running.

    .venv/bin/python bench/collection/scores.py [--events 20000 --preload 40000 --batch 155]
        [--rounds 3] [--base /tmp/base/services/collection/src] [--profile out.prof]

Each round is a process of its own on a fresh database of one durable PostgreSQL server (as
bench/import/run.py starts it): --preload registrations applied first and not measured (an
import of 100,000 rows fills each of the 3,321 communes with about 30 records, and a new
record is compared with its commune's), then --events more measured, in batches of --batch (an
approval brings about 155 a batch). The records are bench/import/run.py's: a cooperative in
every current commune in turn, named "Hợp tác xã Nông nghiệp <commune> số <n>". Per round:
the process's CPU seconds (the handler's Python, SQLAlchemy and asyncpg included) and
PostgreSQL's. With --base, a round of the collection code found there runs before each round of
this checkout's (A/B interleaved). `--profile` writes cProfile's statistics of this checkout's
last round.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]


def registrations(first: int, count: int) -> list[bytes]:
    """Registration events of bench/import/run.py's rows `first` … `first + count - 1`."""
    import orjson

    from bench.registry.workload import Bodies
    from bench.reporting.workload import Histories
    from hoptac.platform.admin_units import current_rows

    communes = current_rows()
    histories = Histories(Bodies.generate(1).templates)
    bodies = []
    for n in range(first, first + count):
        commune = communes[(n * 7919) % len(communes)]
        event = histories.organization(n)[0]
        record = event["data"]["record"]
        record["id"] = event["organization_id"] = str(uuid.UUID(int=n + 1))
        record["name"] = f"Hợp tác xã Nông nghiệp {commune.name} số {n}"
        record["address"] = {
            **copy.deepcopy(record["address"]),
            "province_code": commune.province_code,
            "commune_code": commune.code,
        }
        event["sequence"] = n + 1  # the change log from its start, without a gap
        bodies.append(orjson.dumps(event))
    return bodies


async def _round(src: str, url: str, postmaster: int, args: argparse.Namespace) -> dict[str, Any]:
    import cProfile
    from datetime import UTC, datetime

    from sqlalchemy.ext.asyncio import create_async_engine

    from bench.common.cpu import _cpu_seconds
    from hoptac.collection.adapters.migrations import migrate_async
    from hoptac.collection.scores import Scores
    from hoptac.platform.consumer import Message
    from hoptac.platform.json_columns import JSON_COLUMNS

    await migrate_async(url)
    engine = create_async_engine(url, pool_size=2, **JSON_COLUMNS)
    scores = Scores(engine, lambda: datetime.now(UTC))

    def messages(bodies: list[bytes], first: int) -> list[Message]:
        return [
            Message(data=body, subject="coop.v1.org.registered.96", stream_sequence=n, deliveries=1)
            for n, body in enumerate(bodies, first + 1)
        ]

    preload = messages(registrations(0, args.preload), 0)
    measured = messages(registrations(args.preload, args.events), args.preload)
    for start in range(0, len(preload), args.batch):
        await scores.handle_messages(preload[start : start + args.batch])
    profile = cProfile.Profile() if args.profile and src == "-" else None
    database = _cpu_seconds(postmaster, with_children=True)
    python = time.process_time()
    if profile is not None:
        profile.enable()
    for start in range(0, len(measured), args.batch):
        await scores.handle_messages(measured[start : start + args.batch])
    if profile is not None:
        profile.disable()
        profile.dump_stats(args.profile)
    python = time.process_time() - python
    database = _cpu_seconds(postmaster, with_children=True) - database
    await engine.dispose()
    return {"python": python, "postgres": database}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--preload", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=155)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--base", help="src folder of the collection code to compare with")
    parser.add_argument("--profile", help="cProfile statistics of the last round, to this file")
    parser.add_argument("--one", nargs=3, metavar=("SRC", "URL", "POSTMASTER"))
    args = parser.parse_args()
    if args.events < 1 or args.preload < 0 or args.batch < 1 or args.rounds < 1:
        parser.error("--events, --batch and --rounds must be >= 1, --preload >= 0")
    sys.path.insert(0, str(ROOT))  # `bench.*` from the repo root
    if args.one:
        src, url, postmaster = args.one
        if src != "-":
            sys.path.insert(0, src)
        print(json.dumps(asyncio.run(_round(src, url, int(postmaster), args))))
        return
    from bench.common import rounds

    passed = [f"--{name}={getattr(args, name)}" for name in ("events", "preload", "batch")]
    if args.profile:
        passed.append(f"--profile={args.profile}")
    with rounds.postgres() as server:
        found = rounds.interleaved(HERE, passed, args.rounds, args.base, server)
    for name, done in found.items():
        python = statistics.median(r["python"] for r in done)
        database = statistics.median(r["postgres"] for r in done)
        print(
            f"{name}: {args.events} registrations after {args.preload}, median of "
            f"{len(done)}: collection {python:.2f} CPU s, PostgreSQL {database:.2f} CPU s, "
            f"{(python + database) / args.events * 1e6:.0f} µs an event"
        )


if __name__ == "__main__":
    main()
