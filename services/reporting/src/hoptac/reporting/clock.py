"""The day every statistic describes by default: today in Vietnam (effective dates are
Vietnamese days); a function, so that tests can fix it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

Today = Callable[[], date]
