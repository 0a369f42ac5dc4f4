"""Declares one filter more, before anything reads the declaration, then prints what the parser,
both engines and the OpenAPI document made of it (as JSON). Run in a fresh interpreter by
`test_one_filter_declaration.py`: `python declared_filter_probe.py <index folder>`, with a
record's JSON on stdin."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from hoptac.search.domain import filters

filters.FILTERS = (
    *filters.FILTERS,
    filters.Filter(
        "legacy_province",
        "legacy_province",
        "legacy_province_code",
        filters.Shape.CODE,
        "Province code before 1 July 2025",
        digits=2,
    ),
)

# Imported only now, so that every part reads the declaration above.
from hoptac.search.adapters.opensearch_index import (  # noqa: E402
    MAPPINGS,
    OpenSearchIndex,
    Queries,
    source_of,
)
from hoptac.search.adapters.tantivy_index import TantivyIndex  # noqa: E402
from hoptac.search.domain.changes import Upsert  # noqa: E402
from hoptac.search.domain.documents import document_from_record  # noqa: E402
from hoptac.search.domain.query import InvalidQuery, parse_search  # noqa: E402
from hoptac.search.entrypoints.http.app import create_app  # noqa: E402


async def probe(folder: Path, record: dict[str, Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    try:
        parse_search(None, {"legacy_province": ["9"]})
    except InvalidQuery as refused:
        seen["refused"] = [problem.field for problem in refused.problems]
    query = parse_search(None, {"legacy_province": ["95"]})
    elsewhere = parse_search(None, {"legacy_province": ["01"]})
    document = document_from_record(record)

    index = TantivyIndex(folder)
    await index.apply([Upsert(document)])
    found = await index.search(query)
    seen["tantivy"] = {
        "matches": found.total,
        "elsewhere": (await index.search(elsewhere)).total,
        "facet": found.facets.get("legacy_province"),
    }
    await index.close()

    opensearch = OpenSearchIndex("http://127.0.0.1:9", "unused")
    seen["opensearch"] = {
        "mapping": MAPPINGS["properties"].get("legacy_province"),
        "source": source_of(document).get("legacy_province"),
        "filter": Queries.filters(query)[1:],
        "facet": opensearch._body(query, None)["aggs"].get("legacy_province"),
    }
    await opensearch.close()

    parameters = create_app().openapi()["paths"]["/v1/search"]["get"]["parameters"]
    seen["openapi"] = [p["description"] for p in parameters if p["name"] == "legacy_province"]
    return seen


if __name__ == "__main__":
    given = json.loads(sys.stdin.read())
    print(json.dumps(asyncio.run(probe(Path(sys.argv[1]), given))))
