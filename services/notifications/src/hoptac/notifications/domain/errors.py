"""What can go wrong, in words the caller can act on; the HTTP layer maps each to a status."""

from __future__ import annotations

from collections.abc import Sequence

from hoptac.notifications.domain.filters import Problem
from hoptac.platform.text import Text, fix_these_fields


class NotificationsError(Exception):
    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(NotificationsError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(fix_these_fields(problems))
        self.problems = list(problems)


class NotFound(NotificationsError):
    pass


class Conflict(NotificationsError):
    pass


class Unauthenticated(NotificationsError):
    pass


class Unavailable(NotificationsError):
    pass


class Forbidden(NotificationsError):
    """The caller may see the subscription, not do this to it (an admin, on another's)."""


class LimitReached(NotificationsError):
    """A per-agency cap (not a rate: waiting does not help)."""


class RateLimited(NotificationsError):
    def __init__(self, message: Text, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
