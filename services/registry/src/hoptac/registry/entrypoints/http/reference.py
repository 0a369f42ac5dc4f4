"""GET /v1/reference/…: the administrative units the register checks codes against (current,
and before 1 July 2025 with what each became) and the VSIC 2018 business lines, so that forms,
imports and other services use the same lists as the registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from hoptac.contracts.codes import FINAL_STATUSES
from hoptac.contracts.organization import ProvinceCode
from hoptac.platform.text import Text, shown
from hoptac.registry.domain.areas import AdministrativeUnits
from hoptac.registry.domain.errors import NotFound
from hoptac.registry.domain.legal_basis import (
    REQUIRED_FIELDS,
    STATUS_BASIS,
    Citation,
    field_rule,
    status_rule,
)
from hoptac.registry.domain.status import ALLOWED, transition_basis, transition_rule
from hoptac.registry.handlers import Registry

router = APIRouter(prefix="/v1/reference", tags=["reference data"])


class Unit(BaseModel):
    code: str
    name: str


class CurrentCommune(Unit):
    lat: float
    lon: float


class LegacyProvince(Unit):
    became: str | None = Field(description="The current province it is part of.")


class LegacyCommune(Unit):
    district_code: str
    district_name: str | None
    became: list[str] = Field(
        description="The current communes it went into: one if whole, several if it was split "
        "(the one most of it went into first)."
    )


class VsicDivision(Unit):
    section: str


class Vsic(BaseModel):
    sections: list[Unit]
    divisions: list[VsicDivision]


def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


def _units_of_province(request: Request, code: str) -> AdministrativeUnits:
    """The units, once `code` is known to be a current province (else a 404 that says so)."""
    units = _registry(request).reference.units
    if units.province(code) is None:
        raise NotFound(Text("registry.no_current_province", code=shown(code)))
    return units


Code = Annotated[ProvinceCode, Path(description="Two digits, e.g. 96")]


@router.get("/provinces", summary="The 34 provinces since 1 July 2025")
async def provinces(request: Request) -> list[Unit]:
    units = _registry(request).reference.units
    return [Unit(code=p.code, name=p.name) for p in units.provinces()]


@router.get(
    "/provinces/{code}/communes",
    summary="The communes of a current province",
)
async def communes(code: Code, request: Request) -> list[CurrentCommune]:
    units = _units_of_province(request, code)
    return [
        CurrentCommune(code=c.code, name=c.name, lat=c.lat, lon=c.lon)
        for c in units.communes_of(code)
    ]


@router.get(
    "/provinces/{code}/legacy",
    summary="The provinces before 1 July 2025 that became (part of) this one",
)
async def legacy_provinces(code: Code, request: Request) -> list[LegacyProvince]:
    units = _units_of_province(request, code)
    return [
        LegacyProvince(code=p.code, name=p.name, became=code)
        for p in units.legacy_provinces_of(code)
    ]


@router.get(
    "/legacy-provinces/{code}/communes",
    summary="The communes of a province before 1 July 2025, with what each became",
)
async def legacy_communes(code: Code, request: Request) -> list[LegacyCommune]:
    units = _registry(request).reference.units
    if units.legacy_province(code) is None:
        raise NotFound(Text("registry.no_legacy_province", code=shown(code)))
    found = []
    for commune in units.legacy_communes_of(code):
        district = units.legacy_district(commune.district_code)
        found.append(
            LegacyCommune(
                code=commune.code,
                name=commune.name,
                district_code=commune.district_code,
                district_name=district.name if district else None,
                became=units.current_communes_for_legacy(commune.code),
            )
        )
    return found


@router.get("/vsic", summary="VSIC 2018 sections and divisions")
async def vsic(request: Request) -> Vsic:
    catalog = _registry(request).reference.vsic
    return Vsic(
        sections=[Unit(code=s.code, name=s.name) for s in catalog.sections.values()],
        divisions=[
            VsicDivision(code=d.code, name=d.name, section=d.section)
            for d in catalog.divisions.values()
        ],
    )


@router.get(
    "/status-transitions",
    summary="The legal statuses each status may change to (Law 17/2023/QH15, Decree 92/2024)",
)
async def status_transitions() -> dict[str, list[str]]:
    """So that a form offers only the changes the registry accepts; a final status has none."""
    return {status.value: sorted(s.value for s in ALLOWED[status]) for status in ALLOWED}


class Basis(BaseModel):
    number: str = Field(description="The document's number and symbol in the policy library.")
    provision: str | None = Field(description="The article, clause or annex, where known.")


RULE_DESCRIPTION = (
    "The rule's code: the policy library keeps, under it, the article of a cited document that "
    "staff recorded (`GET /v1/provisions?rule=`)."
)


class TransitionBasis(BaseModel):
    from_status: str = Field(alias="from")
    to_status: str = Field(alias="to")
    allowed: bool
    rule: str = Field(description=RULE_DESCRIPTION, examples=["status.suspended"])
    basis: list[Basis]


class FieldBasis(BaseModel):
    field: str
    rule: str = Field(description=RULE_DESCRIPTION, examples=["field.name"])
    basis: list[Basis]


class StatusBasis(BaseModel):
    status: str
    rule: str = Field(description=RULE_DESCRIPTION, examples=["status.suspended"])
    basis: list[Basis]


class LegalBasis(BaseModel):
    statuses: list[StatusBasis] = Field(description="What entering each status rests on.")
    transitions: list[TransitionBasis] = Field(
        description="Every pair of statuses: allowed or refused, and the documents that say so."
    )
    final: list[str] = Field(description="The statuses no change may leave.")
    required_fields: list[FieldBasis]


def _cited(citations: tuple[Citation, ...]) -> list[Basis]:
    return [Basis(number=c.number, provision=c.provision) for c in citations]


@router.get(
    "/legal-basis",
    summary="The documents the status transitions and the required fields rest on",
)
async def legal_basis() -> LegalBasis:
    """Each cites documents of the policy library by number, so that pages can link them."""
    transitions = [
        TransitionBasis.model_validate(
            {
                "from": current.value,
                "to": target.value,
                "allowed": target in ALLOWED[current],
                "rule": transition_rule(current, target),
                "basis": _cited(transition_basis(current, target)),
            }
        )
        for current in ALLOWED
        for target in ALLOWED
        if target != current
    ]
    return LegalBasis(
        statuses=[
            StatusBasis(status=status.value, rule=status_rule(status), basis=_cited(cited))
            for status, cited in STATUS_BASIS.items()
        ],
        transitions=transitions,
        final=sorted(s.value for s in FINAL_STATUSES),
        required_fields=[
            FieldBasis(field=name, rule=field_rule(name), basis=_cited(cited))
            for name, cited in REQUIRED_FIELDS.items()
        ],
    )
