"""JSON columns written with orjson read back as the standard library would have written them."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.platform.json_columns import JSON_COLUMNS, JsonText, json_text

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


KEYS = st.text(max_size=6) | st.integers() | st.booleans() | st.none() | st.floats()
VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=12,
)


def _written(write: Any, value: Any) -> Any:
    try:
        return write(value)
    except orjson.JSONEncodeError as error:
        return type(error), str(error)


@given(VALUE)
def test_a_json_column_is_written_as_with_keys_not_text_asked_of_every_value(value: Any) -> None:
    """The oracle: orjson told of keys that are not text for every value, as it was."""
    asked = _written(lambda v: orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS).decode(), value)
    assert _written(json_text, value) == asked
