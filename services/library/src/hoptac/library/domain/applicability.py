"""Which documents apply to an organisation: by its kind, its sector and its province.

A document that names no kind or no sector applies to every kind or sector; a national one to
every province, a provincial one to its own. Only what governs now counts: in force, or in force
with amendments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GOVERNING = frozenset({"in_force", "partly_amended"})


def applies_to(
    document: Mapping[str, Any], kind: str, sector: str | None, province: str | None
) -> bool:
    kinds, sectors = document.get("kinds") or [], document.get("sectors") or []
    return (
        document["status"] in GOVERNING
        and (not kinds or kind in kinds)
        and (not sectors or sector is None or sector in sectors)
        and document["area"] in ("national", province)
    )
