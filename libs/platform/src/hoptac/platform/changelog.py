"""Reading the registry's change log (`GET /v1/changes`) over HTTP, for rebuilds and backfills.

The outbox rows are kept for ever, so a projection can be rebuilt from sequence 0 long after
JetStream has dropped the messages; this is the one client every projection uses for that,
and `catch_up` the one way a projection fills itself from it with the service token.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:  # settings reads its token file with this module
    from hoptac.platform.settings import ProjectionSettings

log = logging.getLogger("hoptac.changelog")

Pages = AsyncIterator[list[dict[str, Any]]]


class ChangeLogError(RuntimeError):
    """The change log could not be read just now (no token yet, the registry away or refusing)."""


def read_token_file(path: Path) -> str | None:
    """The token in `path`, or None when there is no such file (no local stack has made one)."""
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


async def read_changes(
    registry_url: str,
    token: str,
    after: int = 0,
    page_size: int = 1000,
    *,
    client: httpx.AsyncClient | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Pages of raw event envelopes with `sequence > after`, in order, until the end of the log."""
    own_client = client is None
    http = client or httpx.AsyncClient(timeout=30.0)
    try:
        while True:
            response = await http.get(
                f"{registry_url.rstrip('/')}/v1/changes",
                params={"after": after, "limit": page_size},
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code != 200:
                raise ChangeLogError(
                    f"the registry at {registry_url} answered {response.status_code} to "
                    f"/v1/changes?after={after}: {response.text[:300]}"
                )
            events: list[dict[str, Any]] = response.json()["events"]
            if not events:
                return
            yield events
            after = events[-1]["sequence"]
            if len(events) < page_size:
                return
    finally:
        if own_client:
            await http.aclose()


async def catch_up(
    projection: str,
    settings: ProjectionSettings,
    *,
    after: int,
    apply: Callable[[Pages], Awaitable[int]],
    client: httpx.AsyncClient | None = None,
) -> int:
    """Give `apply` the change log's pages after sequence `after`, read with the service token,
    and return what it counts as applied. Raises ChangeLogError when the change log cannot be
    read; what `apply` itself raises (its store away, say) passes unchanged."""
    token = settings.change_log_token()
    if token is None:
        raise ChangeLogError("no registry token yet (var/service-token)")
    applied = await apply(_read_or_fail(settings.registry_url, token, after, client))
    log.info(
        "%s: change log read after sequence %d: %d changes applied", projection, after, applied
    )
    return applied


async def _read_or_fail(
    registry_url: str, token: str, after: int, client: httpx.AsyncClient | None
) -> Pages:
    """read_changes, with a registry that cannot be reached said as a ChangeLogError too."""
    try:
        async for page in read_changes(registry_url, token, after, client=client):
            yield page
    except (httpx.HTTPError, OSError) as error:
        raise ChangeLogError(f"{type(error).__name__}: {error}") from error
