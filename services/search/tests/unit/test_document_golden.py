"""Every indexed document exactly as it was: a few hundred varied events (document_cases.py)
decoded and turned into the tantivy documents the index is given, compared field by field with
documents_golden.json. Making documents faster must not change one of them; when the index's
content is meant to change, rewrite the file with `python -m` on this module and review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from hoptac.search.adapters.tantivy_schema import to_tantivy
from hoptac.search.domain.changes import Upsert
from hoptac.search.handlers import decode

from .document_cases import events

pytestmark = pytest.mark.unit
GOLDEN = Path(__file__).parent / "documents_golden.json"


def documents() -> list[dict[str, Any]]:
    """The content of each case's tantivy document (the stored summary decoded from its bytes)."""
    out = []
    for body in events():
        change, _ = decode(body)
        assert isinstance(change, Upsert)
        content = to_tantivy(change.document).to_dict()
        content["item"] = [orjson.loads(value) for value in content["item"]]
        out.append(content)
    return out


def test_every_document_is_as_it_was() -> None:
    golden = orjson.loads(GOLDEN.read_bytes())
    made = documents()
    assert len(made) == len(golden)
    for number, (document, expected) in enumerate(zip(made, golden, strict=True)):
        assert document == expected, f"case {number}"


if __name__ == "__main__":
    lines = (orjson.dumps(document, option=orjson.OPT_SORT_KEYS) for document in documents())
    GOLDEN.write_bytes(b"[\n" + b",\n".join(lines) + b"\n]\n")  # a document a line
    sys.stdout.write(f"wrote {GOLDEN}\n")
