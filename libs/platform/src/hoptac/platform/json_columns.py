"""JSON columns written and read with orjson: pass `**JSON_COLUMNS` to `create_async_engine`.

A service that stores a JSON value per row (the registry's record, changes, event and audit of
every change; collection's proposals) spent a tenth of a bulk write's CPU in the standard
library's encoder. orjson writes the same JSON, several times faster.
"""

from __future__ import annotations

from typing import Any

import orjson


class JsonText(str):
    """A value already written as JSON (by a model's serializer, or once for two columns):
    stored as it is, not written again."""


def json_text(value: Any) -> str:
    """`value` as the JSON text a column stores."""
    if isinstance(value, JsonText):
        return value
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        # Keys that are not text are written as text, as the standard library does. Asked of
        # every value, this took twice as long for keys that are all text, written the same.
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


JSON_COLUMNS: dict[str, Any] = {"json_serializer": json_text, "json_deserializer": orjson.loads}
