"""Telling a dependency that is down (a database or a socket that does not answer, for now)
from a request or a message that is wrong (for good)."""

from __future__ import annotations

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

# PostgreSQL down, a pool exhausted, a refused or broken socket: trying again later may succeed.
UNAVAILABLE = (OSError, OperationalError, InterfaceError, SQLAlchemyTimeoutError)


def is_outage(error: BaseException) -> bool:
    """True when `error`, or what caused it, says a dependency is unavailable."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, UNAVAILABLE):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
