"""pydantic's and the JSON parser's refusals as catalogue texts: each kind of error a request
can make gets a sentence a person can act on, in their language, without a regular expression
or a parser's internals in it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hoptac.platform.text import Text, TextError, shown

# StrictJsonRequest's own decoder message, for a key given twice in one object.
DUPLICATE_KEY = "Duplicate key "

# The messages of Python's JSON decoder (json.decoder, json.scanner), by their first words.
_JSON_PROBLEMS = {
    "Expecting value": Text("part.json_expecting_value"),
    "Expecting ',' delimiter": Text("part.json_expecting_comma"),
    "Expecting ':' delimiter": Text("part.json_expecting_colon"),
    "Expecting property name enclosed in double quotes": Text("part.json_expecting_key"),
    "Unterminated string": Text("part.json_unterminated_string"),
    "Invalid control character": Text("part.json_control_character"),
    "Invalid \\escape": Text("part.json_bad_escape"),
    "Invalid \\uXXXX escape": Text("part.json_bad_escape"),
    "Extra data": Text("part.json_extra_data"),
}


def json_problem(decoder_message: str) -> Text:
    if decoder_message.startswith(DUPLICATE_KEY):
        return Text("part.json_duplicate_key", key=decoder_message.removeprefix(DUPLICATE_KEY))
    for start, problem in _JSON_PROBLEMS.items():
        if decoder_message.startswith(start):
            return problem
    return Text("part.json_malformed")


def _json_invalid(error: dict[str, Any], body: Any) -> Text:
    position = error.get("loc", ("body", 0))[-1]
    text = body if isinstance(body, str) else ""
    if not isinstance(position, int):
        position = 0
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    problem = json_problem(str((error.get("ctx") or {}).get("error", "")))
    return Text("json.invalid", line=line, column=column, problem=problem)


_DIGITS = re.compile(r"^\^\\d\{(\d+)(?:,(\d+))?\}\$$")
_DIGITS_EITHER = re.compile(r"^\^\(\\d\{(\d+)\}\|\\d\{(\d+)\}\)\$$")


def pattern_text(value: object, pattern: str) -> Text:
    """A regular expression a person can read: `^\\d{5}$` is "5 digits"."""
    if match := _DIGITS.match(pattern):
        low, high = match.groups()
        if high:
            return Text("validation.digits_between", value=shown(value), low=low, high=high)
        return Text("validation.digits", value=shown(value), count=low)
    if match := _DIGITS_EITHER.match(pattern):
        return Text("validation.digits_either", value=shown(value), first=match[1], second=match[2])
    return Text("validation.pattern", value=shown(value))


def _choices(expected: object) -> str:
    """pydantic writes "'a', 'b' or 'c'"; the catalogue's sentence says "one of" itself."""
    head, _, last = str(expected).rpartition(" or ")
    return f"{head}, {last}" if head else last


def _bound(kind: str, limit: object) -> Text:
    if isinstance(limit, date) and kind.startswith("greater"):
        return Text("validation.date_not_before", limit=limit.isoformat())
    if isinstance(limit, date):
        return Text("validation.date_not_after", limit=limit.isoformat())
    if kind == "greater_than":
        return Text("validation.greater_than", limit=limit)
    if kind == "greater_than_equal":
        return Text("validation.at_least", limit=limit)
    if kind == "less_than":
        return Text("validation.less_than", limit=limit)
    return Text("validation.at_most", limit=limit)


_TYPES = {
    ("int_parsing", "int_type", "int_from_float"): Text("validation.whole_number"),
    ("float_parsing", "float_type", "decimal_parsing", "decimal_type"): Text("validation.number"),
    ("bool_parsing", "bool_type"): Text("validation.boolean"),
    ("string_type",): Text("validation.text"),
    ("string_unicode",): Text("validation.unicode"),
    ("list_type", "tuple_type", "set_type"): Text("validation.list"),
    ("dict_type", "model_type", "model_attributes_type"): Text("validation.object"),
    ("uuid_parsing", "uuid_type", "uuid_version"): Text("validation.uuid"),
    (
        "date_parsing",
        "date_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    ): Text("validation.date"),
    ("datetime_parsing", "datetime_type", "datetime_from_date_parsing"): Text(
        "validation.datetime"
    ),
}


def validation_text(error: dict[str, Any], body: Any) -> Text:
    """The message for one of pydantic's errors; an unforeseen kind gets the general one."""
    kind, context = str(error.get("type")), error.get("ctx") or {}
    if kind in ("model_attributes_type", "dict_type") and tuple(error.get("loc", ())) == ("body",):
        return Text("http.send_json")
    raised = context.get("error")
    if kind == "value_error" and isinstance(raised, TextError):
        return raised.text
    if kind == "json_invalid":
        return _json_invalid(error, body)
    if kind == "string_pattern_mismatch":
        return pattern_text(error.get("input"), str(context.get("pattern")))
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        limit = next(iter(v for k, v in context.items() if k in ("gt", "ge", "lt", "le")), "")
        return _bound(kind, limit)
    simple = {
        "missing": Text("validation.missing"),
        "extra_forbidden": Text("validation.extra_forbidden"),
        "string_too_long": Text("validation.string_too_long", max=context.get("max_length")),
        "string_too_short": Text("validation.string_too_short", min=context.get("min_length")),
        "too_long": Text("validation.too_long", max=context.get("max_length")),
        "too_short": Text("validation.too_short", min=context.get("min_length")),
        "enum": Text("validation.one_of", choices=_choices(context.get("expected"))),
        "literal_error": Text("validation.one_of", choices=_choices(context.get("expected"))),
    }
    if kind in simple:
        return simple[kind]
    for kinds, text in _TYPES.items():
        if kind in kinds:
            return text
    return Text("validation.invalid")
