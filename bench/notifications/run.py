"""Webhook delivery speed, end to end, next to the raw HTTP limit of the same receiver.

    .venv/bin/python bench/notifications/run.py [--subscriptions 50 --events 100 ...]

Starts its own stack in a temporary directory (durable PostgreSQL, NATS JetStream, the registry
and its relay, the notifications API and worker as `make run` starts them) and a webhook
receiver in this process, subscribes `--subscriptions` URLs, then:

0. warm-up, not counted: `--warmup` registrations, waiting for all their deliveries, so that
   the worker process has imported, connected and subscribed, and every subscription's
   connection pool is open (with `--warmup 0` the first registrations of phase 1 wait seconds
   for the worker to start, and that start-up dominates p95/p99);
1. latency: registrations at a steady `--rate` per second; for every (subscription, event) the
   time from the registry's commit (`recorded_at`) to the webhook's first arrival;
2. throughput: `--burst` registrations as fast as the registry takes them; deliveries per second
   from the first to the last arrival, and the commit-to-arrival lag under that load;
3. raw limit: bare httpx POSTs of the same body to the same receiver with the worker's
   concurrency, for `--raw-seconds`.

Then, per phase, where the time went: commit → stored by the consumer → first attempt started
by the delivery worker → arrived at the receiver.

Exits non-zero when a delivery is missing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

import asyncpg
import httpx
import uvicorn
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import report
from bench.common.cpu import CpuMeter
from bench.common.registry import Registry, start_registry
from bench.common.stack import (
    BENCH_CLIENT,
    Service,
    Stack,
    machine_facts,
    postgres_facts,
    python_module,
    terminate_as_interrupt,
    uvicorn_app,
    wait_http_ready,
)
from bench.common.stats import Latencies, fraction_of, per_second
from hoptac.notifications.adapters.migrations import migrate_async
from hoptac.platform.embedded.ports import free_port
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role

APP_FACTORY = "hoptac.notifications.entrypoints.http.app:create_app"
WORKER_MODULE = "hoptac.notifications.entrypoints.worker"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--subscriptions", type=int, default=50, help="webhook subscriptions (default 50)")
    add("--warmup", type=int, default=5, help="uncounted registrations first (default 5)")
    add("--events", type=int, default=60, help="registrations in the latency phase")
    add("--rate", type=float, default=2, help="registrations per second, latency phase")
    add("--burst", type=int, default=300, help="registrations in the throughput phase")
    add("--clients", type=int, default=8, help="concurrent registry clients in the burst")
    add("--concurrency", type=int, default=64, help="HOPTAC_NOTIFICATIONS_DELIVERY_CONCURRENCY")
    add("--per-subscription", type=int, default=4, help="…_DELIVERY_PER_SUBSCRIPTION")
    add("--raw-seconds", type=float, default=5, help="the raw httpx POST run (default 5)")
    add("--timeout", type=float, default=180, help="give up waiting for deliveries after this")
    add("--keep", action="store_true", help="keep the stack's files (logs, data) afterwards")
    return parser.parse_args(argv)


@dataclass
class Receiver:
    """Records the first arrival of every (path, webhook-id), with the event's commit time."""

    port: int = field(default_factory=free_port)
    first: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    requests: int = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        data = b""
        while True:
            message = await receive()
            data += message.get("body", b"")
            if not message.get("more_body"):
                break
        arrived = time.time()
        self.requests += 1
        headers = dict(scope["headers"])
        webhook_id = headers.get(b"webhook-id", b"").decode()
        if webhook_id:
            key = (scope["path"], webhook_id)
            if key not in self.first:
                recorded = datetime.fromisoformat(json.loads(data)["recorded_at"]).timestamp()
                self.first[key] = (recorded, arrived)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@dataclass
class Phase:
    title: str
    deliveries: int
    latencies: Latencies
    seconds: float
    cpu: CpuMeter

    @property
    def per_second(self) -> float:
        return per_second(self.deliveries, self.seconds)


@dataclass
class Run:
    args: argparse.Namespace
    phases: list[Phase] = field(default_factory=list)
    raw_per_second: float = float("nan")
    raw_one_pool: float = float("nan")
    raw_cpu: CpuMeter | None = None
    windows: list[tuple[str, float, float]] = field(default_factory=list)
    stages: list[tuple[str, str, Latencies]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def body(number: int) -> dict[str, Any]:
    return {
        "registration_number": f"96{number:08d}",
        "name": f"Hợp tác xã Dịch vụ Nông nghiệp Tân Lộc {number}",
        "kind": "cooperative",
        "registered_on": "2019-05-20",
        "address": {"province_code": "96", "commune_code": "31825", "street": "Khóm 2"},
        "sector": {"group": "agriculture", "vsic": ["0322"]},
        "members_count": 12,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report.heading("notifications webhook benchmark: parameters")
    report.facts([(name.replace("_", "-"), value) for name, value in vars(args).items()])
    run = Run(args)
    started = time.monotonic()
    try:
        with terminate_as_interrupt(), Stack(keep=args.keep) as stack:
            try:
                asyncio.run(benchmark(stack, run))
            finally:
                print_results(run)
    except KeyboardInterrupt:
        print("interrupted: the stack's processes are stopped", file=sys.stderr)
        return 130
    print(f"total time {time.monotonic() - started:.0f} s")
    for problem in run.problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if run.problems else 0


async def benchmark(stack: Stack, run: Run) -> None:
    args = run.args
    registry = await start_registry(stack)
    report.heading("machine")
    report.facts([*machine_facts(stack.workdir), *(await postgres_facts(registry.dsn)).items()])
    agency = await _agency_token(registry.database_url)
    api, worker, url = await _start_notifications(stack, registry, args)
    receiver = Receiver()
    server = uvicorn.Server(
        uvicorn.Config(receiver, host="127.0.0.1", port=receiver.port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    await _until(lambda: server.started, 30)
    try:
        paths = [f"/hook/{n}" for n in range(args.subscriptions)]
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {agency}"}, timeout=30
        ) as client:
            for path in paths:
                made = await client.post("/v1/subscriptions", json={"url": receiver.url(path)})
                made.raise_for_status()
        processes = {"notifications worker": worker.pid, "notifications API": api.pid}
        processes["registry API"] = registry.api.pid
        processes["registry relay"] = registry.relay.pid if registry.relay else None
        families = {"PostgreSQL": stack.postgres.pid}

        async with httpx.AsyncClient(
            base_url=registry.url, headers=registry.headers, timeout=30
        ) as writer:
            numbers = iter(range(1, 10**7))
            # 0. Warm-up, not counted: the worker process has started and subscribed, every
            # subscription's connection pool is open and its target checked.
            begin = len(receiver.first)
            for _ in range(args.warmup):
                response = await writer.post("/v1/organizations", json=body(next(numbers)))
                response.raise_for_status()
            await _wait_for(receiver, begin + args.warmup * args.subscriptions, args.timeout, run)
            # 1. Latency at a steady rate.
            cpu = CpuMeter(processes, families).start()
            begin = len(receiver.first)
            window_start = time.time()
            for _ in range(args.events):
                response = await writer.post("/v1/organizations", json=body(next(numbers)))
                response.raise_for_status()
                await asyncio.sleep(1 / args.rate)
            expected = begin + args.events * args.subscriptions
            await _wait_for(receiver, expected, args.timeout, run)
            cpu.stop()
            run.phases.append(_phase("steady rate", receiver, begin, cpu))
            run.windows.append(("steady rate", window_start, time.time()))

            # 2. Throughput under a burst.
            cpu = CpuMeter(processes, families).start()
            begin = len(receiver.first)
            window_start = time.time()
            queue: asyncio.Queue[int] = asyncio.Queue()
            for _ in range(args.burst):
                queue.put_nowait(next(numbers))

            async def client_loop() -> None:
                while not queue.empty():
                    number = queue.get_nowait()
                    (await writer.post("/v1/organizations", json=body(number))).raise_for_status()

            await asyncio.gather(*(client_loop() for _ in range(args.clients)))
            expected = begin + args.burst * args.subscriptions
            await _wait_for(receiver, expected, args.timeout, run)
            cpu.stop()
            run.phases.append(_phase("burst", receiver, begin, cpu))
            run.windows.append(("burst", window_start, time.time()))

        # 3. The raw limit: bare POSTs to the same receiver.
        sample = json.dumps(await _sample_event(url, agency)).encode()
        run.raw_cpu = CpuMeter({}, {}).start()
        pools = min(args.subscriptions, max(1, args.concurrency // args.per_subscription))
        run.raw_per_second = await _raw_posts(
            receiver, sample, pools, args.per_subscription, args.raw_seconds
        )
        run.raw_cpu.stop()
        run.raw_one_pool = await _raw_posts(receiver, sample, 1, args.concurrency, args.raw_seconds)
        run.stages = await _stages(
            stack.postgres.dsn("hoptac_notifications"), receiver, run.windows
        )
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(serving, 10)


async def _agency_token(database_url: str) -> str:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            return await tokens.create_token(
                conn, "bench-agency", Role.AGENCY_READER, [], [], WriteContext("bench", "b", None)
            )
    finally:
        await engine.dispose()


async def _start_notifications(
    stack: Stack, registry: Registry, args: argparse.Namespace
) -> tuple[Service, Service, str]:
    database_url = stack.postgres.create_database("hoptac_notifications")
    await migrate_async(database_url)
    port = free_port()
    env = {
        **registry.env,
        "HOPTAC_NOTIFICATIONS_PORT": str(port),
        "HOPTAC_NOTIFICATIONS_RATE_LIMIT_EXEMPT": BENCH_CLIENT,
        "HOPTAC_NOTIFICATIONS_DATABASE_URL": database_url,
        "HOPTAC_NOTIFICATIONS_NATS_URL": stack.nats.url,
        "HOPTAC_NOTIFICATIONS_REGISTRY_URL": registry.url,
        "HOPTAC_NOTIFICATIONS_REGISTRY_TOKEN": registry.token,
        "HOPTAC_NOTIFICATIONS_WORKER_METRICS_PORT": "0",
        "HOPTAC_NOTIFICATIONS_VAR_DIR": str(stack.workdir),
        "HOPTAC_NOTIFICATIONS_DELIVERY_CONCURRENCY": str(args.concurrency),
        "HOPTAC_NOTIFICATIONS_DELIVERY_PER_SUBSCRIPTION": str(args.per_subscription),
    }
    api = stack.spawn("notifications", uvicorn_app(APP_FACTORY, port), env)
    url = f"http://127.0.0.1:{port}"
    await wait_http_ready(f"{url}/readyz", api)
    worker = stack.spawn("notifications-worker", python_module(WORKER_MODULE), env)
    return api, worker, url


async def _until(condition: Callable[[], bool], give_up_after: float) -> bool:
    deadline = time.monotonic() + give_up_after
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def _wait_for(receiver: Receiver, expected: int, give_up_after: float, run: Run) -> None:
    if not await _until(lambda: len(receiver.first) >= expected, give_up_after):
        missing = expected - len(receiver.first)
        run.problems.append(f"{missing} deliveries missing after {give_up_after:.0f} s")


def _phase(title: str, receiver: Receiver, begin: int, cpu: CpuMeter) -> Phase:
    arrivals = list(receiver.first.values())[begin:]
    lags = [max(0.0, arrived - recorded) for recorded, arrived in arrivals]
    times = sorted(arrived for _, arrived in arrivals)
    seconds = times[-1] - times[0] if len(times) > 1 else float("nan")
    return Phase(title, len(arrivals), Latencies.of_seconds(lags), seconds, cpu)


async def _sample_event(url: str, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as c:
        events: list[dict[str, Any]] = (await c.get("/v1/feed", params={"limit": 1})).json()[
            "events"
        ]
    return events[0]


async def _raw_posts(
    receiver: Receiver, body: bytes, pools: int, per_pool: int, seconds: float
) -> float:
    """Bare POSTs: `pools` httpx clients with `per_pool` connections each, all kept busy."""
    done = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
    clients = [httpx.AsyncClient(limits=limits, timeout=10) for _ in range(pools)]
    headers = {"content-type": "application/json"}

    async def loop(client: httpx.AsyncClient) -> None:
        nonlocal done
        while time.monotonic() < stop:
            response = await client.post(receiver.url("/raw"), content=body, headers=headers)
            if response.status_code == 204:
                done += 1

    started = time.monotonic()
    try:
        await asyncio.gather(*(loop(c) for c in clients for _ in range(per_pool)))
    finally:
        for client in clients:
            await client.aclose()
    return per_second(done, time.monotonic() - started)


async def _stages(
    dsn: str, receiver: Receiver, windows: list[tuple[str, float, float]]
) -> list[tuple[str, str, Latencies]]:
    """Where the time goes, per phase, from the notifications database and the receiver: the
    registry's commit (`recorded_at`) → the event stored by the consumer (`stored_at`, inside
    its transaction) → the delivery's first attempt started in the worker → its arrival."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("""
            SELECT extract(epoch FROM e.recorded_at) AS recorded,
                   extract(epoch FROM e.stored_at) AS stored,
                   extract(epoch FROM d.created_at) AS created,
                   extract(epoch FROM d.first_attempt_at) AS attempted,
                   d.webhook_id, s.url
            FROM deliveries d JOIN events e ON e.sequence = d.sequence
                 JOIN subscriptions s ON s.id = d.subscription_id
            WHERE d.first_attempt_at IS NOT NULL
        """)
    finally:
        await conn.close()
    stages: list[tuple[str, str, Latencies]] = []
    for title, start, end in windows:
        mine = [r for r in rows if start <= float(r["recorded"]) <= end]
        arrivals = []
        for r in mine:
            path = "/" + str(r["url"]).split("/", 3)[3]
            first = receiver.first.get((path, r["webhook_id"]))
            if first is not None:
                arrivals.append(first[1] - float(r["attempted"]))

        def of(seconds: list[float]) -> Latencies:
            return Latencies.of_seconds([max(0.0, v) for v in seconds])

        stages += [
            (title, "commit → stored by the consumer",
             of([float(r["stored"]) - float(r["recorded"]) for r in mine])),
            (title, "stored → first attempt started",
             of([float(r["attempted"]) - float(r["created"]) for r in mine])),
            (title, "first attempt started → arrived", of(arrivals)),
        ]  # fmt: skip
    return stages


def print_results(run: Run) -> None:
    if not run.phases:
        return
    report.heading("commit → first webhook attempt arriving at the receiver")
    report.table(
        ["phase", "deliveries", "per second", "p50 ms", "p95 ms", "p99 ms", "max ms"],
        [
            [
                p.title,
                p.deliveries,
                report.number(p.per_second),
                p.latencies.p50,
                p.latencies.p95,
                p.latencies.p99,
                p.latencies.max,
            ]
            for p in run.phases
        ],
    )
    if run.stages:
        report.heading("where the time goes, per delivery")
        report.table(
            ["phase", "stage", "p50 ms", "p95 ms", "p99 ms", "max ms"],
            [[phase, name, lat.p50, lat.p95, lat.p99, lat.max] for phase, name, lat in run.stages],
        )
    report.heading("CPU by phase: busy cores / cores' worth of waiting for a core")
    names = [share.name for share in run.phases[0].cpu.shares]
    rows = []
    for name in names:
        row: list[object] = [name]
        for phase in run.phases:
            share = next(s for s in phase.cpu.shares if s.name == name)
            row.append(f"{share.cores:.2f} / {share.waiting:.2f}")
        rows.append(row)
    rows.append(["whole machine", *(f"{p.cpu.machine:.2f}" for p in run.phases)])
    report.table(["process", *(p.title for p in run.phases)], rows)
    burst = run.phases[-1]
    report.heading("raw limit")
    report.facts(
        [
            ("bare POSTs, one pool per subscription", f"{report.number(run.raw_per_second)} /s"),
            ("bare POSTs, one shared pool", f"{report.number(run.raw_one_pool)} /s"),
            ("webhook deliveries (burst)", f"{report.number(burst.per_second)} /s"),
            ("deliveries as a share of raw", report.percent(
                fraction_of(burst.per_second, run.raw_per_second))),
        ]
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
