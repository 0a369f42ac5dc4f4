"""Checking a webhook target: its URL's shape and every address its host resolves to."""

from __future__ import annotations

import asyncio
import socket

from hoptac.notifications.domain.targets import (
    TargetPolicy,
    TargetRefused,
    check_addresses,
    check_url_shape,
)


async def check_target(url: str, policy: TargetPolicy) -> None:
    """Raises TargetRefused with a reason a person can act on."""
    host = check_url_shape(url)
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        check_addresses(host, ["127.0.0.1"], policy)
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"the host {host} cannot be resolved ({error})") from error
    check_addresses(host, [str(info[4][0]) for info in infos], policy)
