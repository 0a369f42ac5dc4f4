"""Organisation events read as plain values, by the contract's own rules.

`parse_event` makes a pydantic model of every part of an event (the record, its address, its
sector, thirty changed fields…) and search then took the searched fields back out of them as
values: a third of its Python time per event in an import's burst. The contracts' validator of
plain values (`hoptac.contracts.plain`: each model of the contract's schema a typed dict of the
same fields, field schemas and configuration) accepts and refuses exactly what `parse_event`
does and gives what `model_dump` would. An event it refuses goes through `parse_event`, so that
the refusal is the contract's, word for word. `tests/unit/test_event_values.py` checks both
against each other on events made to break them, and the documents they give.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from hoptac.contracts.events import parse_event
from hoptac.contracts.plain import EVENT_VALUES


def event_values(raw: bytes) -> dict[str, Any]:
    """An organisation event's body as values (`parse_event(raw).model_dump()`, nested); raises
    `parse_event`'s own ValidationError for a body the contract refuses."""
    try:
        values: dict[str, Any] = EVENT_VALUES.validate_json(raw)
    except ValidationError:
        return parse_event(raw).model_dump()  # raises the contract's own error
    return values
