"""Registry write throughput, end to end, next to the raw limits of what it stands on.

    .venv/bin/python bench/registry/run.py [--seconds 20 --clients 16 ...]   (make bench)

Starts its own stack in a temporary directory (durable PostgreSQL, NATS JetStream, the registry
over uvicorn and its outbox relay), then:

1. registrations: C clients POST /v1/organizations for D seconds after a warm-up; the figure
   counts a write once JetStream has acknowledged its event (the outbox backlog is drained);
2. updates: the same clients PATCH those records with If-Match;
3. relay catch-up: writes with the relay stopped, then the relay drains the backlog;
4. raw limits on the same servers with the same payloads: PostgreSQL single-row commits and
   COPY, JetStream publishing awaited one by one, in the relay's batches, and fully pipelined.

Exits non-zero when a request failed or the backlog did not drain. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

from bench.common import report
from bench.common.cpu import CpuMeter, CpuShare, machine_cores
from bench.common.registry import Registry, start_registry, start_relay
from bench.common.stack import Stack, machine_facts, postgres_facts, terminate_as_interrupt
from bench.common.stats import Latencies, fraction_of, per_second
from bench.registry import raw
from bench.registry.publication import (
    BacklogNotDrained,
    Publication,
    publication,
    wait_for_drain,
)
from bench.registry.workload import Bodies, LoadResult, Register, Survey, run_load

REGISTERED = "organization.registered"
API = "registry API (uvicorn)"
UPDATED = "organization.updated"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--seconds", type=float, default=20, help="measured registration window (default 20)")
    add("--clients", type=int, default=16, help="concurrent HTTP clients and PG connections")
    add("--warmup", type=float, default=3, help="unmeasured registrations first (default 3 s)")
    add("--patch-seconds", type=float, default=8, help="PATCH phase; 0 skips it (default 8)")
    add(
        "--backlog-seconds",
        type=float,
        default=4,
        help="writes with the relay stopped, then timed catch-up; 0 skips it (default 4)",
    )
    add("--raw-seconds", type=float, default=4, help="each raw PostgreSQL commit run (default 4)")
    add("--copy-rows", type=int, default=100_000, help="rows in the raw COPY (default 100000)")
    add("--nats-messages", type=int, default=20_000, help="messages per raw JetStream run")
    add("--relay-batch", type=int, default=256, help="HOPTAC_REGISTRY_RELAY_BATCH_SIZE")
    add("--pool-size", type=int, help="HOPTAC_REGISTRY_DATABASE_POOL_SIZE (service default)")
    add("--drain-timeout", type=float, default=60, help="give up on the backlog after this")
    add("--per-province", type=int, default=300, help="generated bodies per province (34 of them)")
    add("--keep", action="store_true", help="keep the stack's files (logs, data) afterwards")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients must be >= 1 and --seconds > 0")
    return args


@dataclass
class Phase:
    """One HTTP phase: the load, who used the CPU, and how its events were published."""

    title: str
    load: LoadResult
    cpu: CpuMeter
    events: Publication | None = None
    drained_after: float = math.nan  # seconds from the last answer to an empty outbox

    @property
    def answered_per_second(self) -> float:
        return per_second(self.load.measured, self.load.elapsed)

    @property
    def published_per_second(self) -> float:
        """Writes counted once their event is acknowledged by JetStream."""
        if self.events is None or self.events.events == 0:
            return math.nan
        return per_second(self.events.events, self.events.last_published - self.load.wall_start)


@dataclass
class Run:
    args: argparse.Namespace
    phases: dict[str, Phase] = field(default_factory=dict)
    raw: dict[str, raw.RawResult] = field(default_factory=dict)
    raw_cpu: CpuMeter | None = None
    relay_catch_up: float = math.nan
    event_bytes: float = math.nan
    message_bytes: float = math.nan
    problems: list[str] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report.heading("registry write benchmark: parameters")
    report.facts([(name.replace("_", "-"), value) for name, value in vars(args).items()])
    started = time.monotonic()
    bodies = Bodies.generate(args.per_province)
    print(f"generated {len(bodies.templates)} registration bodies in "
          f"{time.monotonic() - started:.1f} s", flush=True)  # fmt: skip
    run = Run(args)
    try:
        with terminate_as_interrupt(), Stack(keep=args.keep) as stack:
            try:
                asyncio.run(benchmark(stack, bodies, run))
            except BacklogNotDrained as error:
                run.problems.append(str(error))
            finally:
                _collect_problems(run)
                print_results(run)
    except KeyboardInterrupt:
        print("interrupted: the stack's processes are stopped", file=sys.stderr)
        return 130
    print(f"total time {time.monotonic() - started:.0f} s")
    for problem in run.problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if run.problems else 0


async def benchmark(stack: Stack, bodies: Bodies, run: Run) -> None:
    args = run.args
    registry = await start_registry(
        stack, relay_batch_size=args.relay_batch, pool_size=args.pool_size
    )
    report.heading("machine")
    report.facts([*machine_facts(stack.workdir), *(await postgres_facts(registry.dsn)).items()])

    # 1. Registrations with the relay publishing as they commit.
    register = Register(bodies)
    await _warm_up(registry, register, args, run)
    phase = await _measure("registrations (POST)", registry, stack, register, args, args.seconds)
    run.phases["post"] = phase
    phase.drained_after = await wait_for_drain(registry.dsn, args.drain_timeout)
    phase.events = await publication(
        registry.dsn, phase.load.ids, REGISTERED, phase.load.wall_start
    )

    # 2. Updates of those records.
    ids = phase.load.ids
    if args.patch_seconds > 0 and len(ids) >= args.clients:
        survey = Survey(ids, args.clients)
        patch = await _measure("updates (PATCH)", registry, stack, survey, args, args.patch_seconds)
        run.phases["patch"] = patch
        patch.drained_after = await wait_for_drain(registry.dsn, args.drain_timeout)
        updated = sorted(set(patch.load.ids))
        patch.events = await publication(registry.dsn, updated, UPDATED, patch.load.wall_start)

    # 3. A backlog, then the relay's catch-up speed.
    if args.backlog_seconds > 0:
        assert registry.relay is not None
        registry.relay.stop()
        title = "registrations, relay stopped"
        backlog = await _measure(title, registry, stack, register, args, args.backlog_seconds)
        run.phases["backlog"] = backlog
        start_relay(stack, registry)
        backlog.drained_after = await wait_for_drain(registry.dsn, args.drain_timeout)
        events = await publication(
            registry.dsn, backlog.load.ids, REGISTERED, backlog.load.wall_start
        )
        backlog.events = events
        run.relay_catch_up = per_second(
            events.after_first_batch, events.last_published - events.first_published
        )

    await raw_limits(stack, registry, run)


async def _warm_up(
    registry: Registry, register: Register, args: argparse.Namespace, run: Run
) -> None:
    if args.warmup <= 0:
        return
    load = await run_load(registry.url, registry.headers, register, args.clients, args.warmup, 0)
    run.phases["warmup"] = Phase("warm-up", load, CpuMeter({}))


async def _measure(
    title: str,
    registry: Registry,
    stack: Stack,
    operation: Register | Survey,
    args: argparse.Namespace,
    seconds: float,
) -> Phase:
    print(f"measuring {title} for {seconds:g} s with {args.clients} clients …", flush=True)
    cpu = CpuMeter(
        {
            API: registry.api.pid,
            "registry relay": registry.relay.pid if registry.relay else None,
            "NATS server": stack.nats.pid,
        },
        families={"PostgreSQL (all backends)": stack.postgres.pid},
    ).start()
    load = await run_load(registry.url, registry.headers, operation, args.clients, seconds, 0)
    cpu.stop()
    return Phase(title, load, cpu)


def _collect_problems(run: Run) -> None:
    for phase in run.phases.values():
        if phase.load.errors:
            run.problems.append(f"{phase.title}: {phase.load.errors} requests failed")
        if phase.events is not None and phase.events.events != phase.load.measured:
            if phase.title.startswith("updates"):
                continue  # a PATCH that changed nothing writes no event; several per record do
            run.problems.append(
                f"{phase.title}: {phase.load.measured} writes answered but "
                f"{phase.events.events} events published"
            )


async def raw_limits(stack: Stack, registry: Registry, run: Run) -> None:
    args = run.args
    samples = await raw.sample_events(registry.database_url, REGISTERED)
    run.event_bytes = sum(len(s.data.encode()) for s in samples) / len(samples)
    run.message_bytes = sum(len(s.message) for s in samples) / len(samples)
    stack.postgres.create_database("bench_raw")
    dsn = stack.postgres.dsn("bench_raw")
    await raw.prepare_tables(dsn)

    print(f"measuring raw PostgreSQL commits for {args.raw_seconds:g} s …", flush=True)
    await raw.checkpoint(dsn)
    run.raw_cpu = CpuMeter({}, families={"PostgreSQL (all backends)": stack.postgres.pid}).start()
    run.raw["pg_commit"] = await raw.single_row_commits(
        dsn, samples, args.clients, args.raw_seconds
    )
    run.raw_cpu.stop()
    await raw.checkpoint(dsn)
    run.raw["pg_notify"] = await raw.single_row_commits(
        dsn, samples, args.clients, args.raw_seconds, notify=True
    )
    print(f"measuring raw PostgreSQL COPY of {args.copy_rows} rows …", flush=True)
    await raw.checkpoint(dsn)
    run.raw["pg_copy"] = await raw.copy_rows(dsn, samples, args.copy_rows)

    print(f"measuring raw JetStream publishing, {args.nats_messages} messages per run …")
    url, count = stack.nats.url, args.nats_messages
    run.raw["js_awaited"] = await raw.jetstream_publish(url, samples, count, batch=None)
    run.raw["js_batches"] = await raw.jetstream_publish(url, samples, count, batch=args.relay_batch)
    run.raw["js_pipelined"] = await raw.jetstream_publish(url, samples, count, batch=count)


# --- output -----------------------------------------------------------------------------------


def print_results(run: Run) -> None:
    if "post" not in run.phases:
        return
    _print_http(run)
    _print_cpu(run)
    if run.raw:
        _print_raw(run)
        _print_comparison(run)
    _print_errors(run)


def _print_http(run: Run) -> None:
    report.heading("registry over HTTP (durable PostgreSQL, events published to JetStream)")
    rows = []
    for phase in run.phases.values():
        if phase.title == "warm-up":
            continue
        events = phase.events
        latency = Latencies.of_seconds(phase.load.latencies)
        rows.append(
            [
                phase.title,
                phase.load.requests,
                phase.load.errors,
                report.number(phase.answered_per_second),
                report.number(phase.published_per_second),
                f"{latency.p50:.1f}",
                f"{latency.p95:.1f}",
                f"{latency.p99:.1f}",
                f"{latency.max:.1f}",
                f"{events.lag_p50_ms:.0f}" if events else "n/a",
                f"{events.lag_p99_ms:.0f}" if events else "n/a",
            ]
        )
    report.table(
        [
            "phase", "requests", "errors", "answered/s", "published/s",
            "p50 ms", "p95 ms", "p99 ms", "max ms", "lag p50 ms", "lag p99 ms",
        ],
        rows,
    )  # fmt: skip
    print(
        "  answered/s: measured requests / time to the last answer.\n"
        "  published/s: the same writes / time from the window's start to the last of their\n"
        "    events acknowledged by JetStream (outbox drained): the headline figure.\n"
        "  lag: the batch's published_at - recorded_at (commit to JetStream acknowledgement).\n"
        "    The relay-stopped phase's lag includes the wait for the relay, by design."
    )
    drains = ", ".join(
        f"{p.title} {p.drained_after:.2f} s"
        for p in run.phases.values()
        if not math.isnan(p.drained_after)
    )
    print(f"  outbox empty after the last answer: {drains}")
    if not math.isnan(run.relay_catch_up):
        print(
            f"  relay catch-up: {report.number(run.relay_catch_up)} events/s "
            f"(batch {run.args.relay_batch}, measured between its first and last batch)"
        )
    warmup = run.phases.get("warmup")
    if warmup is not None:
        print(f"  warm-up: {warmup.load.requests} requests, {warmup.load.errors} errors")
    print()


def _print_cpu(run: Run) -> None:
    report.heading("CPU, per phase: busy cores / CPU ms per write / cores' worth of waiting")
    phases = [p for key, p in run.phases.items() if key != "warmup"]
    names = list(dict.fromkeys(share.name for p in phases for share in p.cpu.shares))

    def cell(phase: Phase, cores: float, waiting: float | None) -> str:
        per_write = cores * 1000 / phase.answered_per_second
        return f"{cores:.2f} / {per_write:.1f} / " + ("-" if waiting is None else f"{waiting:.2f}")

    def row(name: str) -> list[str]:
        shares = (_cpu_share(p.cpu, name) for p in phases)
        return [name, *(cell(p, s.cores, s.waiting) for p, s in zip(phases, shares, strict=True))]

    rows = [row(name) for name in names]
    rows.append(["whole machine (+ kernel)", *(cell(p, p.cpu.machine, None) for p in phases)])
    report.table(["process", *(p.title for p in phases)], rows)
    print(
        f"  This machine has {machine_cores()} cores. Waiting: runnable but not running, "
        "i.e. queued for a core\n  (from /proc/*/schedstat). The benchmark client shares the "
        "cores with the servers.\n"
    )


def _cpu_share(cpu: CpuMeter, name: str) -> CpuShare:
    return next((share for share in cpu.shares if share.name == name), CpuShare(name, 0.0))


def _print_raw(run: Run) -> None:
    args = run.args
    report.heading("raw limits, same servers, same payloads")
    print(
        f"  payload: event data {report.number(run.event_bytes)} B as json "
        f"(the outbox row's), message {report.number(run.message_bytes)} B "
        f"(the envelope the relay publishes)\n"
    )
    labels = {
        "pg_commit": f"PostgreSQL INSERT+COMMIT, {args.clients} connections",
        "pg_notify": f"PostgreSQL INSERT+NOTIFY+COMMIT, {args.clients} connections",
        "pg_copy": f"PostgreSQL COPY of {args.copy_rows} rows, one transaction",
        "js_awaited": "JetStream publish, each ack awaited",
        "js_batches": f"JetStream publish_async, batches of {args.relay_batch}",
        "js_pipelined": f"JetStream publish_async, all {args.nats_messages} pipelined",
    }
    rows = []
    for key, label in labels.items():
        result = run.raw.get(key)
        if result is None:
            continue
        latency = Latencies.of_seconds(result.latencies) if result.latencies else None
        rows.append(
            [
                label,
                result.operations,
                report.number(result.rate),
                f"{latency.p50:.2f}" if latency else "",
                f"{latency.p99:.2f}" if latency else "",
            ]
        )
    report.table(["operation", "count", "per second", "p50 ms", "p99 ms"], rows)
    if run.raw_cpu is not None:
        client = _cpu_share(run.raw_cpu, "benchmark client").cores
        server = run.raw_cpu.total_cores - client
        print(
            f"  during the raw commits PostgreSQL used {server:.2f} cores, "
            f"the client {client:.2f}\n"
        )


def _print_comparison(run: Run) -> None:
    report.heading("our figures as a fraction of the raw limits")
    post = run.phases["post"].published_per_second
    patch = run.phases["patch"].published_per_second if "patch" in run.phases else math.nan
    rate = {key: result.rate for key, result in run.raw.items()}
    lines = [
        ("registrations/s, event published", post, "PG INSERT+COMMIT tx/s", rate["pg_commit"]),
        ("registrations/s, event published", post, "PG INSERT+NOTIFY+COMMIT tx/s",
         rate["pg_notify"]),
        ("registrations/s, event published", post, "PG COPY rows/s (bulk ceiling)",
         rate["pg_copy"]),
        ("updates/s (PATCH), event published", patch, "PG INSERT+COMMIT tx/s", rate["pg_commit"]),
        ("relay catch-up events/s", run.relay_catch_up,
         f"JetStream batches of {run.args.relay_batch} msgs/s", rate["js_batches"]),
        ("relay catch-up events/s", run.relay_catch_up, "JetStream pipelined msgs/s",
         rate["js_pipelined"]),
        ("events/s while serving registrations", post, "JetStream awaited msgs/s",
         rate["js_awaited"]),
    ]  # fmt: skip
    rows = [
        [ours_name, report.number(ours), raw_name, report.number(raw_rate),
         report.percent(fraction_of(ours, raw_rate))]
        for ours_name, ours, raw_name, raw_rate in lines
        if not math.isnan(ours)
    ]  # fmt: skip
    report.table(["our figure", "value", "raw limit", "value", "ours / raw"], rows)
    print(f"  what dominates: {what_dominates(run)}\n")


def what_dominates(run: Run) -> str:
    """A verdict from where the CPU went during the registrations and how far the servers were
    from their raw limits."""
    phase = run.phases["post"]
    cores = machine_cores()
    busy = phase.cpu.machine
    rate = phase.answered_per_second
    per_write = sorted(
        ((share.name, share.cores * 1000 / rate) for share in phase.cpu.shares),
        key=lambda item: item[1],
        reverse=True,
    )
    total_ms = phase.cpu.machine * 1000 / rate
    costs = ", ".join(f"{name} {ms:.1f}" for name, ms in per_write)
    api = _cpu_share(phase.cpu, API)
    api_ceiling = rate / api.cores if api.cores else math.nan
    if api.cores + api.waiting >= 0.9:
        verdict = (
            f"CPU. The registry's single uvicorn process is always running "
            f"({api.cores:.2f} of a core) or queued for a core ({api.waiting:.2f}): its event "
            f"loop is the bottleneck, about {api_ceiling:.0f}/s if it had a core to itself"
        )
    elif busy >= 0.9 * cores:
        verdict = f"CPU: all {cores} cores are busy ({busy:.2f}), shared by every process here"
    else:
        verdict = (
            f"waiting rather than CPU ({busy:.2f} of {cores} cores busy): on commits (fsync), "
            "locks or the connection pool"
        )
    ceiling = cores * 1000 / total_ms
    commits = fraction_of(phase.published_per_second, run.raw["pg_commit"].rate)
    publishes = fraction_of(phase.published_per_second, run.raw["js_awaited"].rate)
    return (
        f"{verdict}. One registration costs {total_ms:.1f} ms of CPU machine-wide (by process: "
        f"{costs}), so {cores} cores allow about {ceiling:.0f}/s. PostgreSQL commits ran at "
        f"{commits:.0f} % and JetStream at {publishes:.0f} % of their raw one-at-a-time rates."
    )


def _print_errors(run: Run) -> None:
    for phase in run.phases.values():
        for sample in phase.load.error_samples:
            print(f"  error in {phase.title}: {sample}", file=sys.stderr)
        if phase.load.errors > len(phase.load.error_samples):
            extra = phase.load.errors - len(phase.load.error_samples)
            print(f"  … and {extra} more errors in {phase.title}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
