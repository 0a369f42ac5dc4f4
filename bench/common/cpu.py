"""Who used the CPU during a phase: per process (and its children, e.g. PostgreSQL's backends),
as a share of one core. On a machine with few cores this is what tells a slow component from a
starved one."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil


def _cpu_seconds(pid: int, with_children: bool) -> float:
    """User + system CPU seconds of `pid`; with its children if asked (0 if it is gone).

    Children count whether they still run or have exited: the kernel adds the time of a child
    that exited to its parent's once the parent reaps it (as PostgreSQL's postmaster does with
    every backend), so short-lived connections are counted too.
    """
    try:
        root = psutil.Process(pid)
        times = root.cpu_times()
        total = times.user + times.system
        if not with_children:
            return total
        total += times.children_user + times.children_system
        children = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    for child in children:
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue  # exited just now: counted in the parent's once reaped
        total += times.user + times.system
    return total


def _run_queue_wait_seconds(pid: int, with_children: bool) -> float:
    """Seconds the threads of `pid` (and of its live children, if asked) spent runnable but
    waiting for a CPU, from /proc/<pid>/task/*/schedstat (0 where Linux does not say)."""
    try:
        pids = [pid]
        if with_children:
            pids += [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total_ns = 0
    for each in pids:
        for stat in Path(f"/proc/{each}/task").glob("*/schedstat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                total_ns += int(stat.read_text().split()[1])
    return total_ns / 1e9


@dataclass(frozen=True)
class CpuShare:
    name: str
    cores: float  # 1.0 = one core busy for the whole phase
    waiting: float = 0.0  # runnable but not running, in the same unit: CPU contention


class CpuMeter:
    """CPU used by named processes between `start()` and `stop()`.

    `processes` maps a label to a PID counted alone, `families` one counted with everything it
    started (a PostgreSQL postmaster and its backends). The benchmark process itself, without
    the servers it started, is always included as "benchmark client".
    """

    def __init__(
        self,
        processes: Mapping[str, int | None],
        families: Mapping[str, int | None] | None = None,
    ) -> None:
        self.pids = {"benchmark client": os.getpid()}
        self.pids.update({name: pid for name, pid in processes.items() if pid is not None})
        self.families = {name for name, pid in (families or {}).items() if pid is not None}
        self.pids.update({name: pid for name, pid in (families or {}).items() if pid is not None})
        self._before: dict[str, float] = {}
        self._waited_before: dict[str, float] = {}
        self._machine_before = 0.0
        self._started = 0.0
        self.shares: list[CpuShare] = []
        self.machine = 0.0  # cores busy machine-wide: every process and the kernel
        self.elapsed = 0.0

    def start(self) -> CpuMeter:
        self._before = {name: self._used(name) for name in self.pids}
        self._waited_before = {name: self._waited(name) for name in self.pids}
        self._machine_before = _machine_busy_seconds()
        self._started = time.monotonic()
        return self

    def stop(self) -> list[CpuShare]:
        self.elapsed = time.monotonic() - self._started
        self.shares = [
            CpuShare(
                name,
                (self._used(name) - self._before[name]) / self.elapsed,
                max(0.0, self._waited(name) - self._waited_before[name]) / self.elapsed,
            )
            for name in self.pids
        ]
        self.machine = (_machine_busy_seconds() - self._machine_before) / self.elapsed
        return self.shares

    def _used(self, name: str) -> float:
        return _cpu_seconds(self.pids[name], with_children=name in self.families)

    def _waited(self, name: str) -> float:
        return _run_queue_wait_seconds(self.pids[name], with_children=name in self.families)

    @property
    def total_cores(self) -> float:
        return sum(share.cores for share in self.shares)


def _machine_busy_seconds() -> float:
    """CPU seconds spent working (processes and kernel), summed over all cores, since boot.
    Idle, I/O wait and time stolen by the hypervisor are not work; guest time is already in
    user time."""
    times = psutil.cpu_times()._asdict()
    busy = ("user", "nice", "system", "irq", "softirq")
    return float(sum(times.get(name, 0.0) for name in busy))


def machine_cores() -> int:
    return os.cpu_count() or 1
