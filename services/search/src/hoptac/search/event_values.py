"""Organisation events read as plain values, by the contract's own rules.

`parse_event` makes a pydantic model of every part of an event (the record, its address, its
sector, thirty changed fields…) and search then took the searched fields back out of them as
values: a third of its Python time per event in an import's burst. This validator is made from
the contract's core schema itself: each model becomes a typed dict with the same fields and the
same field schemas (types, patterns, bounds, enumerations, defaults, the event-type
discriminator, the tolerance of unknown fields), so that an event is accepted or refused by
exactly the contract's rules, and comes out as the values `model_dump` would give. An event it
refuses goes through `parse_event`, so that the refusal is the contract's, word for word.
`tests/unit/test_event_values.py` checks both against each other on events made to break them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import SchemaValidator

from hoptac.contracts.events import OrganizationEvent, parse_event

# What a model's schema may hold besides its fields: whatever else (a validator of the whole
# model, a custom __init__, an alias) could accept or refuse differently as a typed dict, and
# stops the service at start instead (the contract has none today).
_MODEL_KEYS = {"type", "cls", "schema", "config", "ref", "metadata", "custom_init", "root_model"}
_FIELDS_KEYS = {"type", "fields", "model_name", "computed_fields"}
_FIELD_KEYS = {"type", "schema", "metadata", "serialization_alias"}


def _as_values(schema: Any) -> Any:
    """`schema` with each model made a typed dict of the same fields and configuration."""
    if isinstance(schema, list):
        return [_as_values(part) for part in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if isinstance(kind, str) and kind.startswith("function-"):
        raise TypeError(f"the contract has a {kind} validator: not read as values")
    if kind == "model":
        return _typed_dict(schema)
    converted = {key: _as_values(value) for key, value in schema.items()}
    factory = schema.get("default_factory")
    if kind == "default" and isinstance(factory, type) and issubclass(factory, BaseModel):
        converted["default_factory"] = _dumped(factory)  # a default model, as its values
    return converted


def _dumped(model: type[BaseModel]) -> Callable[[], dict[str, Any]]:
    return lambda: model().model_dump()


def _typed_dict(model: dict[str, Any]) -> dict[str, Any]:
    fields = model["schema"]
    if (
        set(model) - _MODEL_KEYS
        or model.get("custom_init")
        or model.get("root_model")
        or fields["type"] != "model-fields"
        or set(fields) - _FIELDS_KEYS
        or fields.get("computed_fields")
    ):
        raise TypeError(f"{model['cls'].__name__}: a model not read as values")
    typed: dict[str, Any] = {}
    for name, field in fields["fields"].items():
        if set(field) - _FIELD_KEYS:
            raise TypeError(f"{model['cls'].__name__}.{name}: a field not read as values")
        inner = _as_values(field["schema"])
        required = inner["type"] != "default"  # as a model's field is
        typed[name] = {"type": "typed-dict-field", "schema": inner, "required": required}
    out: dict[str, Any] = {"type": "typed-dict", "fields": typed, "config": model.get("config")}
    if "ref" in model:
        out["ref"] = model["ref"]
    return out


CONTRACT_VALUES = SchemaValidator(_as_values(TypeAdapter(OrganizationEvent).core_schema))


def event_values(raw: bytes) -> dict[str, Any]:
    """An organisation event's body as values (`parse_event(raw).model_dump()`, nested); raises
    `parse_event`'s own ValidationError for a body the contract refuses."""
    try:
        values: dict[str, Any] = CONTRACT_VALUES.validate_json(raw)
    except ValidationError:
        return parse_event(raw).model_dump()  # raises the contract's own error
    return values
