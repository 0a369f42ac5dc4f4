"""Request bodies of the registry API. Types, ranges and codes are checked here; rules that need
the whole record or reference data are the domain's."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from hoptac.contracts.codes import Kind, OperatingInPractice, SectorGroup, Status
from hoptac.contracts.organization import (
    Address,
    Capital,
    CommuneCode,
    Contact,
    DigitalAdoption,
    DistrictCode,
    FinancialYear,
    LegacyArea,
    OcopProduct,
    People,
    ProvinceCode,
    Sector,
    VsicCode,
)
from hoptac.platform.text import Text, TextError
from hoptac.registry.domain.errors import FieldProblem, InvalidFields

# Every text field is bounded, so that no accepted write can make an event too large to publish.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
    ),
]


def _web_address(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value, re.IGNORECASE):
        raise TextError(Text("registry.web_address"))
    return value


Website = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_web_address)
]
# The register holds no day before the first cooperatives (1945) nor after this century.
FIRST_DAY, LAST_DAY = date(1945, 1, 1), date(2099, 12, 31)
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]


def _plausible_moment(value: datetime) -> datetime:
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise TextError(Text("registry.moment_between", first=FIRST_DAY, last=LAST_DAY))
    return value


Moment = Annotated[datetime, AfterValidator(_plausible_moment)]
RegistrationNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9./-]{1,32}$")
]
IdNumber = Annotated[str, Field(pattern=r"^(\d{9}|\d{12})$", description="CMND (9) or CCCD (12)")]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 .-]{6,18}$")]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# The format characters of the basic plane, and any character beyond it (rare; its category is
# then asked): one search in C instead of a category lookup per character.
_BASIC_FORMAT = "".join(
    re.escape(chr(c)) for c in range(0x80, 0x10000) if unicodedata.category(chr(c)) == "Cf"
)
_MAYBE_FORMAT = re.compile(f"[{_BASIC_FORMAT}\U00010000-\U0010ffff]")


def _invisible(value: str) -> str | None:
    """The first format character (zero-width, byte-order mark, text-direction override): they
    make two names that look alike compare different, or one name display as another."""
    found = (match.group() for match in _MAYBE_FORMAT.finditer(value))
    return next((ch for ch in found if unicodedata.category(ch) == "Cf"), None)


def _text_problems(value: Any, path: str) -> list[FieldProblem]:
    if isinstance(value, str):
        # PostgreSQL cannot store NUL, and no register field needs control characters.
        if _CONTROL.search(value):
            return [FieldProblem(path, Text("registry.control_character"))]
        invisible = _invisible(value)
        if invisible is not None:
            return [
                FieldProblem(
                    path,
                    Text(
                        "registry.invisible_character",
                        code=f"U+{ord(invisible):04X}",
                        name=unicodedata.name(invisible, "FORMAT CHARACTER"),
                    ),
                )
            ]
        return []
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    return [p for key, item in children for p in _text_problems(item, f"{path}.{key}".lstrip("."))]


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    return value


def _strings(value: Any, found: list[str]) -> list[str]:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found)
    return found


def clean_text(value: Any, path: str = "") -> Any:
    """Every string checked for control characters and put in NFC, so 'hoà' typed on any
    keyboard is stored one way. (Invalid Unicode never gets here: pydantic refuses it.)

    Every string is first looked at once, joined by line feeds (neither refused nor joining
    with a neighbour in NFC): most bodies are clean and already NFC, and are given back as they
    are; only the others are walked field by field, to name the field at fault."""
    joined = "\n".join(_strings(value, []))
    if _CONTROL.search(joined) or _invisible(joined) is not None:
        raise InvalidFields(_text_problems(value, path))
    return value if unicodedata.is_normalized("NFC", joined) else _nfc(value)


def _plain(value: str) -> str:
    problems = _text_problems(value, "")
    if problems:
        raise ValueError(problems[0].message)
    return unicodedata.normalize("NFC", value)


# For a string that reaches a query as it is (a name, a filter): PostgreSQL cannot take NUL.
Plain = AfterValidator(_plain)


class Body(BaseModel):
    """A request body: an unknown field is a mistake worth a 422 (a misspelt field would
    otherwise be dropped without a word)."""

    model_config = ConfigDict(extra="forbid")


STRICT = ConfigDict(extra="forbid", frozen=True)


class LegacyAreaIn(LegacyArea):
    model_config = STRICT


class AddressIn(Address):
    model_config = STRICT
    street: ShortText | None = None
    legacy: LegacyAreaIn | None = None
    text: LongText | None = Field(default=None, description="The address as originally written.")


class SectorIn(Sector):
    model_config = STRICT


class FinancialYearIn(FinancialYear):
    model_config = STRICT


class ContactIn(Contact):
    model_config = STRICT
    phone: Phone | None = None
    email: Email | None = None
    website: Website | None = None


class OcopProductIn(OcopProduct):
    model_config = STRICT
    name: ShortText
    certified_on: Day | None = None


class DigitalAdoptionIn(DigitalAdoption):
    model_config = STRICT


class RepresentativeIn(Body):
    name: Name
    title: ShortText | None = None
    id_number: IdNumber | None = Field(default=None, description="Restricted: staff only.")
    phone: Phone | None = Field(default=None, description="Restricted: staff only.")


class OrganizationCreate(Body):
    registration_number: RegistrationNumber
    name: Name
    name_foreign: Name | None = None
    name_abbreviation: ShortText | None = None
    kind: Kind
    registered_on: Day
    registering_authority: ShortText | None = None
    address: AddressIn
    sector: SectorIn
    members_count: People | None = None
    workers_count: People | None = None
    charter_capital: Capital | None = Field(default=None, description="VND")
    financials: list[FinancialYearIn] = Field(default_factory=list, max_length=100)
    legal_representative: RepresentativeIn | None = None
    contact: ContactIn | None = None
    ocop_products: list[OcopProductIn] = Field(default_factory=list, max_length=100)
    digital: DigitalAdoptionIn = Field(default_factory=DigitalAdoptionIn)
    operating_in_practice: OperatingInPractice = OperatingInPractice.UNKNOWN
    last_verified_on: Day | None = None
    effective_date: Day | None = Field(
        default=None,
        description="A registration takes effect on registered_on; if sent, it must equal it.",
    )


class AddressPatch(Body):
    street: ShortText | None = None
    commune_code: CommuneCode | None = None
    province_code: ProvinceCode | None = None
    legacy: LegacyAreaIn | None = None
    text: LongText | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None


class SectorPatch(Body):
    group: SectorGroup | None = None
    vsic: list[VsicCode] | None = None


class RepresentativePatch(Body):
    name: Name | None = None
    title: ShortText | None = None
    id_number: IdNumber | None = None
    phone: Phone | None = None


class OrganizationPatch(Body):
    """A JSON merge patch (RFC 7396): objects merge, null removes a field, lists replace."""

    registration_number: RegistrationNumber | None = None
    name: Name | None = None
    name_foreign: Name | None = None
    name_abbreviation: ShortText | None = None
    kind: Kind | None = None
    registered_on: Day | None = None
    registering_authority: ShortText | None = None
    address: AddressPatch | None = None
    sector: SectorPatch | None = None
    members_count: People | None = None
    workers_count: People | None = None
    charter_capital: Capital | None = None
    financials: list[FinancialYearIn] | None = Field(default=None, max_length=100)
    legal_representative: RepresentativePatch | None = None
    contact: ContactIn | None = None
    ocop_products: list[OcopProductIn] | None = Field(default=None, max_length=100)
    digital: DigitalAdoptionIn | None = None
    operating_in_practice: OperatingInPractice | None = None
    last_verified_on: Day | None = None
    effective_date: Day | None = Field(
        default=None, description="The day the change happened; today when omitted."
    )
    reason: Reason | None = Field(default=None, description="Why, kept in the history.")


class StatusChange(Body):
    status: Status
    effective_date: Day | None = Field(default=None, description="Today when omitted.")
    reason: Reason
    suspended_until: Day | None = Field(
        default=None,
        description="Required for a suspension (tạm ngừng): its end date. To extend a "
        "suspension, send status suspended again with a later end date.",
    )
    correction: bool = Field(
        default=False,
        description="Reviewers: put right a status entered by mistake, whatever the two "
        "statuses; effective_date is the day the right status held from.",
    )


class Merger(Body):
    into: UUID = Field(description="The organisation that absorbs this one.")
    effective_date: Day | None = None
    reason: Reason


def _comma_separated(value: Any) -> Any:
    """`status=dissolved,bankrupt` and `status=dissolved&status=bankrupt` mean the same."""
    values = value if isinstance(value, list) else [value]
    return [part.strip() for item in values for part in str(item).split(",") if part.strip()]


# A filter of several values, repeated or comma-separated (kind=a,b&kind=c), at most 50.
_MANY = (BeforeValidator(_comma_separated), Field(max_length=50))
Kinds = Annotated[list[Kind], *_MANY]
Statuses = Annotated[list[Status], *_MANY]
ProvinceCodes = Annotated[list[ProvinceCode], *_MANY]
CommuneCodes = Annotated[list[CommuneCode], *_MANY]
DistrictCodes = Annotated[list[DistrictCode], *_MANY]
SectorGroups = Annotated[list[SectorGroup], *_MANY]


class ListQuery(Body):
    """The filters of GET /v1/organizations: each takes several values (any of them matches);
    a parameter that is not one of these is a 422 naming it."""

    kind: Kinds = Field(default_factory=list)
    status: Statuses = Field(default_factory=list)
    province: ProvinceCodes = Field(default_factory=list)
    commune: CommuneCodes = Field(
        default_factory=list, description="The current commune, or the pre-2025 one of that code."
    )
    legacy_commune: CommuneCodes = Field(default_factory=list)
    legacy_district: DistrictCodes = Field(default_factory=list)
    sector_group: SectorGroups = Field(default_factory=list)
    registration_number: RegistrationNumber | None = None
    updated_since: Moment | None = None
    verified_before: Day | None = Field(
        default=None, description="Records last verified before this day, or never verified."
    )
    cursor: Annotated[str, StringConstraints(max_length=300)] | None = Field(
        default=None, description="From next_cursor; valid only with the same filters."
    )
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class BatchRequest(Body):
    """Many changes in one request; each row is read on its own, so a malformed row is answered
    in its place and never refuses the others."""

    changes: list[Any] = Field(
        min_length=1,
        description="Rows: {op: register, body}, {op: update, id, version, body}, "
        "{op: status, id, version?, body}; body as the single-record route takes it.",
    )
    dry_run: bool = Field(
        default=False,
        description="Check every row as a real run would, answer the same, and keep nothing.",
    )
    similar_names: bool = Field(
        default=True,
        description="Warn, as the single routes do, of a registration or renaming whose name "
        "is like another in its province. A caller that has matched names itself may leave "
        "this out: on a large province it costs more than the rest of the row.",
    )


CorrelationId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Version = Annotated[int, Field(ge=1, le=999_999_999)]


class BatchRow(Body):
    op: Literal["register", "update", "status"]
    id: UUID | None = None
    version: Version | None = Field(
        default=None, description="The version you read; required for update, as If-Match is."
    )
    correlation_id: CorrelationId | None = Field(
        default=None, description="Carried by this row's event; default: X-Correlation-Id."
    )
    body: dict[str, Any]
