"""What the OpenSearch adapter sends, checked without a server (the contract suite checks the
behaviour when OPENSEARCH_URL is set)."""

from __future__ import annotations

import pytest

from hoptac.search.adapters.opensearch_index import (
    MAPPINGS,
    SORTS,
    Queries,
    actions,
    source_of,
)
from hoptac.search.domain.changes import Remove, Upsert
from hoptac.search.domain.documents import document_from_record
from hoptac.search.domain.query import Sort, parse_search

pytestmark = pytest.mark.unit


def test_every_field_sent_is_in_the_strict_mapping(record) -> None:  # type: ignore[no-untyped-def]
    source = source_of(document_from_record(record(ocop_products=[{"name": "Gạo", "stars": 3}])))
    assert set(source) <= set(MAPPINGS["properties"])
    assert source["location"] == {"lat": 9.29, "lon": 105.72}
    assert source["province"] == ["96", "95"]


def test_writes_carry_the_organisation_version_as_an_external_version(record) -> None:  # type: ignore[no-untyped-def]
    org = record()
    old = Upsert(document_from_record({**org, "version": 2}))
    new = Upsert(document_from_record({**org, "version": 4}))
    gone = Remove("other", 7)
    written = actions("idx", [old, new, gone], last_sequence=12)
    assert [(a["_id"], a["version"], a["version_type"]) for a in written] == [
        (org["id"], 4, "external"),
        ("other", 7, "external"),
        ("__meta__", 12, "external"),
    ]
    assert written[1]["_source"]["state"] == "removed"


def test_a_query_requires_every_word_and_ranks_the_name_higher() -> None:
    body = Queries().text("HTX Hoà Bình", as_you_type=False)
    assert body is not None
    musts = body["bool"]["must"]
    assert len(musts) == 5  # hợp tác xã hoà bình
    first = musts[3]["bool"]["should"]
    assert {"term": {"name_x": {"value": "hoa1", "boost": 2.0}}} in first


def test_a_registration_number_is_matched_exactly_first() -> None:
    body = Queries().text("6001000001", as_you_type=False)
    assert body is not None
    assert body["bool"]["should"][0] == {
        "term": {"regno": {"value": "6001000001", "boost": 1000.0}}
    }


def test_filters_and_sorts_end_with_a_unique_tie_breaker() -> None:
    query = parse_search("", {"kind": ["cooperative"], "digital": ["iot", "website"]})
    filters = Queries.filters(query)
    assert {"terms": {"kind": ["cooperative"]}} in filters
    assert {"term": {"digital": "iot"}} in filters
    assert all(sort[-1] == {"id": "asc"} for sort in SORTS.values())
    assert SORTS[Sort.REGISTERED_ON_DESC][0] == {"registered": "desc"}
