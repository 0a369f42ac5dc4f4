"""What the OpenSearch half of the library's index sends, checked without a server (the shared
tests in tests/integration/test_library_documents.py check its behaviour when OPENSEARCH_URL is
set)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hoptac.contracts.library import parse_document_event
from hoptac.search.adapters.opensearch_library_index import (
    MAPPINGS,
    NOT_TRACKING,
    search_body,
    source_of,
)
from hoptac.search.domain.library_documents import LibraryDocument

pytestmark = pytest.mark.unit


def document() -> LibraryDocument:
    record = {
        "id": "6f1c2a3b-0000-4000-8000-000000000017",
        "version": 3,
        "number": "92/2024/NĐ-CP",
        "title": "Nghị định về đăng ký hợp tác xã",
        "type": "decree",
        "issuer": "Chính phủ",
        "signed_on": "2024-07-18",
        "in_force_from": None,
        "status": "in_force",
        "amends": [],
        "replaces": [],
        "kinds": ["cooperative"],
        "sectors": [],
        "topics": ["organisation"],
        "area": "national",
        "summary": "",
        "file": None,
        "updated_at": datetime.now(UTC).isoformat(),
    }
    envelope = parse_document_event(
        {
            "event_id": "6f1c2a3b-0000-4000-8000-0000000000aa",
            "event_type": "document.corrected",
            "schema_version": 1,
            "recorded_at": datetime.now(UTC).isoformat(),
            "sequence": 3,
            "document_id": record["id"],
            "document_version": 3,
            "actor": "staff:0000",
            "data": {"record": record, "changed_fields": [], "text": "Đăng ký", "reason": None},
        }
    )
    return LibraryDocument.from_event(envelope)


def test_every_field_sent_is_in_the_strict_mapping() -> None:
    source = source_of(document())
    assert set(source) <= set(MAPPINGS["properties"])
    assert source["year"] == ["2024"]
    assert "dang" in source["body_f"].split()


def test_each_facet_counts_under_the_other_filters_and_the_hits_under_all() -> None:
    body = search_body("đăng ký", {"type": ["decree"], "year": ["2024"]}, limit=20, offset=0)
    assert len(body["query"]["bool"]["must"]) == 2  # every word required
    assert body["post_filter"]["bool"]["filter"] == [
        {"terms": {"type": ["decree"]}},
        {"terms": {"year": ["2024"]}},
    ]
    assert body["aggs"]["type"]["filter"]["bool"]["filter"] == [{"terms": {"year": ["2024"]}}]
    assert len(body["aggs"]["status"]["filter"]["bool"]["filter"]) == 2


def test_no_words_match_all_but_the_tracking_entry_and_pages_stop_where_tantivys_do() -> None:
    assert search_body("", {}, limit=20, offset=0)["query"] == {
        "bool": {"must": [{"match_all": {}}], "must_not": [NOT_TRACKING]}
    }
    assert search_body("luật", {}, limit=20, offset=0)["query"]["bool"]["must_not"] == [
        NOT_TRACKING
    ]
    assert search_body("", {}, limit=100, offset=9_950)["size"] == 50
