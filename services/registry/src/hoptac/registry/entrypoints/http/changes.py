"""GET /v1/changes: the registry's whole change log, in sequence order, for replay;
GET /v1/changes/head: whether anything was committed since a reader last looked; and
GET /v1/changes/correlated: the changes committed under some correlation ids, for a client that
must learn whether a write whose answer it lost was applied."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hoptac.platform.text import Text
from hoptac.registry.adapters import outbox
from hoptac.registry.domain.access import Role, require_token
from hoptac.registry.domain.errors import NotAllowed
from hoptac.registry.entrypoints.http.answers import (
    ChangesHead,
    ChangesPage,
    CorrelatedChanges,
    documented,
)
from hoptac.registry.entrypoints.http.auth import Caller
from hoptac.registry.entrypoints.http.schemas import CorrelationId, Plain

router = APIRouter(prefix="/v1/changes", tags=["change log"])

MAX_SEQUENCE = 2**63 - 1  # a PostgreSQL bigint
CORRELATION_IDS_AT_ONCE = 100  # a query string of about 6 kB at the ids collection makes
CORRELATED_AT_MOST = 1000


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


@router.get(
    "/head",
    summary="The newest change committed: has the register moved since?",
    responses=documented(ChangesHead),
)
async def head(request: Request, caller: Caller) -> dict[str, int]:
    """A number that grows with every change committed, numbered by the relay or not yet:
    collection reads it before a dry run and before the import of the same file, and reuses
    the dry run's whole check when it has not moved."""
    require_token(caller)
    async with request.app.state.registry.engine.connect() as conn:
        return {"head": await outbox.head(conn)}


@router.get(
    "/correlated",
    summary="The changes committed under some correlation ids (admins and reviewers)",
    responses=documented(CorrelatedChanges),
)
async def correlated(
    request: Request,
    caller: Caller,
    correlation_id: Annotated[
        list[Annotated[CorrelationId, Plain]],
        Query(min_length=1, max_length=CORRELATION_IDS_AT_ONCE, description="Repeat for more"),
    ],
) -> dict[str, Any]:
    """Read as soon as they commit, before the relay numbers them: the answer a writer needs
    when it cannot tell whether its write was applied."""
    require_token(caller)
    if caller.role not in (Role.ADMIN, Role.REVIEWER):
        raise NotAllowed(Text("registry.correlated_for_staff"))
    async with request.app.state.registry.engine.connect() as conn:
        found = await outbox.correlated(conn, correlation_id, CORRELATED_AT_MOST + 1)
    return {
        "changes": found[:CORRELATED_AT_MOST],
        "complete": len(found) <= CORRELATED_AT_MOST,
    }
