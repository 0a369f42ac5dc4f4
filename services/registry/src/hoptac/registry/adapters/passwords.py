"""Password hashes: argon2id from argon2-cffi, computed off the event loop (each takes tens of
milliseconds and 64 MiB by design)."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, t=3, m=64 MiB, p=4).
HASHER = PasswordHasher()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(HASHER.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return HASHER.check_needs_rehash(password_hash)


@cache
def decoy_hash() -> str:
    """Verified against when the user name is unknown, so that an unknown name takes as long to
    refuse as a wrong password and the timing does not tell which names exist."""
    return HASHER.hash("no account has this password")
