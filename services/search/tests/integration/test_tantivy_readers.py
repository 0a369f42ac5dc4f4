"""Searches in reader processes (`search_processes`): the same answers as in the writer's
process, every commit searchable at once, and a reindex's switch followed."""

from __future__ import annotations

from pathlib import Path

import pytest

from hoptac.search.adapters.tantivy_index import TantivyIndex
from hoptac.search.domain.changes import Remove, Upsert
from hoptac.search.domain.documents import document_from_record
from hoptac.search.domain.query import parse_search

pytestmark = pytest.mark.integration

NAMES = [
    "Hợp tác xã Nông nghiệp Tân Hưng",
    "Hợp tác xã Hoà Bình",
    "Hợp tác xã Hòa Bình Xanh",
    "Tổ hợp tác Rau sạch Hoà Bình",
    "Quỹ tín dụng nhân dân Tân Hiệp",
]


async def test_readers_answer_as_the_writer_and_see_every_commit(tmp_path: Path, record) -> None:  # type: ignore[no-untyped-def]
    index = TantivyIndex(tmp_path / "search", search_processes=1)
    await index.prepare()
    try:
        records = [record(name=n, registration_number=f"600100000{i}") for i, n in enumerate(NAMES)]
        await index.apply([Upsert(document_from_record(r)) for r in records], last_sequence=5)
        for q, filters in (("hoà bình", {}), ("tan", {}), ("", {"kind": ["cooperative"]})):
            query = parse_search(q, filters)
            assert await index.search(query) == index.current.search(query)
        assert await index.suggest("htx tân h", 5) == index.current.suggest("htx tân h", 5)
        by_commune = parse_search("", {"kind": ["cooperative"]})
        assert await index.communes(by_commune) == index.current.communes(by_commune)

        renamed = {**records[0], "name": "Hợp tác xã Thủy sản Cái Nước", "version": 2}
        await index.apply([Upsert(document_from_record(renamed))], last_sequence=6)
        found = await index.search(parse_search("thuy san cai nuoc", {}))
        assert [item["version"] for item in found.items] == [2]

        await index.apply([Remove(records[1]["id"], 2)], last_sequence=7)
        assert (await index.search(parse_search("", {}))).total == len(NAMES) - 1

        build = await index.start_build()
        await build.apply([Upsert(document_from_record(records[4]))], last_sequence=7)
        await build.finish()
        await index.switch_to(build)
        answer = await index.search(parse_search("", {}))
        assert [item["name"] for item in answer.items] == [NAMES[4]]
    finally:
        await index.close()


async def test_a_reader_that_dies_is_replaced(tmp_path: Path, record) -> None:  # type: ignore[no-untyped-def]
    index = TantivyIndex(tmp_path / "search", search_processes=1)
    await index.prepare()
    try:
        await index.apply([Upsert(document_from_record(record(name=NAMES[1])))])
        readers = index._readers
        assert readers is not None
        (reader,) = readers._all
        reader.process.kill()
        await reader.process.wait()
        for _ in range(2):
            assert (await index.search(parse_search("hoà bình", {}))).total == 1
    finally:
        await index.close()
