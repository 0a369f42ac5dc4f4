"""The use cases of the notifications service, one method each; HTTP and CLI call these."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.contracts.vietnamese_text import nfc_clean
from hoptac.notifications.adapters import deliveries, feed, replay_log, staff, subscriptions
from hoptac.notifications.adapters.event_store import watermark
from hoptac.notifications.adapters.resolver import check_target
from hoptac.notifications.adapters.secret_box import SecretBox, seal_stored
from hoptac.notifications.adapters.staff import Recipient
from hoptac.notifications.adapters.subscriptions import Subscription
from hoptac.notifications.domain.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    LimitReached,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
)
from hoptac.notifications.domain.filters import EventFilter, Problem
from hoptac.notifications.domain.signing import new_secret
from hoptac.notifications.domain.targets import TargetPolicy, TargetRefused
from hoptac.platform.identity import TOKEN_SHAPE, Caller, Identity, IdentityUnavailable
from hoptac.platform.text import Text

ADMIN = "admin"
# RFC 6750's b64token, bounded: anything else is no token of the registry's, and some of it
# (non-ASCII, NUL) could not even be forwarded to the registry in a header.


@dataclass(frozen=True)
class NewSecret:
    subscription: Subscription
    secret: str


@dataclass(frozen=True)
class Limits:
    """Per agency (the token's name); operators at the CLI are not limited."""

    subscriptions: int = 500
    replays_per_hour: int = 120
    replay_events: int = 100_000


@dataclass(frozen=True)
class StaffRecipient:
    """Who receives staff e-mail, for which area (checked by the caller: the CLI)."""

    email: str
    name: str
    role: str  # reviewer or area_officer
    provinces: Sequence[str]
    communes: Sequence[str]
    digest: bool = True
    reminders: bool = True


@dataclass(frozen=True)
class Replayed:
    queued: int
    next_from_sequence: int | None  # the range held more: replay again from here


def _is_admin(caller: Caller | None) -> bool:
    return caller is not None and caller.role == ADMIN


def clean_text(value: str | None) -> str | None:
    return nfc_clean(value) if value is not None else None


class Notifications:
    def __init__(
        self,
        engine: AsyncEngine,
        identity: Identity,
        targets: TargetPolicy,
        secret_overlap: timedelta,
        secrets: SecretBox,
        limits: Limits | None = None,
    ) -> None:
        self.engine = engine
        self.limits = limits or Limits()
        self.identity = identity
        self.targets = targets
        self.secret_overlap = secret_overlap
        self.secrets = secrets

    async def authenticate(self, token: str | None) -> Caller:
        if not token:
            raise Unauthenticated(Text("notifications.token_needed"))
        if not TOKEN_SHAPE.fullmatch(token):
            raise Unauthenticated(Text("notifications.token_shape"))
        try:
            caller = await self.identity.who(token)
        except IdentityUnavailable as error:
            raise Unavailable(Text("notifications.registry_unavailable")) from error
        if caller is None:
            raise Unauthenticated(Text("notifications.token_unknown"))
        # Kept with the subscriptions it creates, so that they follow it (see OwnerCheck).
        return dataclasses.replace(caller, token=token)

    async def still_holds(self, caller: Caller) -> bool:
        """Whether the caller's token still works (a long stream asks now and then). If the
        registry cannot be asked, yes: it is asked again next time."""
        try:
            await self.authenticate(caller.token)
        except Unauthenticated:
            return False
        except Unavailable:
            return True
        return True

    async def _check_url(self, url: str) -> str:
        cleaned = clean_text(url) or ""
        try:
            await check_target(cleaned, self.targets)
        except TargetRefused as error:
            raise InvalidRequest([Problem("url", error.text)]) from error
        return cleaned

    async def create_subscription(
        self, caller: Caller, url: str, description: str | None, wanted: EventFilter
    ) -> NewSecret:
        checked = await self._check_url(url)
        secret = new_secret()
        async with self.engine.begin() as conn:
            await subscriptions.lock_owner(conn, caller.name)
            if await subscriptions.count_for(conn, caller.name) >= self.limits.subscriptions:
                raise LimitReached(
                    Text(
                        "notifications.subscription_limit",
                        owner=caller.name,
                        limit=self.limits.subscriptions,
                    )
                )
            made = await subscriptions.create(
                conn,
                caller.name,
                checked,
                clean_text(description),
                wanted,
                self.secrets.seal(secret),
                self.secrets.seal(caller.token),
            )
        return NewSecret(made, secret)

    async def subscriptions(self, caller: Caller, owner: str | None = None) -> list[Subscription]:
        """An agency's own; an admin's choice of `owner`, or every agency's."""
        async with self.engine.begin() as conn:
            await subscriptions.adopt_token(conn, caller.name, self.secrets.seal(caller.token))
            if not _is_admin(caller):
                owner = caller.name
            return await subscriptions.list_for(conn, owner)

    async def subscription(self, caller: Caller | None, subscription_id: UUID) -> Subscription:
        """An agency finds only its own; an admin, and an operator (`caller=None`, the CLI),
        find any."""
        owner = None if caller is None or _is_admin(caller) else caller.name
        async with self.engine.connect() as conn:
            found = await subscriptions.get(conn, subscription_id, owner)
        if found is None:
            raise NotFound(Text("notifications.no_subscription", id=subscription_id))
        return found

    async def _owned(
        self, caller: Caller | None, subscription_id: UUID, what: Text
    ) -> Subscription:
        """A subscription the caller may act on as its owner (an operator may too)."""
        found = await self.subscription(caller, subscription_id)
        if caller is not None:
            _must_own(caller, found, what)
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
        found = await self.subscription(caller, subscription_id)
        mine = found.owner == caller.name
        if url is not None or description is not None or wanted is not None:
            _must_own(caller, found, Text("part.notifications_change"))
        if enabled is not None:
            _may_switch(caller, found)
        checked = await self._check_url(url) if url is not None else None
        async with self.engine.begin() as conn:
            return await subscriptions.update(
                conn,
                subscription_id,
                checked,
                clean_text(description),
                wanted,
                enabled,
                disabled_by="owner" if mine else "admin",
                disabled_reason="paused by its owner" if mine else f"paused by {caller.name}",
            )

    async def delete_subscription(self, caller: Caller, subscription_id: UUID) -> None:
        await self.subscription(caller, subscription_id)
        async with self.engine.begin() as conn:
            await subscriptions.delete(conn, subscription_id)

    async def rotate_secret(self, caller: Caller, subscription_id: UUID) -> NewSecret:
        await self._owned(caller, subscription_id, Text("part.notifications_rotate"))
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
            raise NotFound(
                Text("notifications.no_delivery", id=subscription_id, delivery=delivery_id)
            )
        return found

    async def replay_delivery(
        self, caller: Caller | None, subscription_id: UUID, delivery_id: int
    ) -> dict[str, Any]:
        await self._enabled(caller, subscription_id)
        await self.delivery(caller, subscription_id, delivery_id)
        async with self.engine.begin() as conn:
            await self._count_replay(conn, caller)
            if not await deliveries.replay_one(conn, subscription_id, delivery_id):
                raise Conflict(Text("notifications.delivery_in_flight", delivery=delivery_id))
        return await self.delivery(caller, subscription_id, delivery_id)

    async def replay_range(
        self,
        caller: Caller | None,
        subscription_id: UUID,
        from_sequence: int | None,
        to_sequence: int | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Replayed:
        """At most `Limits.replay_events` deliveries per call, oldest first; a range that
        holds more (an open end, or a long one) answers where to go on from."""
        if from_sequence is None and to_sequence is None and since is None and until is None:
            raise InvalidRequest([Problem("from_sequence", Text("notifications.replay_what"))])
        if from_sequence is not None and to_sequence is not None and to_sequence < from_sequence:
            raise InvalidRequest([Problem("to_sequence", Text("notifications.to_before_from"))])
        if since is not None and until is not None and until <= since:
            raise InvalidRequest([Problem("until", Text("notifications.until_before_since"))])
        await self._enabled(caller, subscription_id)
        async with self.engine.begin() as conn:
            await self._count_replay(conn, caller)
            queued, beyond = await deliveries.replay_range(
                conn,
                subscription_id,
                from_sequence,
                to_sequence,
                since,
                until,
                self.limits.replay_events,
            )
        return Replayed(queued, beyond)

    async def _count_replay(self, conn: AsyncConnection, caller: Caller | None) -> None:
        """Within the replay's transaction: refused replays are not counted."""
        if caller is None:
            return
        await subscriptions.lock_owner(conn, caller.name)
        wait = await replay_log.wait_before_next(conn, caller.name, self.limits.replays_per_hour)
        if wait is not None:
            raise RateLimited(
                Text(
                    "notifications.replay_rate",
                    owner=caller.name,
                    limit=self.limits.replays_per_hour,
                    seconds=wait,
                ),
                wait,
            )

    async def _enabled(self, caller: Caller | None, subscription_id: UUID) -> None:
        found = await self._owned(caller, subscription_id, Text("part.notifications_replay"))
        if not found.enabled:
            raise Conflict(
                Text(
                    "notifications.subscription_disabled",
                    id=subscription_id,
                    reason=found.disabled_reason,
                )
            )

    async def feed_page(self, after: int, limit: int, wanted: EventFilter) -> feed.FeedPage:
        async with self.engine.connect() as conn:
            through = await watermark(conn)
            return await feed.page(conn, after, limit, wanted, through)

    def snapshot(self, wanted: EventFilter) -> AsyncIterator[str]:
        return feed.snapshot_chunks(self.engine, wanted)

    # What operators do at the CLI (`hoptac notifications …`), over every agency's data.

    async def all_subscriptions(self) -> list[Subscription]:
        async with self.engine.connect() as conn:
            return await subscriptions.list_for(conn, None)

    async def add_staff(self, recipient: StaffRecipient) -> None:
        """A recipient of the digest and reminders, or new details for one (same e-mail); a
        new one's first digest covers what is stored from now on."""
        async with self.engine.begin() as conn:
            await staff.upsert(
                conn,
                recipient.email.strip(),
                clean_text(recipient.name) or "",
                recipient.role,
                list(recipient.provinces),
                list(recipient.communes),
                recipient.digest,
                recipient.reminders,
            )

    async def staff_recipients(self) -> list[Recipient]:
        async with self.engine.connect() as conn:
            return await staff.all_recipients(conn)

    async def remove_staff(self, email: str) -> bool:
        """False when there was no such recipient."""
        async with self.engine.begin() as conn:
            return await staff.remove(conn, email)

    async def prune_delivered(self, older_than: timedelta) -> int:
        """Deliveries delivered longer ago than `older_than` removed, with their attempts;
        failed and waiting ones stay, and so do the events (a replay sends them again)."""
        return await deliveries.prune_delivered(self.engine, older_than)

    async def reseal_secrets(self) -> int:
        """Every stored signing secret and owner's token sealed again under the first key;
        returns how many subscriptions changed."""
        return await seal_stored(self.engine, self.secrets, every=True)


def _must_own(caller: Caller, found: Subscription, what: Text) -> None:
    if found.owner != caller.name:
        raise Forbidden(Text("notifications.owner_only", owner=found.owner, action=what))


def _may_switch(caller: Caller, found: Subscription) -> None:
    """Whether the caller may pause or resume `found`: a subscription an admin paused waits
    for an admin; one whose owner's token was revoked stays off."""
    if found.disabled_by == "revoked":
        raise Conflict(Text("notifications.revoked_cannot_resume", reason=found.disabled_reason))
    if found.disabled_by == "admin" and not _is_admin(caller):
        raise Conflict(Text("notifications.paused_by_admin", reason=found.disabled_reason))
