"""The contract suite of the search-index port: every test here runs against each adapter.

tantivy runs everywhere (an index in a temporary directory). OpenSearch runs when
OPENSEARCH_URL points at a server (e.g. http://127.0.0.1:9200); each test gets its own index
names, deleted afterwards. No OpenSearch server can be installed on the build machines, so there
that half is skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.port import SearchIndex
from hoptac.search.domain.changes import Upsert
from hoptac.search.domain.documents import document_from_record

BACKENDS = [
    pytest.param("tantivy", marks=pytest.mark.integration),
    pytest.param("opensearch", marks=[pytest.mark.integration, pytest.mark.opensearch]),
]


async def open_index(backend: str, tmp_path: Path) -> SearchIndex:
    if backend == "tantivy":
        from hoptac.search.adapters.tantivy_index import TantivyIndex

        return TantivyIndex(tmp_path / "index")
    url = os.environ.get("OPENSEARCH_URL")
    if not url:
        pytest.skip(
            "OpenSearch half of the contract suite: set OPENSEARCH_URL (e.g. "
            "http://127.0.0.1:9200) to run it; no OpenSearch server is reachable here"
        )
    from hoptac.search.adapters.opensearch_index import OpenSearchIndex

    index = OpenSearchIndex(url, f"hoptac-test-{uuid.uuid4().hex[:12]}")
    await index.ensure()
    return index


@pytest.fixture(params=BACKENDS)
async def index(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SearchIndex]:
    opened = await open_index(request.param, tmp_path)
    try:
        yield opened
    finally:
        drop = getattr(opened, "drop", None)
        if drop is not None:
            await drop()
        await opened.close()


Upserts = Callable[[list[dict[str, Any]]], list[Upsert]]


@pytest.fixture(scope="session")
def upserts() -> Upserts:
    def make(records: list[dict[str, Any]]) -> list[Upsert]:
        return [Upsert(document_from_record(r, official_areas())) for r in records]

    return make
