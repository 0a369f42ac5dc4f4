"""Who may do what. Roles are fixed; an area officer is limited to its provinces or communes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from hoptac.platform.text import Text
from hoptac.registry.domain.errors import NotAllowed, TokenNeeded
from hoptac.registry.domain.record import Record


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    AREA_OFFICER = "area_officer"
    AGENCY_READER = "agency_reader"


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role | None  # None: anonymous
    provinces: frozenset[str] = field(default_factory=frozenset)
    communes: frozenset[str] = field(default_factory=frozenset)
    expires_at: datetime | None = None  # tokens expire; None for anonymous and the system
    # What events say of this writer: stable, and naming no one (a token's name can be a person's).
    actor_id: str = "anonymous"
    account: str | None = None  # the user name, when a person signed in (a session)

    @property
    def is_staff(self) -> bool:
        """Any token: it sees who changed what (names in the history)."""
        return self.role is not None

    @property
    def has_area(self) -> bool:
        return bool(self.provinces or self.communes)

    def sees_restricted_of(self, record: Record) -> bool:
        """Restricted fields (a representative's ID number and phone) are shown to admins, and to
        other tokens only for records in their area; a token issued without an area (a reviewer
        or an agency of the whole province) has the whole register as its area."""
        if self.role is None:
            return False
        if self.role == Role.ADMIN or not self.has_area:
            return True
        return self.covers(record)

    def covers(self, record: Record) -> bool:
        address = record.get("address") or {}
        if address.get("province_code") in self.provinces:
            return True
        return bool(address.get("commune_code")) and address.get("commune_code") in self.communes


ANONYMOUS = Principal(name="anonymous", role=None)


def require_token(principal: Principal) -> None:
    if principal.role is None:
        raise TokenNeeded(Text("registry.token_needed"))


def require_writer(principal: Principal) -> None:
    require_token(principal)
    if principal.role == Role.AGENCY_READER:
        raise NotAllowed(Text("registry.reader_cannot_write"))


def require_admin(principal: Principal, action: Text) -> None:
    require_token(principal)
    if principal.role != Role.ADMIN:
        raise NotAllowed(Text("registry.admin_needed", action=action))


def require_reviewer(principal: Principal, action: Text) -> None:
    require_writer(principal)
    if principal.role not in (Role.ADMIN, Role.REVIEWER):
        raise NotAllowed(Text("registry.reviewer_needed", action=action))


def require_area(principal: Principal, *records: Record) -> None:
    """An area officer may touch a record only if it lies, before and after, in its area."""
    require_writer(principal)
    if principal.role != Role.AREA_OFFICER:
        return
    for record in records:
        if not principal.covers(record):
            address = record.get("address") or {}
            raise NotAllowed(
                Text(
                    "registry.outside_area",
                    provinces=sorted(principal.provinces) or "–",
                    communes=sorted(principal.communes) or "–",
                    province=address.get("province_code") or "–",
                    commune=address.get("commune_code") or "–",
                )
            )
