"""A filter is declared once (`domain/filters.py`): the parser, both engines' fields, the facets
and the OpenAPI parameters all follow from that declaration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PROBE = Path(__file__).with_name("declared_filter_probe.py")


def test_a_filter_declared_once_is_parsed_indexed_counted_and_documented(
    tmp_path: Path,
    record,  # type: ignore[no-untyped-def]
) -> None:
    given = json.dumps(record(address={"legacy": {"province_code": "95"}}))
    ran = subprocess.run(
        [sys.executable, str(PROBE), str(tmp_path / "index")],
        input=given,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    seen = json.loads(ran.stdout)
    assert seen["refused"] == ["legacy_province"]
    assert seen["tantivy"] == {"matches": 1, "elsewhere": 0, "facet": {"95": 1}}
    assert seen["opensearch"] == {
        "mapping": {"type": "keyword"},
        "source": ["95"],
        "filter": [{"terms": {"legacy_province": ["95"]}}],
        "facet": {"terms": {"field": "legacy_province", "size": 20}},
    }
    assert seen["openapi"] == ["Province code before 1 July 2025 (2 digits)."]
