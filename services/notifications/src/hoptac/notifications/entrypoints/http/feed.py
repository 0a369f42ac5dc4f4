"""The change feed: pages after a sequence, a Server-Sent Events stream, and the snapshot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from hoptac.notifications.adapters.feed import page_json
from hoptac.notifications.domain.errors import InvalidRequest
from hoptac.notifications.domain.filters import EventFilter, Problem
from hoptac.notifications.entrypoints.http.auth import CallerDep, Service
from hoptac.notifications.entrypoints.http.schemas import (
    MAX_BIGINT,
    FeedPage,
    Snapshot,
    checked_filter,
    json_answer,
)
from hoptac.notifications.handlers import Notifications
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text

router = APIRouter(prefix="/v1", tags=["change feed"])

STREAM_PAGE = 500
HEARTBEAT_SECONDS = 15.0

ListParam = Annotated[list[str], Query(description="comma-separated or repeated; empty for all")]


def _split(values: list[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def _filter(
    event_types: list[str], provinces: list[str], kinds: list[str], sectors: list[str]
) -> EventFilter:
    return checked_filter(_split(event_types), _split(provinces), _split(kinds), _split(sectors))


@router.get(
    "/feed",
    summary="Events after a sequence, in commit order, over the whole history",
    response_class=Response,
    responses=json_answer(FeedPage, "A page of events, and where the next one starts"),
)
async def feed(
    caller: CallerDep,
    service: Service,
    after: Annotated[
        int, Query(ge=0, le=MAX_BIGINT, description="The `next` of your last page; 0 for all")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    event_types: ListParam = [],  # noqa: B006 (FastAPI copies defaults)
    provinces: ListParam = [],  # noqa: B006
    kinds: ListParam = [],  # noqa: B006
    sectors: ListParam = [],  # noqa: B006
) -> Response:
    wanted = _filter(event_types, provinces, kinds, sectors)
    page = await service.feed_page(after, limit, wanted)
    return Response(page_json(page), media_type="application/json")


@router.get(
    "/feed/stream",
    summary="Server-Sent Events: every event as it is stored; resumes from Last-Event-ID",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "`id: <sequence>`, `event: <event_type>`, `data: <envelope>` per event",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def stream(
    request: Request,
    caller: CallerDep,
    service: Service,
    after: Annotated[int, Query(ge=0, le=MAX_BIGINT)] = 0,
    event_types: ListParam = [],  # noqa: B006
    provinces: ListParam = [],  # noqa: B006
    kinds: ListParam = [],  # noqa: B006
    sectors: ListParam = [],  # noqa: B006
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    wanted = _filter(event_types, provinces, kinds, sectors)
    start = after
    if last_event_id is not None and last_event_id.strip():
        start = _position(last_event_id.strip())
    poll = request.app.state.stream_poll_seconds
    return StreamingResponse(
        _events(request, service, caller, wanted, start, poll),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _position(last_event_id: str) -> int:
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not (last_event_id.isascii() and last_event_id.isdigit()) or int(last_event_id) > MAX_BIGINT:
        raise InvalidRequest(
            [Problem("Last-Event-ID", Text("notifications.last_event_id", max=MAX_BIGINT))]
        )
    return int(last_event_id)


async def _events(
    request: Request,
    service: Notifications,
    caller: Caller,
    wanted: EventFilter,
    start: int,
    poll: float,
) -> AsyncIterator[str]:
    """Until the client goes, or its token is revoked (checked before each page, through the
    identity cache): then the stream ends, and reconnecting is refused."""
    position = start
    yield "retry: 2000\n\n"
    beat = time.monotonic()
    while not await request.is_disconnected() and await service.still_holds(caller):
        page = await service.feed_page(position, STREAM_PAGE, wanted)
        for sequence, event_type, payload in page.events:
            data = payload.replace("\n", "\ndata: ")
            yield f"id: {sequence}\nevent: {event_type}\ndata: {data}\n\n"
        if page.next > position and not page.events:
            # Skipped events the filter does not want: move Last-Event-ID past them.
            yield f"id: {page.next}\n\n"
        position = page.next
        if len(page.events) < STREAM_PAGE:
            if time.monotonic() - beat > HEARTBEAT_SECONDS:
                yield ": keep-alive\n\n"
                beat = time.monotonic()
            await asyncio.sleep(poll)


@router.get(
    "/snapshot",
    summary="Every organisation (dissolved ones included) and the sequence to follow the feed from",
    response_class=StreamingResponse,
    responses=json_answer(Snapshot, "The organisations, streamed as one JSON document"),
)
async def snapshot(
    caller: CallerDep,
    service: Service,
    provinces: ListParam = [],  # noqa: B006 (FastAPI copies defaults)
    kinds: ListParam = [],  # noqa: B006
    sectors: ListParam = [],  # noqa: B006
) -> StreamingResponse:
    wanted = _filter([], provinces, kinds, sectors)
    return StreamingResponse(service.snapshot(wanted), media_type="application/json")
