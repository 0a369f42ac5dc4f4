"""The committed schemas are the contract other agencies build on: they must match the models."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from hoptac.contracts.generate import CONTRACTS_DIR, rendered_files

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("relative", sorted(rendered_files()))
def test_committed_schema_matches_the_models(relative: str) -> None:
    committed = CONTRACTS_DIR / relative
    assert committed.exists(), f"{relative} is missing: run `make contracts`"
    assert committed.read_text(encoding="utf-8") == rendered_files()[relative], (
        f"{relative} drifted from the models: run `make contracts` and review the change; "
        "a breaking change needs a new schema_version"
    )


def test_every_schema_is_valid_json_schema() -> None:
    for relative in rendered_files():
        if relative.startswith("schemas/"):
            schema = json.loads((CONTRACTS_DIR / relative).read_text(encoding="utf-8"))
            jsonschema.Draft202012Validator.check_schema(schema)


def test_contracts_dir_is_the_folder_holding_the_schemas() -> None:
    assert (CONTRACTS_DIR / "pyproject.toml").exists()
    assert Path(CONTRACTS_DIR / "schemas").is_dir()


def test_a_field_added_later_is_ignored_by_readers_of_this_version() -> None:
    from hoptac.contracts.events import parse_event

    event = json.loads((CONTRACTS_DIR / "tests" / "sample-status-changed.json").read_text())
    event["data"]["record"]["field_of_a_later_release"] = "x"
    event["new_envelope_field"] = 1
    parsed = parse_event(json.dumps(event))
    assert parsed.event_type == "organization.status_changed"
    schema = json.loads((CONTRACTS_DIR / "schemas/organization-event.v1.schema.json").read_text())
    jsonschema.validate(event, schema)
