"""Signing secrets sealed at rest.

HMAC needs the secret itself, so it cannot be hashed like a password; it is encrypted instead
(Fernet: AES-128-CBC with HMAC-SHA256, from `cryptography`) under keys kept outside the
database: a dump or a backup alone does not let anyone forge an agency's webhooks.

`HOPTAC_NOTIFICATIONS_SECRET_KEYS` holds the keys, comma-separated: the first seals, every one
opens, so a key is replaced by putting the new one first, running `hoptac notifications reseal`,
then dropping the old one. Without it, the embedded default keeps one key in
`<var>/notifications-secret-key`, made on first use.

A stored secret that does not start with `sealed:` was stored before sealing began: it still
works, and the worker seals it when it starts.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

SEALED = "sealed:"


class SecretKeyProblem(Exception):
    """The keys are missing, malformed, or none of them opens a stored secret."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def local_key(path: Path) -> str:
    """The key in `path`, made (readable by its owner only) if there is none yet. Two processes
    starting together agree: the file appears whole or not at all (a hard link of a written
    temporary file), and the one that loses the race reads the winner's."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(new_key() + "\n")
        temporary.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
        temporary.unlink()
    return path.read_text().strip()


def parse_keys(value: str) -> list[str]:
    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        raise SecretKeyProblem("HOPTAC_NOTIFICATIONS_SECRET_KEYS is set but holds no key")
    return keys


class SecretBox:
    """Seals and opens signing secrets; the keys are read on first use."""

    def __init__(self, keys: Callable[[], list[str]]) -> None:
        self._keys = keys
        self._fernet: MultiFernet | None = None
        self._opened: dict[str, str] = {}

    def _box(self) -> MultiFernet:
        if self._fernet is None:
            fernets = []
            for number, key in enumerate(self._keys(), start=1):
                try:
                    fernets.append(Fernet(key))
                except ValueError as error:
                    raise SecretKeyProblem(
                        f"secret key {number} is not a Fernet key (32 bytes in url-safe "
                        "base64); make one with `hoptac notifications new-secret-key`"
                    ) from error
            self._fernet = MultiFernet(fernets)
        return self._fernet

    def seal(self, secret: str) -> str:
        return SEALED + self._box().encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(SEALED):
            return stored
        opened = self._opened.get(stored)
        if opened is None:
            try:
                opened = self._box().decrypt(stored.removeprefix(SEALED).encode()).decode()
            except InvalidToken as error:
                raise SecretKeyProblem(
                    "none of the secret keys opens a stored signing secret: was a key "
                    "dropped before `hoptac notifications reseal` ran?"
                ) from error
            if len(self._opened) > 10_000:
                self._opened.clear()
            self._opened[stored] = opened
        return opened

    def reseal(self, stored: str) -> str:
        """Sealed under the first key (plain secrets too)."""
        return self.seal(self.open(stored))


SEALED_COLUMNS = ("secret", "previous_secret", "owner_token")


async def seal_stored(engine: AsyncEngine, box: SecretBox, *, every: bool = False) -> int:
    """Seal the plain secrets still stored (with `every`, reseal all of them, and the owners'
    tokens, under the first key); returns how many subscriptions changed. Each row is updated
    only if it still holds what was read, so a rotation meanwhile is never undone."""
    changed = 0
    columns = ", ".join(SEALED_COLUMNS)
    async with engine.begin() as conn:
        rows = (await conn.execute(text(f"SELECT id, {columns} FROM subscriptions"))).all()
        for row in rows:
            held = dict(zip(SEALED_COLUMNS, row[1:], strict=True))
            fresh = {
                name: box.reseal(value)
                if value is not None and (every or not value.startswith(SEALED))
                else value
                for name, value in held.items()
            }
            if fresh == held:
                continue
            result = await conn.execute(
                text(
                    "UPDATE subscriptions SET secret = :secret, previous_secret = :previous_secret,"
                    " owner_token = :owner_token WHERE id = :id AND secret = :old_secret "
                    "AND previous_secret IS NOT DISTINCT FROM :old_previous_secret "
                    "AND owner_token IS NOT DISTINCT FROM :old_owner_token"
                ),
                {"id": row.id, **fresh, **{f"old_{k}": v for k, v in held.items()}},
            )
            changed += result.rowcount
    return changed
