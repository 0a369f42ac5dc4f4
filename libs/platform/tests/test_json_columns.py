"""JSON columns written with orjson read back as the standard library would have written them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hoptac.platform.json_columns import JSON_COLUMNS, JsonText

pytestmark = pytest.mark.unit

VALUES: list[Any] = [
    {"name": "Hợp tác xã Tân Hưng", "members": 25, "vsic": ["0111"], "lat": 9.29, "x": None},
    [{"field": "address.commune_code", "before": None, "after": "31825"}],
    {1: "keys that are not text become text", "nested": {"ok": True}},
]


@pytest.mark.parametrize("value", VALUES)
def test_a_json_column_holds_what_the_standard_library_would_write(value: Any) -> None:
    text = JSON_COLUMNS["json_serializer"](value)
    assert json.loads(text) == json.loads(json.dumps(value))
    assert JSON_COLUMNS["json_deserializer"](text) == json.loads(json.dumps(value))


@pytest.mark.parametrize("value", VALUES[:2])
def test_json_already_written_is_stored_as_it_is(value: Any) -> None:
    written = JsonText(json.dumps(value, ensure_ascii=False))
    assert JSON_COLUMNS["json_serializer"](written) is written
    assert json.loads(written) == value
