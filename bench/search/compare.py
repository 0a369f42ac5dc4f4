"""Compare running search services under the same conditions: each loaded in turn, in short
slices, for several rounds, so that other work on the machine weighs on all of them alike.

    .venv/bin/python bench/search/compare.py before=http://127.0.0.1:18801@4242 \
        after=http://127.0.0.1:18802@4343 [--rounds 6 --seconds 4 --clients 8]

Each target is NAME=URL, optionally @PID of its server (then its CPU per request is shown, its
child processes included) and optionally :httpx to load it with httpx instead of aiohttp. The
services must hold the same index: `run.py --keep` leaves one behind, and the query mix here is
drawn from the same synthetic corpus (--organisations).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

from bench.common import report
from bench.common.cpu import CpuMeter
from bench.common.stats import Latencies
from bench.search.corpus import generate
from bench.search.load import query_load
from bench.search.queries import mix


@dataclass
class Target:
    name: str
    url: str
    pid: int | None
    client: str
    latencies: list[float] = field(default_factory=list)
    round_p95: list[float] = field(default_factory=list)
    requests: int = 0
    service_seconds: float = 0.0
    client_seconds: float = 0.0
    others: list[float] = field(default_factory=list)


def parse_target(text: str) -> Target:
    name, _, rest = text.partition("=")
    client = "aiohttp"
    if rest.endswith(":httpx"):
        rest, client = rest[: -len(":httpx")], "httpx"
    url, _, pid = rest.partition("@")
    if not name or not url.startswith("http"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=URL[@PID][:httpx]")
    return Target(name, url.rstrip("/"), int(pid) if pid else None, client)


async def compare(targets: list[Target], args: argparse.Namespace) -> None:
    queries = mix(generate(args.organisations))
    rng = random.Random(1)
    for _ in range(args.rounds):
        for target in rng.sample(targets, len(targets)):
            families = {"service": target.pid} if target.pid else {}
            meter = CpuMeter({}, families).start()
            load = await query_load(
                target.url, queries, args.clients, args.seconds, 0.5, target.client
            )
            meter.stop()
            if load.errors:
                raise SystemExit(f"{target.name}: {load.errors} failed: {load.error_samples}")
            cores = {share.name: share.cores for share in meter.shares}
            target.latencies += load.latencies
            target.round_p95.append(Latencies.of_seconds(load.latencies).p95)
            target.requests += len(load.latencies)
            target.service_seconds += cores.get("service", 0.0) * load.elapsed
            target.client_seconds += cores["benchmark client"] * load.elapsed
            target.others.append(max(0.0, meter.machine - sum(cores.values())))
    rows = []
    for t in targets:
        pooled = Latencies.of_seconds(t.latencies)
        service = f"{t.service_seconds / t.requests * 1000:.2f}" if t.pid else "-"
        rows.append(
            [
                t.name,
                f"{pooled.p50:.1f}",
                f"{pooled.p95:.1f}",
                f"{pooled.p99:.1f}",
                f"{statistics.median(t.round_p95):.1f}",
                f"{t.requests / (args.rounds * args.seconds):.0f}",
                service,
                f"{t.client_seconds / t.requests * 1000:.2f}",
                f"{statistics.mean(t.others):.2f}",
            ]
        )
    report.heading(f"{args.clients} clients, {args.rounds} rounds of {args.seconds:g} s each")
    report.table(
        [
            "target",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "median round p95",
            "requests/s",
            "service CPU ms/request",
            "client CPU ms/request",
            "other cores",
        ],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="+", type=parse_target, help="NAME=URL[@PID][:httpx]")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--organisations", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(compare(args.targets, args))


if __name__ == "__main__":
    main()
