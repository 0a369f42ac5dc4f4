"""Checking a webhook target: its URL's shape and every address its host resolves to."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

from hoptac.notifications.domain.targets import (
    TargetPolicy,
    TargetRefused,
    check_addresses,
    check_url_shape,
)
from hoptac.platform.text import Text

# host -> the addresses it resolves to (the system resolver; a fake in tests)
Resolve = Callable[[str], Awaitable[list[str]]]


async def system_resolve(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def check_target(url: str, policy: TargetPolicy, resolve: Resolve = system_resolve) -> str:
    """The address to connect to for `url`, resolved once and checked; raises TargetRefused
    with a reason a person can act on."""
    host = check_url_shape(url)
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return check_addresses(host, ["127.0.0.1"], policy)
    try:
        addresses = await resolve(host)
    except (OSError, UnicodeError) as error:
        raise TargetRefused(Text("notifications.host_unresolvable", host=host)) from error
    return check_addresses(host, addresses, policy)
