"""The filters of GET /v1/search, declared once.

Everything else is derived from `FILTERS`: the query parser (`domain.query`), the fields of both
engines (`adapters.tantivy_schema`, `adapters.opensearch_index`), the facets and their counting
(`adapters.tantivy_facets`) and the OpenAPI parameters (`entrypoints.http.parameters`). A new
filter is one more entry here, an attribute of `SearchDocument` that holds its value, and a
reindex (a new field changes the tantivy schema, so the service starts a new generation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from operator import attrgetter
from typing import Any

from hoptac.contracts.codes import DIGITAL_FLAGS, Kind, OperatingInPractice, SectorGroup, Status


class Shape(Enum):
    """What a filter's values are, which says how it is checked, matched and counted."""

    ONE_OF = "one of a list"  # a record has one value; the filter takes any of those given
    YES_NO = "true or false"  # a record has one of the two
    CODE = "an area code"  # zero-padded digits; a record may hold a current and a legacy one
    FLAGS = "flags"  # a record holds several; the filter needs all of those given


YES_NO_VALUES = ("true", "false")


@dataclass(frozen=True)
class Filter:
    name: str  # the query parameter, and the facet's key in an answer
    field: str  # the indexed field, the same in every engine
    attribute: str  # the `SearchDocument` attribute that holds a record's value(s)
    shape: Shape
    about: str = ""  # what it means, for the API documentation
    values: tuple[str, ...] = ()  # ONE_OF and FLAGS: the allowed values, in the contract's order
    digits: int = 0  # CODE: how many
    legacy: str | None = None  # CODE: the attribute with the pre-2025 code, matched alike
    facet: bool = True
    facet_size: int = 20  # the most frequent values counted in an answer

    @property
    def allowed(self) -> tuple[str, ...]:
        """The values a request may give; empty for codes (checked by their digits)."""
        return YES_NO_VALUES if self.shape is Shape.YES_NO else self.values

    @property
    def all_of(self) -> bool:
        return self.shape is Shape.FLAGS

    def codes_of(self, document: Any) -> tuple[str | None, ...]:
        """A CODE filter's (current, legacy) codes of a record; one value otherwise."""
        return self.read_codes(document)

    def indexed(self, document: Any) -> list[str]:
        """The values a record is indexed with for this filter (none: it never matches)."""
        return self.read_indexed(document)

    # The two above as functions made once per filter (the attribute look-ups bound in
    # advance), for the many documents of a burst.
    @property
    def code_attributes(self) -> tuple[str, ...]:
        """The attributes `codes_of` reads, in its order."""
        return (self.attribute, self.legacy) if self.legacy else (self.attribute,)

    @cached_property
    def read_codes(self) -> Callable[[Any], tuple[str | None, ...]]:
        if self.legacy:
            return attrgetter(*self.code_attributes)
        value = attrgetter(self.attribute)
        return lambda document: (value(document),)

    @cached_property
    def read_indexed(self) -> Callable[[Any], list[str]]:
        if self.shape is Shape.FLAGS:
            flags = attrgetter(self.attribute)
            return lambda document: list(flags(document))
        codes = self.read_codes
        return lambda document: [code for code in codes(document) if code]


def _codes(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


FILTERS: tuple[Filter, ...] = (
    Filter("kind", "kind", "kind", Shape.ONE_OF, values=_codes(Kind)),
    Filter("status", "status", "status", Shape.ONE_OF, values=_codes(Status)),
    Filter(
        "sector",
        "sector",
        "sector_group",
        Shape.ONE_OF,
        about="Sector group.",
        values=_codes(SectorGroup),
    ),
    Filter(
        "province",
        "province",
        "province_code",
        Shape.CODE,
        about="Province code, current or legacy",
        digits=2,
        legacy="legacy_province_code",
        facet_size=100,
    ),
    Filter(
        "commune",
        "commune",
        "commune_code",
        Shape.CODE,
        about="Commune code, current or legacy",
        digits=5,
        legacy="legacy_commune_code",
        facet_size=100,
    ),
    Filter(
        "district",
        "district",
        "legacy_district_code",
        Shape.CODE,
        about="Legacy district code",
        digits=3,
        facet=False,
    ),
    Filter(
        "operating_in_practice",
        "operating",
        "operating_in_practice",
        Shape.ONE_OF,
        values=_codes(OperatingInPractice),
    ),
    Filter(
        "ocop",
        "ocop",
        "ocop",
        Shape.YES_NO,
        about="true: has OCOP-rated products; false: has none.",
    ),
    Filter(
        "digital",
        "digital",
        "digital",
        Shape.FLAGS,
        about="Digital-adoption flags that must all hold",
        values=DIGITAL_FLAGS,
    ),
)


def facets() -> tuple[Filter, ...]:
    """The filters counted in an answer, in the answer's order."""
    return tuple(f for f in FILTERS if f.facet)


def by_name() -> dict[str, Filter]:
    return {f.name: f for f in FILTERS}
