"""A throw-away stack for a benchmark: real PostgreSQL and NATS JetStream in a temporary
directory, plus the service processes started on them, all stopped by PID at the end.

    with Stack() as stack:                       # PostgreSQL (durable) + NATS, started
        api = stack.spawn("registry", [...], env) # a child process, stopped by stack.close()
        ...

PostgreSQL keeps its durable defaults (fsync and synchronous_commit on) unless asked otherwise:
a write figure measured with fsync off says nothing about production.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import asyncpg
import httpx
import psutil

from bench.common import report
from hoptac.platform.embedded.nats import EmbeddedNats, nats_server_binary
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.embedded.processes import log_tail, stop_child

# The load clients of a benchmark all come from loopback: the services' per-client rate limits
# would count them as one client and refuse most of the load.
BENCH_CLIENT = '["127.0.0.1"]'


@dataclass
class Service:
    """One child process of ours (a uvicorn app, a worker), with its output in a log file."""

    name: str
    command: Sequence[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int | None:
        """While it runs; None once it has exited (its PID may belong to another by then)."""
        if self.process is None or self.process.poll() is not None:
            return None
        return self.process.pid

    def start(self) -> Service:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                list(self.command),
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: a Ctrl-C in the terminal reaches only the benchmark, which
                # then stops everything in order.
                start_new_session=True,
            )
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `timeout`; this PID only."""
        if self.process is not None:
            stop_child(self.process, timeout)

    def raise_if_exited(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with code {self.process.returncode}; its log "
                f"({self.log}) ends with:\n{log_tail(self.log)}"
            )


class Stack:
    """PostgreSQL and NATS in a fresh temporary directory, and the services started on them."""

    def __init__(
        self,
        *,
        durable: bool = True,
        keep: bool = False,
        postgres_settings: Mapping[str, str] | None = None,
    ) -> None:
        # Not under a private (0700) directory: as root, PostgreSQL runs as another user who must
        # reach its data directory.
        self.workdir = Path(tempfile.mkdtemp(prefix="hoptac-bench-"))
        self.workdir.chmod(0o755)
        self.keep = keep
        self.postgres = EmbeddedPostgres(
            self.workdir / "pg", free_port(), fast=not durable, settings=postgres_settings
        )
        self.nats = EmbeddedNats(self.workdir / "nats", free_port())
        self.services: list[Service] = []
        self._cleanup = contextlib.ExitStack()

    def start(self) -> Stack:
        self._cleanup.callback(self._remove_workdir)
        self._cleanup.callback(self.postgres.stop)
        self.postgres.start()
        self._cleanup.callback(self.nats.stop)
        self.nats.start()
        return self

    def spawn(self, name: str, command: Sequence[str], env: dict[str, str]) -> Service:
        """Start a child process now; `close()` stops it (before the servers it relies on)."""
        service = Service(name, command, env, self.workdir / f"{name}.log")
        self.services.append(service)
        self._cleanup.callback(service.stop)
        return service.start()

    def close(self) -> None:
        self._cleanup.close()

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _remove_workdir(self) -> None:
        if self.keep:
            print(f"kept the stack's files in {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def python_module(module: str, *args: str) -> list[str]:
    """The command that runs `python -m module args…` with this interpreter (the venv's)."""
    return [sys.executable, "-m", module, *args]


def uvicorn_app(factory: str, port: int, workers: int = 1) -> list[str]:
    """uvicorn serving an app factory on loopback, as `make run` starts services: one process,
    or `workers` processes sharing the port."""
    command = python_module(
        "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port),
        "--timeout-graceful-shutdown", "5",
    )  # fmt: skip
    return [*command, "--workers", str(workers)] if workers > 1 else command


async def wait_http_ready(url: str, service: Service, give_up_after: float = 60.0) -> None:
    """Wait until `url` answers 200, failing early (with its log) if the process died."""
    deadline = time.monotonic() + give_up_after
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            service.raise_if_exited()
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(url)).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{service.name} not ready at {url} (log: {service.log})")
            await asyncio.sleep(0.1)


Benchmark = Callable[[Stack, argparse.Namespace, list[str]], Awaitable[None]]


def run_benchmark(
    title: str,
    args: argparse.Namespace,
    benchmark: Benchmark,
    postgres_settings: Mapping[str, str] | None = None,
) -> int:
    """Print the parameters and the machine, run `benchmark` on a new stack (PostgreSQL with
    `postgres_settings` besides its own), stop everything (on SIGTERM and Ctrl-C too); exit 1
    when the benchmark noted problems, 130 when stopped."""
    report.heading(f"{title}: parameters")
    report.facts([(name.replace("_", "-"), value) for name, value in vars(args).items()])
    started = time.monotonic()
    problems: list[str] = []
    try:
        stack = Stack(keep=args.keep, postgres_settings=postgres_settings)
        with terminate_as_interrupt(), stack:
            report.heading("machine")
            report.facts(machine_facts(stack.workdir))
            asyncio.run(benchmark(stack, args, problems))
    except KeyboardInterrupt:
        print("interrupted: the stack's processes are stopped", file=sys.stderr)
        return 130
    print(f"total time {time.monotonic() - started:.0f} s")
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt while inside, so that `finally` blocks (and with
    them the stopping of every server) also run when the benchmark is terminated."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous: Callable[[int, FrameType | None], object] | int | None
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- what the figures were measured on -------------------------------------------------------


async def postgres_facts(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        version = await conn.fetchval("SHOW server_version")
        settings = {
            name: await conn.fetchval(f"SHOW {name}")
            for name in ("fsync", "synchronous_commit", "wal_sync_method", "shared_buffers")
        }
    finally:
        await conn.close()
    described = ", ".join(f"{name}={value}" for name, value in settings.items())
    return {"PostgreSQL": f"{version} ({described})"}


def machine_facts(workdir: Path) -> list[tuple[str, object]]:
    return [
        ("CPU cores", f"{os.cpu_count()} ({_cpu_model()})"),
        ("memory", f"{_memory_gib():.1f} GiB"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("NATS server", _nats_version()),
        ("stack files", f"{workdir} ({_filesystem(workdir)})"),
    ]


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    return float(psutil.virtual_memory().total) / 2**30


def _nats_version() -> str:
    try:
        out = subprocess.run(
            [str(nats_server_binary()), "--version"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    return out.stdout.strip() or out.stderr.strip()


def _filesystem(path: Path) -> str:
    """The file system type and device under `path`, from /proc/mounts (longest mount prefix)."""
    best = ("", "unknown", "unknown")
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            device, mount, kind, *_ = line.split()
            inside = str(path).startswith(mount.rstrip("/") + "/") or str(path) == mount
            if inside and len(mount) > len(best[0]):
                best = (mount, kind, device)
    return f"{best[1]} on {best[2]}"
