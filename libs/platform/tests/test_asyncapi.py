"""The committed AsyncAPI document is what FastStream's declarations produce, and the official
AsyncAPI parser finds no error in it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from hoptac.contracts.codes import EventName
from hoptac.contracts.events import SUBJECT_PREFIX
from hoptac.contracts.library import DocumentEventName, document_subject
from hoptac.platform.asyncapi import DOCUMENT, PROJECTIONS, asyncapi_document, rendered

pytestmark = pytest.mark.unit

LINT_TOOLS = Path(__file__).resolve().parents[3] / "tools" / "lint"
VALIDATOR = LINT_TOOLS / "validate-asyncapi.mjs"


def test_the_committed_document_is_generated_from_the_declarations() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == rendered(), (
        "contracts/asyncapi.json drifted from the declarations: run `make contracts` and review"
    )


def test_it_shows_what_the_registry_and_the_library_publish_and_what_each_projection_consumes() -> (
    None
):
    document = asyncapi_document()
    operations = document["operations"]
    for event in EventName:
        operation = operations[f"registry:{event.value}"]
        assert operation["action"] == "send"
        channel = document["channels"][f"registry:{event.value}"]
        assert channel["address"] == f"{SUBJECT_PREFIX}.{event.value}.*"
    for projection in PROJECTIONS:
        assert operations[projection.durable]["action"] == "receive"
        assert document["channels"][projection.durable]["address"] == projection.subjects
    for document_event in DocumentEventName:
        assert operations[f"library:{document_event.value}"]["action"] == "send"
        channel = document["channels"][f"library:{document_event.value}"]
        assert channel["address"] == document_subject(document_event)
    schemas = document["components"]["schemas"]
    assert len(schemas["search:Message:Payload"]["oneOf"]) == len(EventName)
    assert len(schemas["search-library:Message:Payload"]["oneOf"]) == len(DocumentEventName)


def test_the_official_asyncapi_parser_finds_no_error() -> None:
    node = shutil.which("node")
    if node is None or not (LINT_TOOLS / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail("no AsyncAPI parser: `npm ci --ignore-scripts --prefix tools/lint` (make test)")
    answer = subprocess.run(
        [node, str(VALIDATOR), str(DOCUMENT)],
        cwd=LINT_TOOLS,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    diagnostics = [json.loads(line) for line in answer.stdout.splitlines()]
    errors = [d for d in diagnostics if d["severity"] == 0]
    assert answer.returncode == 0, (errors, answer.stderr)
    assert errors == []
