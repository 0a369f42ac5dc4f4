"""The processes `hoptac run` spawns for the services, each with its own log file."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from hoptac.platform.embedded.processes import die_with_parent, log_tail


@dataclass
class Child:
    label: str
    process: subprocess.Popen[bytes]
    log_file: Path
    log_offset: int  # where this run's output starts: the log keeps earlier runs
    command: Sequence[str]
    env: Mapping[str, str]
    started: float = field(default_factory=time.monotonic)
    restarts: int = 0  # in a row, each soon after the last

    def tail(self, lines: int = 40) -> str:
        return log_tail(self.log_file, lines, self.log_offset)

    def end_leftovers(self) -> None:
        """Once it has exited: SIGKILL what it started and left behind in its process group (a
        uvicorn supervisor's processes, when the supervisor itself was killed), which would
        otherwise keep serving, holding the port."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def relaunch(self) -> Child:
        """The same command again, after a crash; its output goes on in the same log."""
        self.end_leftovers()
        again = launch(self.label, self.command, self.env, self.log_file.parent)
        again.restarts = self.restarts + 1
        return again


def launch(label: str, command: Sequence[str], env: Mapping[str, str], log_dir: Path) -> Child:
    log_file = log_dir / f"{label}.log"
    with log_file.open("ab") as log:
        started = datetime.now().isoformat(timespec="seconds")
        log.write(f"\n--- {started} {' '.join(command)}\n".encode())
        log.flush()
        offset = log.tell()
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the launcher only; it stops us in order
            preexec_fn=die_with_parent(signal.SIGTERM),
        )
    return Child(label, process, log_file, offset, command, env)


def stop_children(children: Sequence[Child], timeout: float) -> None:
    """SIGTERM all at once, give them `timeout` seconds together, then SIGKILL the rest."""
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.process.wait(max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
        child.end_leftovers()
