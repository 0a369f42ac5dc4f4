"""JSON-like values as the services' domains handle them."""

from __future__ import annotations

from typing import Any


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-like data: dicts and lists copied all the way down, the rest (text,
    numbers, booleans, None) shared, being immutable. A record or a change holds nothing else,
    so this is `copy.deepcopy` without its bookkeeping (cycles, shared objects), which cost the
    registry more than any rule it checks, and reporting's fold a good part of its time."""
    if isinstance(value, dict):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    return value
