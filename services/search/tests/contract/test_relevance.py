"""The relevance set (relevance.yaml) against every index adapter: each query's expected
organisation comes first (or within the first `within`)."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.port import SearchIndex
from hoptac.search.domain.changes import Upsert
from hoptac.search.domain.documents import SearchDocument, document_from_record
from hoptac.search.domain.query import parse_search

RELEVANCE = yaml.safe_load((Path(__file__).parent / "relevance.yaml").read_text("utf-8"))


def record_of(n: int, key: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A public record from a corpus entry; unit codes are official, their names come from the
    administrative-units data, as when the service indexes an event."""
    legacy = {"commune_code": entry["legacy"]} if "legacy" in entry else None
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"relevance/{key}")),
        "version": 1,
        "name": entry["name"],
        "registration_number": entry.get("regno", f"99{n:08d}"),
        "kind": entry.get("kind", "cooperative"),
        "status": "operating",
        "sector": {"group": entry.get("sector", "agriculture"), "vsic": entry.get("vsic", [])},
        "registered_on": (date(2010, 1, 1) + timedelta(days=37 * n)).isoformat(),
        "name_abbreviation": entry.get("abbreviation"),
        "name_foreign": entry.get("foreign"),
        "address": {
            "province_code": entry["province"],
            "commune_code": entry.get("commune"),
            "legacy": legacy,
            "text": entry.get("address"),
        },
        "ocop_products": [{"name": name, "stars": 4} for name in entry.get("ocop", [])],
    }


def corpus() -> dict[str, SearchDocument]:
    areas = official_areas()
    return {
        key: document_from_record(record_of(n, key, entry), areas)
        for n, (key, entry) in enumerate(RELEVANCE["corpus"].items())
    }


def test_the_set_is_large_enough() -> None:
    assert len(RELEVANCE["queries"]) >= 150
    assert {case["top"] for case in RELEVANCE["queries"]} <= set(RELEVANCE["corpus"])


async def test_every_query_finds_its_organisation_first(index: SearchIndex) -> None:
    documents = corpus()
    await index.apply([Upsert(d) for d in documents.values()])
    key_of = {d.id: key for key, d in documents.items()}
    misses: list[str] = []
    for case in RELEVANCE["queries"]:
        q = unicodedata.normalize("NFD", case["q"]) if case.get("nfd") else case["q"]
        within = int(case.get("within", 1))
        result = await index.search(parse_search(q, {}, limit=5))
        got = [key_of[item["id"]] for item in result.items]
        if case["top"] not in got[:within]:
            misses.append(f"{case['q']!r}: wanted {case['top']} in the first {within}, got {got}")
    assert not misses, f"{len(misses)} of {len(RELEVANCE['queries'])} missed:\n" + "\n".join(misses)
