"""The contract's events validated into plain dicts instead of models.

Pydantic validates an event against a schema derived from the contract's models; building the
models themselves (a dozen per event, one per changed field) is a third of that work, and a
projection reads a few values out of them. Here every model of the contract's schema becomes a
typed dict with the same fields, the same field schemas and the same configuration, so the
checks are the contract's own: the same events pass, and each comes out as the model's
`model_dump()` would have it (reporting's `tests/unit/test_plain_events.py` and search's
`tests/unit/test_event_values.py` hold both to that).

The conversion knows only the schema types the contract uses today. A contract that grows a
validator, a computed field or a type not listed below makes building this module fail, rather
than check less than the contract does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import SchemaValidator

from hoptac.contracts.events import FieldChange, OrganizationEvent, parse_event

# Schema types that check a value without building a model: kept as they are.
_KEPT = frozenset(
    {
        "any",
        "bool",
        "date",
        "datetime",
        "default",
        "definition-ref",
        "definitions",
        "enum",
        "float",
        "int",
        "list",
        "literal",
        "nullable",
        "str",
        "tagged-union",
        "uuid",
    }
)
# What a model schema may hold for it to be a plain record of fields.
_MODEL_KEYS = frozenset(
    {"type", "cls", "schema", "config", "ref", "metadata", "custom_init", "root_model"}
)
_FIELDS_KEYS = frozenset({"type", "fields", "model_name", "computed_fields", "metadata"})
_FIELD_KEYS = frozenset({"type", "schema", "metadata"})


class NotPlain(TypeError):
    """The contract's schema holds something this conversion does not know to keep as is."""


def _model_default(model: type[BaseModel]) -> Callable[[], dict[str, Any]]:
    return lambda: model().model_dump()


# Fields a reader may leave out, by model: {model: names}. Only a field that takes any value
# and may be missing, of a model that ignores unknown fields, can be left out: read or not, it
# refuses nothing.
Unread = Mapping[type[BaseModel], Collection[str]]


def _takes_anything(field_schema: Mapping[str, Any], config: Mapping[str, Any]) -> bool:
    return (
        config.get("extra_fields_behavior") == "ignore"
        and field_schema.get("type") == "default"
        and field_schema["schema"] == {"type": "any"}
    )


def _typed_dict(schema: Mapping[str, Any], unread: Unread) -> dict[str, Any]:
    fields_schema = schema["schema"]
    if (
        set(schema) - _MODEL_KEYS
        or schema.get("custom_init")
        or schema.get("root_model")
        or fields_schema.get("type") != "model-fields"
        or set(fields_schema) - _FIELDS_KEYS
        or fields_schema.get("computed_fields")
    ):
        raise NotPlain(f"{schema.get('ref')}: not a plain record of fields")
    left_out = unread.get(schema["cls"], ())
    fields = {}
    for name, field in fields_schema["fields"].items():
        if set(field) - _FIELD_KEYS:
            raise NotPlain(f"{schema.get('ref')}.{name}: {sorted(set(field) - _FIELD_KEYS)}")
        if name in left_out:
            if not _takes_anything(field["schema"], schema.get("config", {})):
                raise NotPlain(f"{schema.get('ref')}.{name}: leaving it out would refuse less")
            continue
        inner = plain(field["schema"], unread)
        fields[name] = {
            "type": "typed-dict-field",
            "schema": inner,
            "required": inner["type"] != "default",
        }
    typed: dict[str, Any] = {"type": "typed-dict", "fields": fields}
    for key in ("config", "ref"):
        if key in schema:
            typed[key] = schema[key]
    return typed


def plain(schema: Mapping[str, Any], unread: Unread | None = None) -> Any:
    """`schema` (a pydantic core schema) with every model turned into a typed dict, without
    the fields `unread` names."""
    unread = unread or {}
    kind = schema.get("type")
    if kind == "model":
        return _typed_dict(schema, unread)
    if kind not in _KEPT:
        raise NotPlain(f"schema type {kind!r}")
    converted = dict(schema)
    for key in ("schema", "items_schema"):
        if key in schema:
            converted[key] = plain(schema[key], unread)
    if "definitions" in schema:
        converted["definitions"] = [plain(item, unread) for item in schema["definitions"]]
    if "choices" in schema:
        converted["choices"] = {tag: plain(item, unread) for tag, item in schema["choices"].items()}
    if isinstance(schema.get("default"), BaseModel):
        raise NotPlain(f"a model as a default: {schema['default']!r}")
    factory = schema.get("default_factory")
    if isinstance(factory, type) and issubclass(factory, BaseModel):
        converted["default_factory"] = _model_default(factory)  # a model's default, as a dict
    return converted


# An organisation event checked by the contract's rules into the values its model's
# `model_dump()` would give.
EVENT_VALUES = SchemaValidator(plain(TypeAdapter(OrganizationEvent).core_schema))
# The same checks, for a reader of the record alone: each changed field without its values
# (`before` and `after` take any value, so reading them refuses nothing; building them was a
# sixth of the work), and only keys kept in pydantic's string cache (the values are mostly
# distinct: caching them cost more than it saved).
RECORD_EVENT_VALUES = SchemaValidator(
    plain(TypeAdapter(OrganizationEvent).core_schema, unread={FieldChange: ("before", "after")}),
    config={"cache_strings": "keys"},
)


def event_values(
    raw: bytes | str | Mapping[str, Any], *, changed_values: bool = True
) -> dict[str, Any]:
    """An organisation event (a message body, or a decoded envelope) as values:
    `parse_event(raw).model_dump()`, without the models; with `changed_values=False`, each of
    `changed_fields` holds its `field` only (the same events accepted). What it refuses is
    checked again by the contract's own models, so that the ValidationError raised is the
    contract's, word for word."""
    validator = EVENT_VALUES if changed_values else RECORD_EVENT_VALUES
    try:
        values: dict[str, Any] = (
            validator.validate_python(raw)
            if isinstance(raw, Mapping)
            else validator.validate_json(raw)
        )
    except ValidationError:
        return parse_event(raw).model_dump()  # raises the contract's own error
    return values
