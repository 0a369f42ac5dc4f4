"""The results page's facet links and hits, prepared in Python for the template.

Each facet link or hit line is a handful of lookups (a label, an area's name, a number, a URL).
Made from the template, every one was a Jinja call costing several times the lookup itself, and
a page with a hundred facet values spent most of its CPU there.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any, NamedTuple

from hoptac.portal.domain.search_form import SearchForm

Helpers = Mapping[str, Any]


class FacetLink(NamedTuple):
    url: str
    label: str
    counted: str  # the count as written in the reader's language
    chosen: bool


class Facet(NamedTuple):
    name: str
    title: str
    links: list[FacetLink]


class Hit(NamedTuple):
    item: dict[str, Any]
    kind: str
    status: str
    registered_on: str
    place: str


def facets(
    form: SearchForm,
    counts: Mapping[str, Mapping[str, int]],
    order: tuple[str, ...],
    max_values: int,
    helpers: Helpers,
) -> list[Facet]:
    """Each facet of `order` that has values, its most frequent first (equal counts in the
    search service's order), each link the query with that value toggled."""
    text, number, facet_value = helpers["_"], helpers["number"], helpers["facet_value"]
    out = []
    for name in order:
        if not counts.get(name):
            continue
        ranked = sorted(counts[name].items(), key=itemgetter(1), reverse=True)[:max_values]
        values = [value for value, _ in ranked]
        chosen = form.filters.get(name, ())
        links = [
            FacetLink(url, facet_value(name, value), number(count), value in chosen)
            for url, (value, count) in zip(form.toggled_urls(name, values), ranked, strict=True)
        ]
        out.append(Facet(name, text(f"facet.{name}"), links))
    return out


def hits(items: list[dict[str, Any]], helpers: Helpers) -> list[Hit]:
    label, day, area = helpers["label"], helpers["day"], helpers["facet_value"]
    out = []
    for item in items:
        code = item.get("commune_code")
        place = area("province", item.get("province_code") or "")
        out.append(
            Hit(
                item,
                label("kind", item.get("kind")),
                label("status", item.get("status")),
                day(item.get("registered_on")),
                f"{area('commune', code)}, {place}" if code else place,
            )
        )
    return out
