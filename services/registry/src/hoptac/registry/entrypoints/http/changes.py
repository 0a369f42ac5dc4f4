"""GET /v1/changes: the registry's whole change log, in sequence order, for replay."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hoptac.registry.adapters import outbox
from hoptac.registry.domain.access import require_token
from hoptac.registry.entrypoints.http.answers import ChangesPage, documented
from hoptac.registry.entrypoints.http.auth import Caller

router = APIRouter(prefix="/v1/changes", tags=["change log"])

MAX_SEQUENCE = 2**63 - 1  # a PostgreSQL bigint


@router.get(
    "", summary="Events after a sequence number, in commit order", responses=documented(ChangesPage)
)
async def changes(
    request: Request,
    caller: Caller,
    after: Annotated[
        int, Query(ge=0, le=MAX_SEQUENCE, description="The last sequence you have; 0 for all")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    require_token(caller)
    async with request.app.state.registry.engine.connect() as conn:
        events = await outbox.page(conn, after, limit)
    return {"events": events, "next": events[-1]["sequence"] if events else after}
