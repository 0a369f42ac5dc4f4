"""Loopback TCP ports: finding a free one, and telling a clear story when one is taken."""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


class PortInUseError(RuntimeError):
    def __init__(self, port: int, what: str, host: str = LOOPBACK) -> None:
        super().__init__(f"port {port} on {host} is already in use ({what} wants it)")
        self.port = port
        self.what = what
        self.host = host


def free_port(host: str = LOOPBACK) -> int:
    """A port that nothing listens on right now (the OS picks it; another program may still
    take it before we do, which is fine for tests and reported clearly otherwise)."""
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
