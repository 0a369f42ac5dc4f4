"""Bearer tokens: random, shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.platform.text import Text
from hoptac.registry.adapters.repository import WriteContext, audit
from hoptac.registry.adapters.tables import api_tokens
from hoptac.registry.domain.access import Principal, Role

TOKEN_PREFIX = "hoptac_"


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a plain hash (no salt, no slow KDF) cannot be guessed back.
    return hashlib.sha256(token.encode()).hexdigest()


# Another registry process (the CLI, a second replica) tells every registry that a token was
# revoked on this channel, so that none keeps trusting it from its cache.
REVOKED_CHANNEL = "hoptac_tokens_revoked"
DEFAULT_LIFETIME = timedelta(days=365)


class TokenRefused(ValueError):
    """A token that cannot be made as asked; its message is a catalogue text (English in str)."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


async def create_token(
    conn: AsyncConnection,
    name: str,
    role: Role,
    provinces: list[str],
    communes: list[str],
    context: WriteContext,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> str:
    if role == Role.AREA_OFFICER and not (provinces or communes):
        raise TokenRefused(Text("registry.area_officer_needs_area"))
    if await conn.scalar(select(api_tokens.c.id).where(api_tokens.c.name == name)):
        raise TokenRefused(Text("registry.token_name_taken", name=name))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    await conn.execute(
        insert(api_tokens).values(
            id=uuid4(),
            name=name,
            token_hash=hash_token(token),
            role=role.value,
            provinces=provinces,
            communes=communes,
            created_by=context.actor,
            expires_at=func.now() + lifetime,
        )
    )
    details = {
        "role": role.value,
        "provinces": provinces,
        "communes": communes,
        "lifetime_days": lifetime.days,
    }
    await audit(conn, context, "token.create", name, details)
    return token


async def revoke_token(conn: AsyncConnection, name: str, context: WriteContext) -> bool:
    result = await conn.execute(
        update(api_tokens)
        .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    if result.rowcount:
        await audit(conn, context, "token.revoke", name, {})
        await conn.execute(text(f"NOTIFY {REVOKED_CHANNEL}"))
    return bool(result.rowcount)


async def list_tokens(conn: AsyncConnection) -> list[Any]:
    """Every token not revoked, soonest to expire first (never the token itself)."""
    rows = await conn.execute(
        select(
            api_tokens.c.name,
            api_tokens.c.role,
            api_tokens.c.provinces,
            api_tokens.c.communes,
            api_tokens.c.created_at,
            api_tokens.c.expires_at,
        )
        .where(api_tokens.c.revoked_at.is_(None))
        .order_by(api_tokens.c.expires_at)
    )
    return list(rows)


async def principal_for(conn: AsyncConnection, token: str) -> Principal | None:
    row = (
        await conn.execute(
            select(
                api_tokens.c.id,
                api_tokens.c.name,
                api_tokens.c.role,
                api_tokens.c.provinces,
                api_tokens.c.communes,
                api_tokens.c.expires_at,
            ).where(
                api_tokens.c.token_hash == hash_token(token),
                api_tokens.c.revoked_at.is_(None),
                api_tokens.c.expires_at > func.now(),
            )
        )
    ).first()
    if row is None:
        return None
    return Principal(
        row.name,
        Role(row.role),
        frozenset(row.provinces),
        frozenset(row.communes),
        expires_at=row.expires_at,
        actor_id=actor_id(row.id),
    )


def actor_id(token_id: UUID) -> str:
    """The pseudonym of a token's writes in events: its row id, which names no one and never
    changes; an admin maps it back with the api_tokens table."""
    return f"token:{token_id.hex[:16]}"


class RecentPrincipals:
    """Known tokens for a moment, so a burst of requests costs one lookup, not one each.

    Only valid tokens are kept. A revocation empties the cache of every registry that hears of
    it (`REVOKED_CHANNEL`); one that does not (its listening connection lost) trusts a revoked
    token for `ttl_seconds` at most, and an expired one likewise.
    """

    def __init__(
        self,
        ttl_seconds: float,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.capacity = capacity
        self.clock = clock
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(hash_token(token))
        if entry is None or entry[0] < self.clock():
            return None
        return entry[1]

    def forget_all(self) -> None:
        """A token was revoked somewhere: trust none from memory."""
        self._entries.clear()

    def remember(self, token: str, principal: Principal) -> None:
        if len(self._entries) >= self.capacity:
            self._entries.clear()
        self._entries[hash_token(token)] = (self.clock() + self.ttl_seconds, principal)


async def rotate_token(
    conn: AsyncConnection, name: str, context: WriteContext, lifetime: timedelta = DEFAULT_LIFETIME
) -> str | None:
    """A new secret for a token in use, same name, role and area; the old one stops at once.
    None when no token in use has the name."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    result = await conn.execute(
        update(api_tokens)
        .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
        .values(token_hash=hash_token(token), expires_at=func.now() + lifetime)
    )
    if not result.rowcount:
        return None
    await audit(conn, context, "token.rotate", name, {"lifetime_days": lifetime.days})
    await conn.execute(text(f"NOTIFY {REVOKED_CHANNEL}"))
    return token
