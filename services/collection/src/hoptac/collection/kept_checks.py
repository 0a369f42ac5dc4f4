"""The last dry run's whole check, kept in this process for the import that usually follows it.

A person dry-runs a file, reads the report, then imports the same file. The import's check
would read, match and check every row again and find what the dry run found, as long as
nothing it depends on has moved: the file (its checksum), who sends it (name, role and area),
the report's language, the day (a rating's validity and the dates checked against today), and
the register (the registry's head of changes, read before the dry run and again before the
import). When all are the same, the import takes the dry run's check and only stores its
proposals: at 100,000 rows that is most of the import's time.

One check is kept, the last one made, and taken once; it is forgotten `max_age` after it was
made. It stays in this process's memory, not in the database: an import that reaches another
process, or comes after a restart, checks the file again as it would without this (and still
reuses the registry's answers to the dry run, kept in the database). What an import stores is
checked again when it is approved, by the registry itself; a register that moved without its
head saying so (a write open while the head was read) leaves at most a proposal flagged stale
or refused at approval, as an import made just before that write would.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from hoptac.platform.identity import Caller

Check = TypeVar("Check")


@dataclass(frozen=True)
class CheckKey:
    """What a check depends on besides the register."""

    checksum: str
    caller: Caller  # name, role and area; its token is not compared
    language: str
    day: date


@dataclass(frozen=True)
class _Kept(Generic[Check]):
    key: CheckKey
    register_head: int
    made_at: datetime
    check: Check


class KeptChecks(Generic[Check]):
    def __init__(self, max_age: timedelta) -> None:
        self.max_age = max_age
        self._kept: _Kept[Check] | None = None
        # Drops the kept check at its age; it holds no reference to it (the check is a few
        # hundred megabytes, and a timer lives on after the check is taken).
        self._timer: asyncio.TimerHandle | None = None

    def keep(self, key: CheckKey, register_head: int, made_at: datetime, check: Check) -> None:
        """Keep `check`, made by a dry run that read `register_head` before it began, instead
        of the one kept before."""
        if self.max_age <= timedelta(0):
            return
        self._forget()
        self._kept = _Kept(key, register_head, made_at, check)
        with contextlib.suppress(RuntimeError):  # no running loop: forgotten when next asked
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.max_age.total_seconds(), self._forget)

    def holds(self, key: CheckKey, now: datetime) -> bool:
        """Whether a check for `key` is kept and young enough (its register still to be
        compared): the caller then reads the register's head."""
        kept = self._kept
        if kept is not None and now - kept.made_at > self.max_age:
            self._forget()
            kept = None
        return kept is not None and kept.key == key

    def take(self, key: CheckKey, register_head: int | None, now: datetime) -> Check | None:
        """The check kept for `key`, if the register's head is still the one it was made at;
        whether taken or not, it is forgotten (an import after this one checks again)."""
        if not self.holds(key, now):
            return None
        kept = self._kept
        assert kept is not None
        self._forget()
        return kept.check if kept.register_head == register_head else None

    def _forget(self) -> None:
        self._kept = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
