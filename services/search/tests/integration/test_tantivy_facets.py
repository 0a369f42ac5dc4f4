"""tantivy's two ways of counting facets give the same answer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hoptac.search.adapters.tantivy_facets import count_by_aggregation, count_in_python
from hoptac.search.adapters.tantivy_index import TantivyIndex
from hoptac.search.domain.changes import Upsert
from hoptac.search.domain.documents import document_from_record
from hoptac.search.domain.filters import by_name
from hoptac.search.domain.query import parse_search

pytestmark = pytest.mark.integration
DECLARED = by_name()


async def test_counting_in_python_equals_the_aggregations(tmp_path: Path, record) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    records = []
    for n in range(300):
        legacy = rng.choice([None, {"province_code": "95", "commune_code": f"3{n % 7:04d}"}])
        records.append(
            record(
                name=f"Hợp tác xã {rng.choice(['An', 'Bình', 'Cường'])} {n}",
                kind=rng.choice(DECLARED["kind"].values),
                status=rng.choice(DECLARED["status"].values),
                sector={"group": rng.choice(DECLARED["sector"].values), "vsic": []},
                operating_in_practice=rng.choice(DECLARED["operating_in_practice"].values),
                ocop_products=[{"name": "Gạo", "stars": 4}] if rng.random() < 0.2 else [],
                digital={f: rng.random() < 0.4 for f in DECLARED["digital"].values},
                address={
                    "province_code": rng.choice(["96", "01", "79"]),
                    "commune_code": rng.choice([None, f"{n % 11:05d}"]),
                    "legacy": legacy,
                },
            )
        )
    index = TantivyIndex(tmp_path / "index")
    await index.apply([Upsert(document_from_record(r)) for r in records])
    generation = index.current
    searcher = generation.index.searcher()
    for q, filters in (("", {}), ("bình", {}), ("", {"status": ["operating"]})):
        query = generation.queries.all_of(
            [
                *([generation.queries.text_query(q, False)] if q else []),
                *generation.queries.filters(parse_search(q, filters)),
            ]
        )
        hits = searcher.search(query, 1000).hits
        assert count_in_python(searcher, [a for _, a in hits]) == count_by_aggregation(
            searcher, query
        )
    await index.close()
