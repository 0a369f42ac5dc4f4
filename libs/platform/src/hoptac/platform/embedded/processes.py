"""Stopping processes by PID, politely first, and reading what they said before dying."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

_PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent(signum: int) -> Callable[[], None] | None:
    """A `preexec_fn` for Popen: when the process that starts the child dies, however it dies
    (SIGKILL cannot be trapped), the kernel sends the child `signum`, so nothing we start
    outlives us holding its port. It runs after Popen has switched to the child's `user`, which
    would otherwise clear it. The starting thread counts as the parent: start from the main
    thread, or from a thread that lives as long as the child."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def in_child() -> None:
        prctl(_PR_SET_PDEATHSIG, signum)

    return in_child


def stop_child(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM one child we spawned, wait up to `timeout`, then SIGKILL it; always reaps it."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def is_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (dead, not yet reaped by its parent) counts as gone."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait until none of `pids` is alive; return those still alive when time runs out."""
    deadline = time.monotonic() + timeout
    alive = [pid for pid in pids if is_alive(pid)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [pid for pid in alive if is_alive(pid)]
    return alive


def wait_reaped(pid: int, timeout: float) -> bool:
    """Wait until `pid` no longer exists at all, not even as a zombie; True if it is gone.

    For a process that is not our child: its new parent (init) reaps it in its own time, and
    until then the PID still answers `kill(pid, 0)`, which some programs take for "running".
    """
    deadline = time.monotonic() + timeout
    while psutil.pid_exists(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True


def kill_tree(pid: int) -> None:
    """SIGKILL a process and everything it started, as a crash or power loss would, and wait
    until they are all gone so that a restart does not trip over their leftovers."""
    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for proc in family:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
    still = wait_gone([proc.pid for proc in family], timeout=10.0)
    if still:
        raise RuntimeError(f"processes {still} survived SIGKILL")


def poll(
    predicate: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    check: Callable[[], None] = lambda: None,
) -> None:
    """Call `predicate` until it is true; `check` runs on every round and may raise to give up
    early (a server that already died will never become ready)."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while not predicate():
        check()
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def log_tail(path: Path, lines: int = 40, offset: int = 0) -> str:
    """The last `lines` lines of a log file written after byte `offset`."""
    try:
        with path.open("rb") as file:
            file.seek(offset)
            text = file.read().decode(errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])
