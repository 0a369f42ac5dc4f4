"""What a service process holds from its start to its end, kept out of the cyclic garbage
collector's way.

A service loads large reference data once (3,321 communes and their pre-2025 forms, VSIC codes,
the compiled models of every request and event) and keeps it. Python's collector walks every
tracked object at each full collection, and a request that makes many objects (a batch of 500
rows) triggers several: measured in the registry's batch write, those walks over the
reference data took more CPU than all the rows' checks. `gc.freeze()` moves what exists at
that moment to a permanent generation the collector no longer walks; it is still freed by
reference counting, so nothing leaks that would not have leaked anyway (only cycles made before
the freeze and dropped later stay).
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Call once the process is ready to serve (in the app's lifespan, after its start)."""
    gc.collect()
    gc.freeze()
