"""What the OpenSearch adapter sends, checked without a server (the contract suite checks the
behaviour when OPENSEARCH_URL is set)."""

from __future__ import annotations

from typing import Any

import pytest

from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.opensearch_index import (
    MAPPINGS,
    SORTS,
    OpenSearchIndex,
    Queries,
    actions,
    source_of,
)
from hoptac.search.domain.changes import Remove, Upsert
from hoptac.search.domain.documents import document_from_record
from hoptac.search.domain.query import SearchQuery, Sort, parse_search

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


def test_the_units_products_and_business_lines_are_searchable_below_the_name(record) -> None:  # type: ignore[no-untyped-def]
    org = record(
        ocop_products=[{"name": "Mật ong hoa tràm U Minh", "stars": 4}],
        sector={"group": "agriculture", "vsic": ["5510"]},
    )
    source = source_of(document_from_record(org, official_areas()))
    assert "mat ong hoa tram u minh" in source["other_f"]
    assert "dich vu luu tru" in source["shared_f"]
    assert {"dich_vu", "vu_luu", "luu_tru", "bac_lieu", "vinh_trach"} <= set(
        source["shared_k"].split()
    )
    assert "thanh pho bac lieu" in source["shared_f"]  # the former district
    assert "bac lieu" not in source["name_f"]
    assert source["item"]["legacy_district_name"] == "Thành phố Bạc Liêu"


def test_a_unit_type_is_optional_and_ranks_its_place_as_a_phrase() -> None:
    body = Queries().text("quỹ tín dụng đông thới huyện cái nước", as_you_type=False)
    assert body is not None
    assert len(body["bool"]["must"]) == 7  # every word but "huyện"
    should = body["bool"]["should"]
    assert {"term": {"other_f": "huyen"}} in should
    assert {"match_phrase": {"shared_f": {"query": "huyen cai nuoc", "boost": 5.0}}} in should


def test_an_abbreviation_with_two_meanings_matches_either() -> None:
    body = Queries().text("CN biển bạch", as_you_type=False)
    assert body is not None
    either = body["bool"]["must"][0]["bool"]["should"]
    assert [len(alternative["bool"]["must"]) for alternative in either] == [2, 2]


def test_a_relaxed_query_counts_each_word_held_above_every_other_score() -> None:
    body = Queries().text("lúa sạch zalo", as_you_type=False, relaxed=True)
    assert body is not None
    assert body["bool"]["must"] == []
    assert body["bool"]["minimum_should_match"] == 1
    tiers = [c for c in body["bool"]["should"] if "constant_score" in c]
    assert [c["constant_score"]["boost"] for c in tiers] == [100.0, 100.0, 100.0]


class FakeClient:
    """Answers searches with no hits, recording the bodies."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    async def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(body)
        return {"hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}}


@pytest.mark.parametrize(("q", "searches"), [("lúa sạch zalo", 2), ("lúa", 1), ("", 1)])
async def test_a_search_with_no_match_for_every_word_is_asked_again_relaxed(
    q: str, searches: int
) -> None:
    index = OpenSearchIndex("http://127.0.0.1:9", "unused")
    fake = FakeClient()
    real, index.client = index.client, fake  # type: ignore[assignment]
    try:
        await index.search(SearchQuery(q=q, limit=5, facets=False))
    finally:
        await real.close()
    assert len(fake.bodies) == searches


class FakeIndices:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def put_index_template(self, name: str, body: dict[str, Any]) -> None:
        self.calls.append("template")

    async def exists_alias(self, name: str) -> bool:
        return True

    async def put_mapping(self, index: str, body: dict[str, Any]) -> None:
        assert body == MAPPINGS
        self.calls.append(f"mapping {index}")

    async def get_alias(self, name: str) -> dict[str, Any]:
        return {f"{name}-20261101t000000": {}}


async def test_a_generation_from_an_older_release_gains_the_new_fields() -> None:
    index = OpenSearchIndex("http://127.0.0.1:9", "hoptac-organizations")
    real = index.client
    indices = FakeIndices()
    index.client = type("Client", (), {"indices": indices})()  # type: ignore[assignment]
    try:
        await index.ensure()
    finally:
        await real.close()
    assert indices.calls == ["template", "mapping hoptac-organizations"]
