"""Generate the committed JSON Schemas and AsyncAPI document from the event models.

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
from hoptac.contracts.events import (
    EVENT_MODELS,
    SCHEMA_VERSION,
    STREAM,
    SUBJECT_PREFIX,
    OrganizationEvent,
)
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


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for event, model in EVENT_MODELS.items():
        schema = model.model_json_schema(
            mode="serialization", ref_template="#/components/schemas/{model}"
        )
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        messages[model.__name__] = {
            "name": event.event_type,
            "title": model.__name__,
            "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else None,
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {"Nats-Msg-Id": {"type": "string", "description": "= event_id"}},
            },
            "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
        }
        channel = f"org_{event.value}"
        channels[channel] = {
            "address": f"{SUBJECT_PREFIX}.{event.value}.{{province_code}}",
            "description": f"`{event.event_type}` events of one province (stream {STREAM}).",
            "parameters": {
                "province_code": {"description": "Current province code, 2 digits, e.g. 96."}
            },
            "messages": {model.__name__: {"$ref": f"#/components/messages/{model.__name__}"}},
        }
        operations[f"publish_{event.value}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"The registry publishes `{event.event_type}` after its change commits.",
        }
    for message in messages.values():
        if message["summary"] is None:
            del message["summary"]
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "hoptac organisation events",
            "version": f"{SCHEMA_VERSION}.0.0",
            "description": (
                f"Change events of the collective-economy register, on JetStream stream {STREAM}. "
                "Consumers apply an event only when its organization_version is newer than the "
                "one they hold; `sequence` orders the registry's whole change log."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "embedded": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "The local stack started by `make run`.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


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
    files["asyncapi.json"] = dump(asyncapi_document())
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
