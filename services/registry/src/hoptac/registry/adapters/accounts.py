"""People's accounts and their sessions, in the caller's transaction.

A session is a credential like a token (random, shown once, stored as its SHA-256 hash) that
names an account; the registry accepts it on every route exactly as a token of the account's
role and area. Disabling an account, signing out or changing a password ends sessions at once
in every registry, by the same notice that revokes tokens (`tokens.REVOKED_CHANNEL`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.platform.text import Text
from hoptac.registry.adapters.passwords import (
    decoy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from hoptac.registry.adapters.repository import WriteContext, audit
from hoptac.registry.adapters.tables import accounts, sessions, sign_in_failures
from hoptac.registry.adapters.tokens import REVOKED_CHANNEL, hash_token
from hoptac.registry.domain.access import Principal, Role
from hoptac.registry.domain.accounts import (
    display_name_problems,
    password_problems,
    username_problems,
)
from hoptac.registry.domain.errors import FieldProblem, InvalidFields
from hoptac.registry.domain.throttle import NO_WAIT, ThrottlePolicy

SESSION_PREFIX = "hoptac_session_"


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: Role
    provinces: list[str]
    communes: list[str]
    disabled: bool

    def public(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "provinces": self.provinces,
            "communes": self.communes,
            "disabled": self.disabled,
        }


def _account(row: Any) -> Account:
    return Account(
        row.username,
        row.display_name,
        Role(row.role),
        list(row.provinces),
        list(row.communes),
        row.disabled_at is not None,
    )


async def create_account(
    conn: AsyncConnection,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    provinces: list[str],
    communes: list[str],
    context: WriteContext,
) -> Account:
    problems = [
        *username_problems(username),
        *display_name_problems(display_name),
        *password_problems(password, username),
    ]
    if role == Role.AREA_OFFICER and not (provinces or communes):
        problems.append(FieldProblem("provinces", Text("registry.area_officer_needs_area")))
    if not problems and await conn.scalar(
        select(accounts.c.id).where(accounts.c.username == username)
    ):
        problems.append(
            FieldProblem("username", Text("registry.username_taken", username=username))
        )
    if problems:
        raise InvalidFields(problems)
    await conn.execute(
        insert(accounts).values(
            id=uuid4(),
            username=username,
            display_name=display_name.strip(),
            password_hash=await hash_password(password),
            role=role.value,
            provinces=provinces,
            communes=communes,
            created_by=context.actor,
        )
    )
    details = {"role": role.value, "provinces": provinces, "communes": communes}
    await audit(conn, context, "account.create", username, details)
    return Account(username, display_name.strip(), role, provinces, communes, disabled=False)


async def list_accounts(conn: AsyncConnection) -> list[Account]:
    rows = await conn.execute(select(accounts).order_by(accounts.c.username))
    return [_account(row) for row in rows]


async def count_accounts(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.count()).select_from(accounts)) or 0)


async def _end_sessions(conn: AsyncConnection, *conditions: Any) -> int:
    result = await conn.execute(
        update(sessions)
        .where(sessions.c.ended_at.is_(None), *conditions)
        .values(ended_at=func.now())
    )
    if result.rowcount:
        await conn.execute(text(f"NOTIFY {REVOKED_CHANNEL}"))
    return int(result.rowcount)


async def disable_account(conn: AsyncConnection, username: str, context: WriteContext) -> bool:
    """Disable an account and end its sessions now; False when no enabled account has the name."""
    account_id = await conn.scalar(
        update(accounts)
        .where(accounts.c.username == username, accounts.c.disabled_at.is_(None))
        .values(disabled_at=func.now())
        .returning(accounts.c.id)
    )
    if account_id is None:
        return False
    ended = await _end_sessions(conn, sessions.c.account_id == account_id)
    await audit(conn, context, "account.disable", username, {"sessions_ended": ended})
    return True


async def change_password(
    conn: AsyncConnection,
    username: str,
    current: str,
    new: str,
    keep_session: str | None,
    throttle: ThrottlePolicy,
    context: WriteContext,
) -> SignIn | None:
    """Check the current password, store the new one and end every other session; None once
    done.

    A wrong current password counts as a failed sign-in of the account (someone holding a
    session may not guess the password behind it faster than by signing in); like a sign-in,
    the refusal is returned, not raised, so that the failure it counts is committed."""
    gate = await _gate(conn, {f"account:{username}": throttle})
    if gate.wait() > NO_WAIT:
        return SignIn(refused_unheard=True, retry_after=gate.wait())
    row = (
        await conn.execute(
            select(accounts.c.id, accounts.c.password_hash)
            .where(accounts.c.username == username, accounts.c.disabled_at.is_(None))
            .with_for_update()
        )
    ).first()
    if row is None or not await verify_password(row.password_hash, current):
        return SignIn(retry_after=await _count_failure(conn, gate))
    problems = password_problems(new, username, "new_password")
    if not problems and new == current:
        problems = [FieldProblem("new_password", Text("registry.password_unchanged"))]
    if problems:
        raise InvalidFields(problems)
    await conn.execute(
        update(accounts)
        .where(accounts.c.id == row.id)
        .values(password_hash=await hash_password(new), password_changed_at=func.now())
    )
    others = [sessions.c.account_id == row.id]
    if keep_session is not None:
        others.append(sessions.c.token_hash != hash_token(keep_session))
    ended = await _end_sessions(conn, *others)
    await audit(conn, context, "account.password", username, {"other_sessions_ended": ended})
    return None


async def end_session(conn: AsyncConnection, credential: str, context: WriteContext) -> bool:
    ended = await _end_sessions(conn, sessions.c.token_hash == hash_token(credential))
    if ended:
        await audit(conn, context, "session.end", context.actor, {})
    return bool(ended)


async def session_principal(conn: AsyncConnection, credential: str) -> Principal | None:
    row = (
        await conn.execute(
            select(
                accounts.c.id,
                accounts.c.username,
                accounts.c.role,
                accounts.c.provinces,
                accounts.c.communes,
                sessions.c.expires_at,
            )
            .join(accounts, accounts.c.id == sessions.c.account_id)
            .where(
                sessions.c.token_hash == hash_token(credential),
                sessions.c.ended_at.is_(None),
                sessions.c.expires_at > func.now(),
                accounts.c.disabled_at.is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    return Principal(
        row.username,
        Role(row.role),
        frozenset(row.provinces),
        frozenset(row.communes),
        expires_at=row.expires_at,
        actor_id=account_actor_id(row.id),
        account=row.username,
    )


def account_actor_id(account_id: UUID) -> str:
    """What events say of a person's writes: a pseudonym, as for tokens (see tokens.actor_id)."""
    return f"account:{account_id.hex[:16]}"


@dataclass(frozen=True)
class Throttles:
    account: ThrottlePolicy
    address: ThrottlePolicy


@dataclass(frozen=True)
class _Gate:
    """The failures counted against the keys of one attempt, read under their locks."""

    keys: dict[str, ThrottlePolicy]
    failures: dict[str, tuple[int, datetime]]
    now: datetime

    def wait(self) -> timedelta:
        waits = (self.keys[k].wait(n, last, self.now) for k, (n, last) in self.failures.items())
        return max(waits, default=NO_WAIT)


async def _gate(conn: AsyncConnection, keys: dict[str, ThrottlePolicy]) -> _Gate:
    """Serialise attempts on the same keys (an account, an address) and read their failures."""
    for key in sorted(keys):  # one order everywhere, so two attempts cannot deadlock
        await conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    now = await conn.scalar(select(func.now()))
    assert isinstance(now, datetime)
    forget_after = max(policy.forget_after for policy in keys.values())
    await conn.execute(
        delete(sign_in_failures).where(sign_in_failures.c.last_failed_at < now - forget_after)
    )
    rows = await conn.execute(select(sign_in_failures).where(sign_in_failures.c.key.in_(keys)))
    return _Gate(keys, {row.key: (row.failures, row.last_failed_at) for row in rows}, now)


async def _count_failure(conn: AsyncConnection, gate: _Gate) -> timedelta:
    """One more failure on each key; how long the next attempt must wait."""
    holds = []
    for key, policy in gate.keys.items():
        count, last = gate.failures.get(key, (0, None))
        counted = policy.counted(count, last, gate.now) + 1
        await conn.execute(
            upsert(sign_in_failures)
            .values(key=key, failures=counted, last_failed_at=gate.now)
            .on_conflict_do_update(
                index_elements=[sign_in_failures.c.key],
                set_={"failures": counted, "last_failed_at": gate.now},
            )
        )
        holds.append(policy.hold(counted))
    return max(holds)


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt: a session, or a refusal and how long the next must wait."""

    session: str | None = None
    expires_at: datetime | None = None
    account: Account | None = None
    refused_unheard: bool = False  # the attempt came too early: the password was not checked
    retry_after: timedelta = NO_WAIT


async def sign_in(
    conn: AsyncConnection,
    username: str,
    password: str,
    address: str,
    throttles: Throttles,
    lifetime: timedelta,
    context: WriteContext,
) -> SignIn:
    """One sign-in attempt, serialised with any other for the same account or address.

    Returns rather than raises on a refusal, so the failure it counts is committed."""
    gate = await _gate(
        conn, {f"account:{username}": throttles.account, f"address:{address}": throttles.address}
    )
    if gate.wait() > NO_WAIT:
        return SignIn(refused_unheard=True, retry_after=gate.wait())

    row = (await conn.execute(select(accounts).where(accounts.c.username == username))).first()
    verified = await verify_password(row.password_hash if row else decoy_hash(), password)
    if row is None or not verified or row.disabled_at is not None:
        return SignIn(retry_after=await _count_failure(conn, gate))

    forgiven = sign_in_failures.c.key == f"account:{username}"
    await conn.execute(delete(sign_in_failures).where(forgiven))
    if needs_rehash(row.password_hash):
        await conn.execute(
            update(accounts)
            .where(accounts.c.id == row.id)
            .values(password_hash=await hash_password(password))
        )
    credential = SESSION_PREFIX + secrets.token_urlsafe(32)
    expires_at = gate.now + lifetime
    await conn.execute(
        insert(sessions).values(
            id=uuid4(),
            token_hash=hash_token(credential),
            account_id=row.id,
            address=address,
            expires_at=expires_at,
        )
    )
    await audit(conn, context, "session.start", username, {"address": address})
    return SignIn(session=credential, expires_at=expires_at, account=_account(row))
