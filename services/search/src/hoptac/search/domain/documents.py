"""What the index holds for one organisation, taken from the public record an event carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import compress
from typing import Any, NamedTuple

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

    def own_words(self) -> OwnWords:
        """The name's words and the organisation's other own words as indexed, each word
        keyed once (`text.index_keys`)."""
        name_words = text.words(self.name)
        name_folded, name_exact = text.index_keys(name_words)
        parts = (self.name_abbreviation, self.name_foreign, self.address_text)
        own_folded, own_exact = text.index_keys(
            word for part in parts if part for word in text.words(part)
        )
        for product in self.products:
            product_folded, product_exact = _product_keys(product)
            own_folded += product_folded
            own_exact += product_exact
        return OwnWords(
            name_folded=" ".join(name_folded),
            name_exact=" ".join(name_exact),
            own_folded=" ".join(own_folded),
            own_exact=" ".join(own_exact),
            all_folded=" ".join(name_folded + own_folded),
            sort_name=" ".join(map(text.fold, name_words)),
        )

    def shared(self) -> SharedNames:
        return _shared(self.areas, self.business_lines)

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


@dataclass(frozen=True)
class OwnWords:
    """An organisation's own words as indexed: keys joined by spaces."""

    name_folded: str
    name_exact: str
    own_folded: str  # abbreviation, foreign name, address and products: they match like the
    own_exact: str  # name's and rank lower, their diacritics too (exact keys)
    all_folded: str  # the name's and the own words' folded keys: what a query word must match
    sort_name: str  # the name's words folded, abbreviations as written


class SharedNames(NamedTuple):
    """The names thousands of organisations share: its units' (in order: a place typed with
    its unit type ranks by them as a phrase) and its business lines'."""

    folded: str
    # The same names as pairs of neighbouring words (`text.name_keys`): a query word matches
    # them only together with its neighbour. As single words they would make most queries
    # match thousands more organisations ("Thạnh" from one unit and "Phú" from another;
    # "nông" from the business line "Nông nghiệp"): slower, and no better.
    keys: str


# Unit, product and business-line names recur across thousands of records, and so do the
# combinations of a record's units and business lines: each analysed once.
@lru_cache(maxsize=50_000)
def _shared(areas: AreaNames, business_lines: tuple[str, ...]) -> SharedNames:
    units = areas.all()
    folded = " ".join(_folded(part) for part in (*units, *business_lines))
    unit_keys = (_keys(part, True) for part in units)
    line_keys = (_keys(part, False) for part in business_lines)
    return SharedNames(folded, " ".join((*unit_keys, *line_keys)))


@lru_cache(maxsize=50_000)
def _product_keys(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    folded, exact = text.index_keys(text.words(name))
    return tuple(folded), tuple(exact)


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
        digital=tuple(compress(DIGITAL_FLAGS, map(digital.get, DIGITAL_FLAGS))),
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
        business_lines=business_line_names(tuple(sector.get("vsic") or ())),
    )


def _clean(value: Any) -> str | None:
    return text.normalize(str(value)) if value else None


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
