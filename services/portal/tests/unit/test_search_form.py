"""The search URL holds the whole query, is checked, and each filter link toggles one value."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.portal.domain.search_form import FILTER_VALUES, SORTS, SearchForm, parse_search_form

pytestmark = pytest.mark.unit


def test_words_filters_sort_and_page_are_read_from_the_url() -> None:
    form, problems = parse_search_form(
        [("q", "  htx  nong nghiep "), ("kind", "cooperative,cooperative_group"),
         ("province", "96"), ("sort", "name"), ("page", "3"), ("cursor", "abc")]
    )  # fmt: skip
    assert problems == []
    assert form.q == "htx nong nghiep"
    assert form.filters == {"kind": ("cooperative", "cooperative_group"), "province": ("96",)}
    assert (form.sort, form.page, form.cursor) == ("name", 3, "abc")
    assert ("cursor", "abc") in form.backend_params()


def test_bad_values_are_problems_named_by_their_field() -> None:
    form, problems = parse_search_form(
        [("kind", "bank"), ("province", "9"), ("commune", "x2025"), ("sort", "size"),
         ("page", "-1"), ("q", "x" * 201)]
    )  # fmt: skip
    assert {p.field for p in problems} == {"kind", "province", "commune", "sort", "page", "q"}
    assert form.filters == {}
    assert len(form.q) == 200


def test_a_filter_link_adds_the_value_and_the_same_link_removes_it() -> None:
    form, _ = parse_search_form([("q", "tan hung"), ("status", "operating")])
    added = form.toggled("kind", "cooperative")
    assert added.filters["kind"] == ("cooperative",)
    assert added.toggled("kind", "cooperative").filters["kind"] == ()
    assert form.toggled("status", "operating").url() == "/search?q=tan+hung"


def test_the_next_page_keeps_the_query_and_carries_the_cursor() -> None:
    form, _ = parse_search_form([("q", "tan hung"), ("kind", "cooperative")])
    query = dict(parse_qsl(urlsplit(form.next_page_url("c2")).query))
    assert query == {"q": "tan hung", "kind": "cooperative", "cursor": "c2", "page": "2"}


def test_commas_in_words_stay_words() -> None:
    form, _ = parse_search_form([("q", "Tân Hưng, Cà Mau")])
    assert form.q == "Tân Hưng, Cà Mau"


coded = st.sampled_from([n for n, v in FILTER_VALUES.items() if v is not None]).flatmap(
    lambda name: st.tuples(st.just(name), st.lists(st.sampled_from(FILTER_VALUES[name] or ())))
)


@given(
    q=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=60),
    filters=st.lists(coded, max_size=4),
    sort=st.sampled_from(SORTS),
)
def test_a_query_survives_the_round_trip_through_its_url(
    q: str, filters: list[tuple[str, list[str]]], sort: str
) -> None:
    params = [("q", q), *((n, v) for n, values in filters for v in values), ("sort", sort)]
    form, problems = parse_search_form(params)
    assert problems == []
    again, _ = parse_search_form(parse_qsl(urlsplit(form.url()).query))
    assert again == form


@given(
    q=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20),
    filters=st.lists(coded, max_size=3),
    sort=st.sampled_from(SORTS),
    toggled=coded,
)
def test_facet_links_are_the_toggled_queries_urls(
    q: str, filters: list[tuple[str, list[str]]], sort: str, toggled: tuple[str, list[str]]
) -> None:
    params = [("q", q), *((n, v) for n, values in filters for v in values), ("sort", sort)]
    form, _ = parse_search_form(params)
    name, values = toggled
    expected = [form.toggled(name, value).url() for value in values]
    assert form.toggled_urls(name, values) == expected


def test_an_empty_form_is_empty() -> None:
    assert SearchForm().is_empty
    assert parse_search_form([])[0].url() == "/search"
