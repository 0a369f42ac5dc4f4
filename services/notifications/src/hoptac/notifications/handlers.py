"""The use cases of the notifications service, one method each; HTTP and CLI call these."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.notifications.adapters import deliveries, feed, subscriptions
from hoptac.notifications.adapters.event_store import watermark
from hoptac.notifications.adapters.identity import Caller, Identity, IdentityUnavailable
from hoptac.notifications.adapters.resolver import check_target
from hoptac.notifications.adapters.secret_box import SecretBox
from hoptac.notifications.adapters.subscriptions import Subscription
from hoptac.notifications.domain.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from hoptac.notifications.domain.filters import EventFilter, Problem
from hoptac.notifications.domain.signing import new_secret
from hoptac.notifications.domain.targets import TargetPolicy, TargetRefused

MAX_REPLAY = 100_000
# RFC 6750's b64token, bounded: anything else is no token of the registry's, and some of it
# (non-ASCII, NUL) could not even be forwarded to the registry in a header.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9\-._~+/]{1,512}=*")


@dataclass(frozen=True)
class NewSecret:
    subscription: Subscription
    secret: str


def clean_text(value: str | None) -> str | None:
    return unicodedata.normalize("NFC", value).strip() if value is not None else None


class Notifications:
    def __init__(
        self,
        engine: AsyncEngine,
        identity: Identity,
        targets: TargetPolicy,
        secret_overlap: timedelta,
        secrets: SecretBox,
    ) -> None:
        self.engine = engine
        self.identity = identity
        self.targets = targets
        self.secret_overlap = secret_overlap
        self.secrets = secrets

    async def authenticate(self, token: str | None) -> Caller:
        if not token:
            raise Unauthenticated(
                "send a token from the registry as: Authorization: Bearer <token>"
            )
        if not TOKEN_SHAPE.fullmatch(token):
            raise Unauthenticated(
                "this is not a token of the registry (a token is up to 512 letters, digits "
                "and -._~+/); send it as: Authorization: Bearer <token>"
            )
        try:
            caller = await self.identity.who(token)
        except IdentityUnavailable as error:
            raise Unavailable(f"{error}; try again shortly") from error
        if caller is None:
            raise Unauthenticated("this token is unknown or revoked; ask an admin for a new one")
        return caller

    async def _check_url(self, url: str) -> str:
        cleaned = clean_text(url) or ""
        try:
            await check_target(cleaned, self.targets)
        except TargetRefused as error:
            raise InvalidRequest(
                f"this webhook URL is refused: {error}", [Problem("url", str(error))]
            ) from error
        return cleaned

    async def create_subscription(
        self, caller: Caller, url: str, description: str | None, wanted: EventFilter
    ) -> NewSecret:
        checked = await self._check_url(url)
        secret = new_secret()
        async with self.engine.begin() as conn:
            made = await subscriptions.create(
                conn,
                caller.name,
                checked,
                clean_text(description),
                wanted,
                self.secrets.seal(secret),
            )
        return NewSecret(made, secret)

    async def subscriptions(self, caller: Caller) -> list[Subscription]:
        async with self.engine.connect() as conn:
            return await subscriptions.list_for(conn, caller.name)

    async def subscription(self, caller: Caller | None, subscription_id: UUID) -> Subscription:
        """`caller=None`: an operator (the CLI) may act on any subscription."""
        async with self.engine.connect() as conn:
            found = await subscriptions.get(conn, subscription_id, caller.name if caller else None)
        if found is None:
            raise NotFound(f"you have no subscription {subscription_id}")
        return found

    async def update_subscription(
        self,
        caller: Caller,
        subscription_id: UUID,
        url: str | None,
        description: str | None,
        wanted: EventFilter | None,
        enabled: bool | None,
    ) -> Subscription:
        await self.subscription(caller, subscription_id)
        checked = await self._check_url(url) if url is not None else None
        async with self.engine.begin() as conn:
            return await subscriptions.update(
                conn, subscription_id, checked, clean_text(description), wanted, enabled
            )

    async def delete_subscription(self, caller: Caller, subscription_id: UUID) -> None:
        await self.subscription(caller, subscription_id)
        async with self.engine.begin() as conn:
            await subscriptions.delete(conn, subscription_id)

    async def rotate_secret(self, caller: Caller, subscription_id: UUID) -> NewSecret:
        await self.subscription(caller, subscription_id)
        secret = new_secret()
        async with self.engine.begin() as conn:
            rotated = await subscriptions.rotate_secret(
                conn, subscription_id, self.secrets.seal(secret), self.secret_overlap
            )
        return NewSecret(rotated, secret)

    async def deliveries(
        self,
        caller: Caller | None,
        subscription_id: UUID,
        status: str | None,
        after: int,
        limit: int,
    ) -> list[dict[str, Any]]:
        await self.subscription(caller, subscription_id)
        async with self.engine.connect() as conn:
            return await deliveries.list_for(conn, subscription_id, status, after, limit)

    async def delivery(
        self, caller: Caller | None, subscription_id: UUID, delivery_id: int
    ) -> dict[str, Any]:
        await self.subscription(caller, subscription_id)
        async with self.engine.connect() as conn:
            found = await deliveries.get(conn, subscription_id, delivery_id)
        if found is None:
            raise NotFound(f"subscription {subscription_id} has no delivery {delivery_id}")
        return found

    async def replay_delivery(
        self, caller: Caller | None, subscription_id: UUID, delivery_id: int
    ) -> dict[str, Any]:
        await self._enabled(caller, subscription_id)
        await self.delivery(caller, subscription_id, delivery_id)
        async with self.engine.begin() as conn:
            if not await deliveries.replay_one(conn, subscription_id, delivery_id):
                raise Conflict(
                    f"delivery {delivery_id} is being sent right now; ask again when it is done"
                )
        return await self.delivery(caller, subscription_id, delivery_id)

    async def replay_range(
        self,
        caller: Caller | None,
        subscription_id: UUID,
        from_sequence: int | None,
        to_sequence: int | None,
        since: datetime | None,
        until: datetime | None,
    ) -> int:
        if from_sequence is None and to_sequence is None and since is None and until is None:
            raise InvalidRequest(
                "say what to replay: from_sequence/to_sequence, or since/until (times)",
                [Problem("from_sequence", "give a range of sequences or of times")],
            )
        if from_sequence is not None and to_sequence is not None and to_sequence < from_sequence:
            raise InvalidRequest(
                "to_sequence is before from_sequence",
                [Problem("to_sequence", "must be at least from_sequence")],
            )
        if since is not None and until is not None and until <= since:
            raise InvalidRequest(
                "until is not after since", [Problem("until", "must be later than since")]
            )
        if (
            from_sequence is not None
            and to_sequence is not None
            and to_sequence - from_sequence + 1 > MAX_REPLAY
        ):
            raise InvalidRequest(
                f"replay at most {MAX_REPLAY} sequences at a time",
                [Problem("to_sequence", f"at most from_sequence + {MAX_REPLAY - 1}")],
            )
        await self._enabled(caller, subscription_id)
        async with self.engine.begin() as conn:
            return await deliveries.replay_range(
                conn, subscription_id, from_sequence, to_sequence, since, until
            )

    async def _enabled(self, caller: Caller | None, subscription_id: UUID) -> None:
        found = await self.subscription(caller, subscription_id)
        if not found.enabled:
            raise Conflict(
                f"subscription {subscription_id} is disabled ({found.disabled_reason}); "
                'enable it first with PATCH {"enabled": true}'
            )

    async def feed_page(self, after: int, limit: int, wanted: EventFilter) -> feed.FeedPage:
        async with self.engine.connect() as conn:
            through = await watermark(conn)
            return await feed.page(conn, after, limit, wanted, through)

    def snapshot(self) -> AsyncIterator[str]:
        return feed.snapshot_chunks(self.engine)
