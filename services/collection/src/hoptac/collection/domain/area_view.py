"""Which part of a province a caller may see: a token without an area, or with the province
in its area, sees all of it; an officer of some communes sees those communes only."""

from __future__ import annotations

from hoptac.collection.domain.errors import NotAllowed
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text


def visible_communes(caller: Caller, province: str) -> list[str] | None:
    """None: the whole province; else the communes of the caller's area."""
    if not (caller.provinces or caller.communes) or province in caller.provinces:
        return None
    if caller.communes:
        return sorted(caller.communes)
    raise NotAllowed(Text("collection.province_outside_area", province=province))


def sees(caller: Caller, province: str | None, commune: str | None) -> bool:
    """Whether the caller's area shows a record of this province and commune."""
    if not (caller.provinces or caller.communes):
        return True
    return province in caller.provinces or commune in caller.communes
