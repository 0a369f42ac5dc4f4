"""One way to connect to NATS for every service: reconnect forever, log what happens."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client

log = logging.getLogger("hoptac.nats")


def shown(url: str) -> str:
    """The URL with its password masked, fit for a log line."""
    password = urlsplit(url).password
    return url if password is None else url.replace(f":{password}@", ":***@", 1)


async def connect(url: str, name: str) -> Client:
    async def on_error(error: Exception) -> None:
        log.warning("NATS error: %s", error)

    async def on_disconnected() -> None:
        log.warning("disconnected from NATS at %s; reconnecting", shown(url))

    async def on_reconnected() -> None:
        log.info("reconnected to NATS at %s", shown(url))

    return await nats.connect(
        url,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        error_cb=on_error,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
    )
