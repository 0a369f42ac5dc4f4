"""Full garbage collections put off while a request builds many objects at once.

A large request (a registry batch of 1,000 rows, an import of 100,000) holds hundreds of
thousands of small objects until it ends: rows, records, changes, events, the values of each
statement. Python's cyclic collector walks every tracked object at each full collection, and it
starts one each time the objects that survived younger collections grow by a quarter. Measured,
those walks took a twentieth of a row's CPU in the registry's batch write (9 of 190 µs, in
process with `gc.callbacks`) and a fifth of collection's CPU in an import of 100,000 rows. The
request's objects are freed by reference counting when it ends, not by the collector, so full
collections are put off until then; younger ones still run, and so does the process's other
work. The thresholds are the process's: requests at the same time share one putting off, which
ends with the last of them.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

PUT_OFF = 1_000_000  # younger collections before a full one: not within a request
_holding = 0
_usual = gc.get_threshold()


@contextlib.contextmanager
def full_collections_put_off() -> Iterator[None]:
    global _holding, _usual
    if _holding == 0:
        _usual = gc.get_threshold()
        gc.set_threshold(_usual[0], _usual[1], PUT_OFF)
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        if _holding == 0:
            gc.set_threshold(*_usual)
