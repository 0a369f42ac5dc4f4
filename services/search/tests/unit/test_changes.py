from __future__ import annotations

from datetime import date

import pytest

from hoptac.search.domain.changes import Remove, Upsert, applies, newest_per_organization
from hoptac.search.domain.documents import SearchDocument, document_from_record
from hoptac.search.domain.filters import by_name

pytestmark = pytest.mark.unit
FILTERS = by_name()


def doc(id_: str, version: int) -> SearchDocument:
    return SearchDocument(
        id=id_,
        version=version,
        name="HTX A",
        registration_number="1",
        kind="cooperative",
        status="operating",
        sector_group="agriculture",
        province_code="96",
        registered_on=date(2020, 1, 1),
    )


def test_the_newest_version_of_each_organisation_wins_in_any_order() -> None:
    changes = [Upsert(doc("a", 2)), Remove("a", 3), Upsert(doc("a", 1)), Upsert(doc("b", 1))]
    winners = newest_per_organization(changes)
    assert winners == [Remove("a", 3), Upsert(doc("b", 1))]


def test_only_a_newer_version_applies() -> None:
    assert applies(Upsert(doc("a", 1)), None)
    assert applies(Upsert(doc("a", 3)), 2)
    assert not applies(Upsert(doc("a", 2)), 2)
    assert not applies(Upsert(doc("a", 2)), 3)  # 3 may be a tombstone: no resurrection


def test_a_record_becomes_a_document_with_current_and_legacy_areas(record) -> None:  # type: ignore[no-untyped-def]
    document = document_from_record(
        record(ocop_products=[{"name": "Mật ong", "stars": 4}, {"name": "Gạo", "stars": 3}])
    )
    assert FILTERS["commune"].indexed(document) == ["31825", "31834"]
    assert FILTERS["province"].indexed(document) == ["96", "95"]
    assert document.ocop_stars == 4
    assert document.digital == ("computer", "internet")
    assert document.item()["registered_on"] == "2015-03-12"
