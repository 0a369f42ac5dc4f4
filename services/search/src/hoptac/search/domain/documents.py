"""What the index holds for one organisation, taken from the public record an event carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.search.domain import text
from hoptac.search.domain.areas import NO_AREAS, AreaDirectory, AreaNames
from hoptac.search.domain.business_lines import business_line_names


@dataclass(frozen=True)
class SearchDocument:
    """One organisation as searched and shown in a result list."""

    id: str
    version: int
    name: str
    registration_number: str
    kind: str
    status: str
    sector_group: str
    province_code: str
    registered_on: date
    name_abbreviation: str | None = None
    name_foreign: str | None = None
    address_text: str | None = None
    commune_code: str | None = None
    legacy_province_code: str | None = None
    legacy_district_code: str | None = None
    legacy_commune_code: str | None = None
    operating_in_practice: str = "unknown"
    ocop_stars: int = 0  # the best OCOP rating of its products, 0 when none
    digital: tuple[str, ...] = ()  # the digital-adoption flags that are true
    lat: float | None = None
    lon: float | None = None
    areas: AreaNames = field(default_factory=AreaNames)  # the names of its units, when known
    products: tuple[str, ...] = ()  # its OCOP products' names
    business_lines: tuple[str, ...] = ()  # the VSIC division names of its business lines

    @property
    def ocop(self) -> str:
        return "true" if self.ocop_stars else "false"

    def name_tokens(self) -> list[str]:
        return text.analyse(self.name)

    def own_tokens(self) -> list[str]:
        """Abbreviation, foreign name, address and products: words of this organisation that
        match like the name's and rank lower, their diacritics too (exact keys)."""
        parts = (self.name_abbreviation, self.name_foreign, self.address_text)
        own = [t for part in parts for t in text.analyse(part)]
        return own + [t for part in self.products for t in _analysed(part)]

    def shared_folded(self) -> str:
        """The names thousands of organisations share, the units' (in order: a place typed
        with its unit type ranks by them as a phrase) and the business lines', folded."""
        return " ".join(_folded(part) for part in (*self.areas.all(), *self.business_lines))

    def shared_keys(self) -> str:
        """The same names as pairs of neighbouring words (`text.name_keys`): a query word
        matches them only together with its neighbour. As single words they would make most
        queries match thousands more organisations ("Thạnh" from one unit and "Phú" from
        another; "nông" from the business line "Nông nghiệp"): slower, and no better."""
        units = (_keys(part, True) for part in self.areas.all())
        lines = (_keys(part, False) for part in self.business_lines)
        return " ".join((*units, *lines))

    def sort_name(self) -> str:
        return text.folded_text(text.words(self.name))

    def item(self) -> dict[str, Any]:
        """The public summary returned by /v1/search."""
        return {
            "id": self.id,
            "name": self.name,
            "name_abbreviation": self.name_abbreviation,
            "registration_number": self.registration_number,
            "kind": self.kind,
            "status": self.status,
            "sector_group": self.sector_group,
            "province_code": self.province_code,
            "commune_code": self.commune_code,
            "address_text": self.address_text,
            "commune_name": self.areas.commune,
            "province_name": self.areas.province,
            "legacy_commune_name": self.areas.legacy_commune,
            "legacy_district_name": self.areas.legacy_district,
            "legacy_province_name": self.areas.legacy_province,
            "registered_on": self.registered_on.isoformat(),
            "operating_in_practice": self.operating_in_practice,
            "ocop_stars": self.ocop_stars,
            "lat": self.lat,
            "lon": self.lon,
            "version": self.version,
        }


# Unit, product and business-line names recur across thousands of records: analysed once each.
@lru_cache(maxsize=50_000)
def _analysed(name: str) -> tuple[str, ...]:
    return tuple(text.analyse(name))


@lru_cache(maxsize=50_000)
def _folded(name: str) -> str:
    return text.folded_text(_analysed(name))


@lru_cache(maxsize=50_000)
def _keys(name: str, unit: bool) -> str:
    words = _analysed(name)
    return " ".join(text.name_keys(words[text.unit_type_length(words) :] if unit else words))


def document_from_record(record: dict[str, Any], areas: AreaDirectory = NO_AREAS) -> SearchDocument:
    """The searchable part of a public organisation record (the `data.record` of an event),
    with the names of its units from `areas`."""
    address = record.get("address") or {}
    legacy = address.get("legacy") or {}
    digital = record.get("digital") or {}
    sector = record.get("sector") or {}
    products = record.get("ocop_products") or []
    ocop = [int(p.get("stars") or 0) for p in products]
    return SearchDocument(
        id=str(record["id"]),
        version=int(record["version"]),
        name=text.normalize(record["name"]),
        registration_number=text.normalize(record["registration_number"]),
        kind=str(record["kind"]),
        status=str(record["status"]),
        sector_group=str(sector.get("group") or "other"),
        province_code=str(address["province_code"]),
        registered_on=_as_date(record["registered_on"]),
        name_abbreviation=_clean(record.get("name_abbreviation")),
        name_foreign=_clean(record.get("name_foreign")),
        address_text=_clean(address.get("text")),
        commune_code=address.get("commune_code"),
        legacy_province_code=legacy.get("province_code"),
        legacy_district_code=legacy.get("district_code"),
        legacy_commune_code=legacy.get("commune_code"),
        operating_in_practice=str(record.get("operating_in_practice") or "unknown"),
        ocop_stars=max(ocop, default=0),
        digital=tuple(flag for flag in DIGITAL_FLAGS if digital.get(flag)),
        lat=address.get("lat"),
        lon=address.get("lon"),
        areas=areas.names_for(
            address.get("province_code"),
            address.get("commune_code"),
            legacy.get("province_code"),
            legacy.get("district_code"),
            legacy.get("commune_code"),
        ),
        products=tuple(dict.fromkeys(n for p in products if (n := _clean(p.get("name"))))),
        business_lines=business_line_names(list(sector.get("vsic") or [])),
    )


def _clean(value: Any) -> str | None:
    return text.normalize(str(value)) if value else None


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
