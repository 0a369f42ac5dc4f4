"""Who may do what with imports and proposals. Identities and roles are the registry's tokens
(admin, reviewer, area_officer, agency_reader); an area officer acts only in their area."""

from __future__ import annotations

from typing import Any

from hoptac.collection.domain.errors import NotAllowed
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text

REVIEWERS = frozenset({"admin", "reviewer"})


def require_importer(caller: Caller) -> None:
    if caller.role == "agency_reader":
        raise NotAllowed(Text("collection.reader_cannot_propose"))


def require_reviewer(caller: Caller) -> None:
    if caller.role not in REVIEWERS:
        raise NotAllowed(Text("collection.reviewer_needed"))


def covers(caller: Caller, proposal: Any) -> bool:
    """A token without an area (admin, reviewer, a province-wide officer) covers every
    proposal; an area officer's covers those in its provinces or communes."""
    if not (caller.provinces or caller.communes):
        return True
    return proposal.province_code in caller.provinces or (
        proposal.commune_code is not None and proposal.commune_code in caller.communes
    )
