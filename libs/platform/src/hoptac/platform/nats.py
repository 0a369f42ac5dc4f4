"""One way to connect to NATS for every service: reconnect forever, log what happens."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client

log = logging.getLogger("hoptac.nats")


def shown(url: str) -> str:
    """The URL (or comma-separated URLs) with passwords masked, fit for a log line."""
    return ",".join(_masked(part) for part in servers(url))


def _masked(url: str) -> str:
    password = urlsplit(url).password
    return url if password is None else url.replace(f":{password}@", ":***@", 1)


def servers(url: str) -> list[str]:
    """`nats://a:4222,nats://b:4222`: every server of a cluster, each with its login."""
    return [part.strip() for part in url.split(",") if part.strip()]


async def connect(url: str, name: str) -> Client:
    """To one server or, with a comma-separated list, to any server of a cluster (the client
    moves to another when its server goes)."""

    async def on_error(error: Exception) -> None:
        log.warning("NATS error: %s", error)

    async def on_disconnected() -> None:
        log.warning("disconnected from NATS at %s; reconnecting", shown(url))

    async def on_reconnected() -> None:
        log.info("reconnected to NATS at %s", shown(url))

    return await nats.connect(
        servers(url),
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        error_cb=on_error,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
    )
