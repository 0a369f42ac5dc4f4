"""Reporting's cost per event in a burst of registrations, in process: the consumer's handler
(`Reporting.handle_messages`) fed message bodies, with nothing else of the stack running.

    .venv/bin/python bench/reporting/apply.py [--events 10000 --batch 155 --rounds 3]
                                              [--profile out.prof]

A durable PostgreSQL in a temporary directory, reporting's database migrated, the in-memory copy
on and loaded, as the service runs. Each round applies --events new registrations (the
registry's shape, from the demo generator: about 4 KB, 30 changed fields) in batches of
--batch (an import's approval of 20,000 rows brings about 155 a batch), then empties the
projection. Per round: this process's CPU seconds (the handler's Python, asyncpg included; of
them the cyclic collector's, by generation) and PostgreSQL's (every backend), and the
statements' executing time (pg_stat_statements).
`--profile` writes cProfile's statistics of the last round.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

import orjson
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import statements
from bench.common.cpu import CpuMeter
from bench.registry.workload import Bodies
from bench.reporting.workload import Histories
from hoptac.platform.consumer import Message
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.reporting.adapters import projection
from hoptac.reporting.adapters.migrations import migrate_async
from hoptac.reporting.handlers import Reporting


class CollectorTime:
    """CPU seconds the cyclic collector spent, by generation (`gc.callbacks`)."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds[info["generation"]] += time.process_time() - self._started


def registrations(count: int) -> list[bytes]:
    histories = Histories(Bodies.generate(4).templates)
    bodies: list[bytes] = []
    number = 0
    while len(bodies) < count:
        bodies.append(orjson.dumps(histories.organization(number)[0]))
        number += 1
    return bodies


async def one_round(
    reporting: Reporting,
    bodies: list[bytes],
    batch: int,
    postgres: EmbeddedPostgres,
    profile: cProfile.Profile | None,
) -> None:
    messages = [
        Message(data=body, subject="coop.v1.org.registered.96", stream_sequence=n, deliveries=1)
        for n, body in enumerate(bodies, 1)
    ]
    dsn = postgres.dsn("hoptac_reporting")
    await statements.reset(dsn)
    meter = CpuMeter({}, {"postgres": postgres.pid}).start()
    collector = CollectorTime()
    gc.callbacks.append(collector)
    started = time.process_time()
    if profile is not None:
        profile.enable()
    for first in range(0, len(messages), batch):
        await reporting.handle_messages(messages[first : first + batch])
    if profile is not None:
        profile.disable()
    python = time.process_time() - started
    gc.callbacks.remove(collector)
    shares = {share.name: share.cores * meter.elapsed for share in meter.stop()}
    per_event = python / len(bodies) * 1e3
    print(
        f"{len(bodies)} events: Python {python:.2f} CPU s ({per_event:.3f} ms an event; the "
        f"collector {' / '.join(f'{s:.2f}' for s in collector.seconds)} s by generation), "
        f"PostgreSQL {shares['postgres']:.2f} CPU s, wall {meter.elapsed:.1f} s"
    )
    await statements.show(dsn, "this round")
    async with reporting.engine.begin() as conn:
        await projection.clear(conn)


async def main(args: argparse.Namespace) -> None:
    bodies = registrations(args.events)
    with tempfile.TemporaryDirectory(prefix="hoptac-reporting-apply-") as workdir:
        pg = EmbeddedPostgres(Path(workdir) / "pg", free_port(), settings=statements.SETTINGS)
        with pg as postgres:
            url = postgres.create_database("hoptac_reporting")
            await migrate_async(url)
            engine = create_async_engine(
                url, pool_pre_ping=True, connect_args={"server_settings": {"jit": "off"}}
            )
            reporting = Reporting(engine, in_memory=True)
            assert reporting.copy is not None
            await reporting.copy.load()
            profile = cProfile.Profile() if args.profile else None
            for number in range(args.rounds):
                print(f"round {number + 1}: ", end="")
                last = number == args.rounds - 1
                await one_round(reporting, bodies, args.batch, postgres, profile if last else None)
            if profile is not None:
                profile.dump_stats(args.profile)
            await reporting.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=155)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="cProfile statistics of the last round, to this file")
    asyncio.run(main(parser.parse_args()))
