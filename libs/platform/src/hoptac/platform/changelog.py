"""Reading the registry's change log (`GET /v1/changes`) over HTTP, for rebuilds and backfills.

The outbox rows are kept for ever, so a projection can be rebuilt from sequence 0 long after
JetStream has dropped the messages; this is the one client every projection uses for that.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx


class ChangeLogError(RuntimeError):
    pass


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
