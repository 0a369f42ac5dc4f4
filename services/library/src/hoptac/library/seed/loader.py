"""Enters the starting set (`national.py`) on a library that holds no document yet."""

from __future__ import annotations

import contextlib
import logging

from hoptac.library.domain.errors import Duplicate
from hoptac.library.handlers import Library
from hoptac.library.seed.national import DOCUMENTS
from hoptac.platform.identity import Caller

log = logging.getLogger("hoptac.library.seed")

# The starting set is entered by the system, under the admin role, and audited as such.
SYSTEM = Caller(name="system (starting set)", role="admin")


async def load_starting_set(library: Library) -> int:
    """How many documents were entered (none when the library already holds some)."""
    if await library.count():
        return 0
    for metadata in DOCUMENTS:
        # Another instance starting at the same moment may have entered it already.
        with contextlib.suppress(Duplicate):
            await library.add(SYSTEM, {"area": "national", **metadata}, "starting set")
    log.info("entered the starting set: %d national documents", len(DOCUMENTS))
    return len(DOCUMENTS)
