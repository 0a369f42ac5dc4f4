"""Loopback TCP ports: finding a free one, and telling a clear story when one is taken."""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"
EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Linux's default ephemeral range, for systems that do not say theirs.
DEFAULT_EPHEMERAL_START = 32768
# The lowest port handed out: above the well-known and the commonly registered ones.
LOWEST_CHOSEN = 20000
_handed_out: set[int] = set()


class PortInUseError(RuntimeError):
    def __init__(self, port: int, what: str, host: str = LOOPBACK) -> None:
        super().__init__(f"port {port} on {host} is already in use ({what} wants it)")
        self.port = port
        self.what = what
        self.host = host


def ephemeral_start(range_file: Path = EPHEMERAL_RANGE_FILE) -> int:
    """The first port the kernel gives to outgoing connections."""
    try:
        return int(range_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return DEFAULT_EPHEMERAL_START


def free_port(host: str = LOOPBACK, range_file: Path = EPHEMERAL_RANGE_FILE) -> int:
    """A port that nothing listens on right now, chosen below the kernel's ephemeral range.

    A port the kernel picks (binding port 0) comes from the range it also gives to outgoing
    connections, so between our check and the server's bind an outgoing connection can take it.
    Below that range only a listener can, and no port is handed out twice by one process."""
    top = ephemeral_start(range_file)
    candidates = [port for port in range(LOWEST_CHOSEN, top) if port not in _handed_out]
    random.shuffle(candidates)
    for port in candidates:
        if port_is_free(port, host):
            _handed_out.add(port)
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    # SO_REUSEADDR as the servers themselves set it, so a socket lingering in TIME_WAIT after a
    # restart does not count as "in use", while a live listener does (Linux refuses the bind).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def ensure_port_free(port: int, what: str, host: str = LOOPBACK) -> None:
    if not port_is_free(port, host):
        raise PortInUseError(port, what, host)


def accepts_connections(port: int, host: str = LOOPBACK, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
