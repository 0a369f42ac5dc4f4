"""The day statistics describe by default and the latest an as-of may name: today in Vietnam;
a function, so that tests can fix it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

Today = Callable[[], date]
