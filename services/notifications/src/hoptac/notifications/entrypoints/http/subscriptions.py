"""Subscriptions, their secrets, their delivery log and replays. An agency sees only its own;
an admin sees every one and may pause, resume or delete it."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from hoptac.notifications.entrypoints.http.auth import CallerDep, Service
from hoptac.notifications.entrypoints.http.schemas import (
    MAX_BIGINT,
    Label,
    NewSubscription,
    Replay,
    SubscriptionChange,
)

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])

DeliveryStatus = Literal["pending", "delivering", "delivered", "failed"]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]


@router.post("", status_code=201, summary="Subscribe a webhook URL; the secret is shown once")
async def create(body: NewSubscription, caller: CallerDep, service: Service) -> dict[str, Any]:
    made = await service.create_subscription(caller, body.url, body.description, body.to_filter())
    return {**made.subscription.public(), "secret": made.secret}


@router.get("", summary="Your subscriptions (an admin's: every agency's, or one owner's)")
async def list_mine(
    caller: CallerDep,
    service: Service,
    owner: Annotated[
        Label | None, Query(max_length=200, description="admins: only this agency's")
    ] = None,
) -> dict[str, Any]:
    return {"items": [s.public() for s in await service.subscriptions(caller, owner)]}


@router.get("/{subscription_id}", summary="One of your subscriptions")
async def get_one(subscription_id: UUID, caller: CallerDep, service: Service) -> dict[str, Any]:
    return (await service.subscription(caller, subscription_id)).public()


@router.patch("/{subscription_id}", summary="Change the URL or filters; pause or resume")
async def change(
    subscription_id: UUID, body: SubscriptionChange, caller: CallerDep, service: Service
) -> dict[str, Any]:
    current = await service.subscription(caller, subscription_id)
    changed = await service.update_subscription(
        caller,
        subscription_id,
        body.url,
        body.description,
        body.to_filter(current.filter),
        body.enabled,
    )
    return changed.public()


@router.delete("/{subscription_id}", status_code=204, summary="Unsubscribe (deliveries go too)")
async def delete(subscription_id: UUID, caller: CallerDep, service: Service) -> Response:
    await service.delete_subscription(caller, subscription_id)
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/secret",
    summary="Rotate the signing secret; the old one keeps signing during the overlap",
)
async def rotate(subscription_id: UUID, caller: CallerDep, service: Service) -> dict[str, Any]:
    rotated = await service.rotate_secret(caller, subscription_id)
    return {**rotated.subscription.public(), "secret": rotated.secret}


@router.get("/{subscription_id}/deliveries", summary="The delivery log, oldest first")
async def deliveries(
    subscription_id: UUID,
    caller: CallerDep,
    service: Service,
    status: Annotated[DeliveryStatus | None, Query()] = None,
    after: Annotated[
        int, Query(ge=0, le=MAX_BIGINT, description="The last delivery id you have")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    items = await service.deliveries(caller, subscription_id, status, after, limit)
    return {"items": items, "next": items[-1]["id"] if items else after}


@router.get("/{subscription_id}/deliveries/{delivery_id}", summary="One delivery, every attempt")
async def delivery(
    subscription_id: UUID, delivery_id: DeliveryId, caller: CallerDep, service: Service
) -> dict[str, Any]:
    return await service.delivery(caller, subscription_id, delivery_id)


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/replay",
    status_code=202,
    summary="Send one delivery again (same webhook-id)",
)
async def replay_one(
    subscription_id: UUID, delivery_id: DeliveryId, caller: CallerDep, service: Service
) -> dict[str, Any]:
    return await service.replay_delivery(caller, subscription_id, delivery_id)


@router.post(
    "/{subscription_id}/replay",
    status_code=202,
    summary="Send again every matching event in a range of sequences or times",
)
async def replay_range(
    subscription_id: UUID, body: Replay, caller: CallerDep, service: Service
) -> dict[str, Any]:
    replayed = await service.replay_range(
        caller, subscription_id, body.from_sequence, body.to_sequence, body.since, body.until
    )
    return {
        "queued": replayed.queued,
        "complete": replayed.next_from_sequence is None,
        "next_from_sequence": replayed.next_from_sequence,
    }
