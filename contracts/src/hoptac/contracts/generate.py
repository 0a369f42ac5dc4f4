"""Generate the committed JSON Schemas from the event models (the AsyncAPI document, which
also needs the consumers' declarations, comes from `hoptac.platform.asyncapi`).

Run `python -m hoptac.contracts.generate [folder]` (default: `contracts/` beside this package);
`contracts/tests/test_schemas.py` fails when the committed files differ from what this produces.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from hoptac.contracts.codes import EventName
from hoptac.contracts.events import EVENT_MODELS, SCHEMA_VERSION, OrganizationEvent
from hoptac.contracts.library import (
    LIBRARY_EVENT_MODELS,
    LIBRARY_SCHEMA_VERSION,
    DocumentEvent,
    DocumentEventName,
)

CONTRACTS_DIR = Path(__file__).resolve().parents[3]


def event_schema_name(event: EventName) -> str:
    return f"organization.{event.value}.v{SCHEMA_VERSION}.schema.json"


def any_event_schema() -> dict[str, Any]:
    schema = TypeAdapter(OrganizationEvent).json_schema(mode="serialization")
    schema["title"] = "OrganizationEvent"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def event_schema(event: EventName) -> dict[str, Any]:
    schema = EVENT_MODELS[event].model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def library_schemas() -> dict[str, dict[str, Any]]:
    """The policy library's events (`hoptac.contracts.library`), file name -> schema."""
    schemas: dict[str, dict[str, Any]] = {}
    for event in DocumentEventName:
        model = LIBRARY_EVENT_MODELS[event]
        schemas[f"{event.event_type}.v{LIBRARY_SCHEMA_VERSION}.schema.json"] = (
            model.model_json_schema(mode="serialization")
        )
    schemas[f"document-event.v{LIBRARY_SCHEMA_VERSION}.schema.json"] = TypeAdapter(
        DocumentEvent
    ).json_schema(mode="serialization") | {"title": "DocumentEvent"}
    for schema in schemas.values():
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schemas


def rendered_files() -> dict[str, str]:
    """Relative path -> file text, exactly as committed."""

    def dump(document: dict[str, Any]) -> str:
        return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    files = {f"schemas/{event_schema_name(e)}": dump(event_schema(e)) for e in EventName}
    files[f"schemas/organization-event.v{SCHEMA_VERSION}.schema.json"] = dump(any_event_schema())
    files.update({f"schemas/{name}": dump(schema) for name, schema in library_schemas().items()})
    return files


def main(argv: list[str]) -> None:
    target = Path(argv[1]) if len(argv) > 1 else CONTRACTS_DIR
    for relative, text in rendered_files().items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv)
