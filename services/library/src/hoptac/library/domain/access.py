"""Who may change the library: the registry's reviewers and administrators."""

from __future__ import annotations

import hashlib

from hoptac.library.domain.errors import NotAllowed
from hoptac.platform.text import Text

EDITING_ROLES = frozenset({"admin", "reviewer"})


def require_editor(role: str) -> None:
    if role not in EDITING_ROLES:
        raise NotAllowed(Text("library.not_allowed", role=role))


def pseudonym(name: str) -> str:
    """The actor events carry: stable for one token holder, naming no one (the audit trail,
    read by staff only, keeps the name)."""
    return "staff:" + hashlib.sha256(name.encode()).hexdigest()[:16]
