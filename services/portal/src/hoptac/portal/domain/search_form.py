"""The search page's query: read from the URL, checked, and turned back into URLs.

The URL holds the whole query (words, filters, sort, page), so a result page can be shared;
each filter link is the same query with one value added or removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import quote_plus, urlencode

from hoptac.contracts.codes import Kind, OperatingInPractice, SectorGroup, Status

MAX_QUERY_CHARS = 200
MAX_CURSOR_CHARS = 400
MAX_VALUES_PER_FILTER = 50
PAGE_SIZE = 20

FILTER_VALUES: dict[str, tuple[str, ...] | None] = {
    "kind": tuple(Kind),
    "status": tuple(Status),
    "sector": tuple(SectorGroup),
    "operating_in_practice": tuple(OperatingInPractice),
    "ocop": ("true", "false"),
    "province": None,  # codes, checked by shape
    "commune": None,
}
CODE_WIDTH = {"province": 2, "commune": 5}
SORTS = ("relevance", "name", "registered_on", "-registered_on")


@dataclass(frozen=True)
class Problem:
    field: str  # the URL parameter, which is also the id of the form control
    message_key: str  # a catalogue key


@dataclass(frozen=True)
class SearchForm:
    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    cursor: str | None = None
    page: int = 1

    @property
    def is_empty(self) -> bool:
        return not self.q and not any(self.filters.values())

    def match_params(self) -> list[tuple[str, str]]:
        """The words and the filters: what decides which organisations match (a map's query)."""
        params = [("q", self.q)] if self.q else []
        return params + [(name, value) for name, values in self.filters.items() for value in values]

    def backend_params(self, limit: int = PAGE_SIZE) -> list[tuple[str, str]]:
        """The parameters of the search service's GET /v1/search for this page."""
        params = self.match_params()
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        if self.cursor:
            params.append(("cursor", self.cursor))
        return [*params, ("limit", str(limit))]

    def url_params(self) -> list[tuple[str, str]]:
        """This query as the portal's own URL parameters, from its first page."""
        return self.match_params() + ([("sort", self.sort)] if self.sort != "relevance" else [])

    def url(self, path: str = "/search") -> str:
        params = self.url_params()
        return f"{path}?{urlencode(params)}" if params else path

    def next_page_url(self, cursor: str) -> str:
        params = [*self.url_params(), ("cursor", cursor), ("page", str(self.page + 1))]
        return f"/search?{urlencode(params)}"

    def toggled(self, name: str, value: str) -> SearchForm:
        """The query with `value` added to filter `name`, or removed when it is there."""
        current = self.filters.get(name, ())
        values = tuple(v for v in current if v != value) if value in current else (*current, value)
        return replace(self, filters={**self.filters, name: values}, cursor=None, page=1)

    def toggled_urls(self, name: str, values: Iterable[str]) -> list[str]:
        """`self.toggled(name, value).url()` for each value, the same strings, with the rest of
        the query encoded once: a results page links a hundred facet values."""
        names = list(self.filters)
        place = names.index(name) if name in self.filters else len(names)  # a new one goes last
        before = [_pair("q", self.q)] if self.q else []
        before += [_pair(other, v) for other in names[:place] for v in self.filters[other]]
        after = [_pair(other, v) for other in names[place + 1 :] for v in self.filters[other]]
        if self.sort != "relevance":
            after.append(_pair("sort", self.sort))
        current = self.filters.get(name, ())
        urls = []
        for value in values:
            chosen = [v for v in current if v != value] if value in current else [*current, value]
            pieces = [*before, *(_pair(name, v) for v in chosen), *after]
            urls.append("/search?" + "&".join(pieces) if pieces else "/search")
        return urls

    def without_words(self) -> SearchForm:
        return replace(self, q="", cursor=None, page=1)

    def selected(self, name: str, value: str) -> bool:
        return value in self.filters.get(name, ())


def _pair(name: str, value: str) -> str:
    return f"{quote_plus(name)}={quote_plus(value)}"  # as urlencode writes one pair


def parse_search_form(params: Iterable[tuple[str, str]]) -> tuple[SearchForm, list[Problem]]:
    """Reads the URL's parameters; unknown ones are ignored, bad values become problems."""
    problems: list[Problem] = []
    values: dict[str, list[str]] = {}
    for name, raw in params:
        if name == "q":  # words may hold commas; the other parameters may list values with them
            values["q"] = [raw]
        else:
            values.setdefault(name, []).extend(part for part in raw.split(",") if part.strip())
    q = " ".join((values.get("q") or [""])[-1].split())
    if len(q) > MAX_QUERY_CHARS:
        problems.append(Problem("q", "error.q_too_long"))
        q = q[:MAX_QUERY_CHARS]
    filters = {name: _filter_values(name, values.get(name, []), problems) for name in FILTER_VALUES}
    sort = (values.get("sort") or ["relevance"])[-1]
    if sort not in SORTS:
        problems.append(Problem("sort", "error.sort_unknown"))
        sort = "relevance"
    cursor: str | None = (values.get("cursor") or [""])[-1] or None
    if cursor is not None and len(cursor) > MAX_CURSOR_CHARS:
        problems.append(Problem("cursor", "error.cursor_invalid"))
        cursor = None
    page = _page(values.get("page", []), problems)
    form = SearchForm(q, {k: v for k, v in filters.items() if v}, sort, cursor, page)
    return form, problems


def _filter_values(name: str, given: list[str], problems: list[Problem]) -> tuple[str, ...]:
    allowed = FILTER_VALUES[name]
    kept: list[str] = []
    for value in (v.strip() for v in given[:MAX_VALUES_PER_FILTER]):
        valid = value in allowed if allowed is not None else _is_code(value, CODE_WIDTH[name])
        if not valid:
            problems.append(Problem(name, f"error.{name}_invalid"))
        elif value not in kept:
            kept.append(value)
    return tuple(kept)


def _is_code(value: str, width: int) -> bool:
    return len(value) == width and value.isascii() and value.isdigit()


def _page(given: list[str], problems: list[Problem]) -> int:
    if not given:
        return 1
    raw = given[-1]
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 1_000_000:
        return int(raw)
    problems.append(Problem("page", "error.page_invalid"))
    return 1
