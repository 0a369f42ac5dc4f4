"""The public shape of an organisation record: what events carry and anonymous readers see.

Restricted fields (a representative's ID number and phone) are not part of this model, so they
cannot leak through an event or a public response by accident.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from hoptac.contracts.codes import Kind, OperatingInPractice, SectorGroup, Status

ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}$", examples=["96"])]
DistrictCode = Annotated[str, Field(pattern=r"^\d{3}$", examples=["964"])]
CommuneCode = Annotated[str, Field(pattern=r"^\d{5}$", examples=["32025"])]
VsicCode = Annotated[str, Field(pattern=r"^\d{2,5}$", examples=["0321"])]
# Bounds that fit reality and every consumer's storage: the largest Vietnamese cooperatives count
# members and workers in the tens of thousands, so a million is generous and fits a 32-bit column;
# a charter capital of 10^13 VND (10,000 billion) is beyond any, and its sum over 900,000
# organisations (eight times all of Vietnam's) still fits a signed 64-bit integer.
MAX_PEOPLE = 1_000_000
MAX_CHARTER_CAPITAL = 10**13
MAX_AMOUNT = 10**15  # a year's revenue or profit, VND
People = Annotated[int, Field(ge=0, le=MAX_PEOPLE)]
Capital = Annotated[int, Field(ge=0, le=MAX_CHARTER_CAPITAL)]
Amount = Annotated[int, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]


_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Z]+")


def registration_key(number: str) -> str:
    """What identifies a registration number however it is written: "06001-000.001" and
    "6001000001" are one number. Case, punctuation, spaces and leading zeros do not count;
    the registry holds at most one record (not removed) per key."""
    return _NOT_ALPHANUMERIC.sub("", number.upper()).lstrip("0")


class ContractModel(BaseModel):
    """Tolerant readers: a field added in a later, compatible release is ignored, not refused, so
    only a new `schema_version` can break a consumer."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class LegacyArea(ContractModel):
    """Administrative units before 1 July 2025 (63 provinces, with districts)."""

    province_code: ProvinceCode | None = None
    district_code: DistrictCode | None = None
    commune_code: CommuneCode | None = None


class Address(ContractModel):
    street: str | None = None
    commune_code: CommuneCode | None = Field(
        default=None, description="Current commune; null when only a legacy unit is certain."
    )
    province_code: ProvinceCode
    legacy: LegacyArea | None = None
    text: str | None = Field(default=None, description="The address as originally written.")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class Sector(ContractModel):
    group: SectorGroup
    vsic: list[VsicCode] = Field(default_factory=list, description="VSIC 2018 business lines.")


class FinancialYear(ContractModel):
    year: Annotated[int, Field(ge=1900, le=2100)]
    revenue: Amount | None = Field(default=None, description="VND")
    profit: Amount | None = Field(default=None, description="VND, negative for a loss")


class LegalRepresentative(ContractModel):
    name: str
    title: str | None = None


class Contact(ContractModel):
    phone: str | None = None
    email: str | None = None
    website: str | None = None


class OcopProduct(ContractModel):
    name: str
    stars: Annotated[int, Field(ge=3, le=5)]
    certified_on: date | None = None


class DigitalAdoption(ContractModel):
    computer: bool = False
    internet: bool = False
    website: bool = False
    social_media: bool = False
    ecommerce: bool = False
    digital_signature: bool = False
    accounting_software: bool = False
    e_invoice: bool = False
    iot: bool = False
    traceability: bool = False


class OrganizationRecord(ContractModel):
    """The public fields of one organisation, after a change."""

    id: UUID
    registration_number: str
    name: str
    name_foreign: str | None = None
    name_abbreviation: str | None = None
    kind: Kind
    status: Status
    status_since: date
    suspended_until: date | None = Field(
        default=None, description="End of a suspension (tạm ngừng); set only while suspended."
    )
    registered_on: date
    registering_authority: str | None = None
    address: Address
    sector: Sector
    members_count: People | None = None
    workers_count: People | None = None
    charter_capital: Capital | None = Field(default=None, description="VND")
    financials: list[FinancialYear] = Field(default_factory=list)
    legal_representative: LegalRepresentative | None = None
    contact: Contact | None = None
    ocop_products: list[OcopProduct] = Field(default_factory=list)
    digital: DigitalAdoption = Field(default_factory=DigitalAdoption)
    operating_in_practice: OperatingInPractice = OperatingInPractice.UNKNOWN
    last_verified_on: date | None = None
    merged_into: UUID | None = Field(
        default=None, description="The organisation that absorbed this one, after a merger."
    )
    version: Annotated[int, Field(ge=1)]
    updated_at: datetime
