"""A document's metadata: the rules a change must keep, and what a change changed.

Metadata is a mapping of JSON values (the HTTP layer has checked each field's type and bounds);
these rules are the ones between fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hoptac.library.domain.errors import InvalidFields, Problem
from hoptac.library.domain.numbers import is_number, normalise, number_key
from hoptac.platform.text import Text, shown

# The fields staff enter and correct; `file` is attached apart (PUT …/file).
METADATA_FIELDS = (
    "number",
    "title",
    "type",
    "issuer",
    "signed_on",
    "in_force_from",
    "status",
    "amends",
    "replaces",
    "kinds",
    "sectors",
    "topics",
    "area",
    "summary",
)
RELATIONS = ("amends", "replaces")


def checked(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata with numbers written one way, or InvalidFields naming every problem."""
    problems: list[Problem] = []
    result = dict(metadata)
    if not is_number(metadata["number"]):
        problems.append(
            Problem("body.number", Text("library.number_shape", value=shown(metadata["number"])))
        )
    result["number"] = normalise(metadata["number"])
    for relation in RELATIONS:
        numbers = []
        for position, number in enumerate(metadata.get(relation) or []):
            where = f"body.{relation}.{position}"
            if not is_number(number):
                problems.append(Problem(where, Text("library.number_shape", value=shown(number))))
            elif number_key(number) == number_key(metadata["number"]):
                problems.append(Problem(where, Text("library.relation_to_itself")))
            numbers.append(normalise(number))
        result[relation] = list(dict.fromkeys(numbers))
    in_force, signed = metadata.get("in_force_from"), metadata.get("signed_on")
    if in_force is not None and signed is not None and in_force < signed:
        problems.append(Problem("body.in_force_from", Text("library.in_force_before_signed")))
    for tags in ("kinds", "sectors", "topics"):
        result[tags] = sorted(set(metadata.get(tags) or []))
    if problems:
        raise InvalidFields(problems)
    return result


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each field whose value differs, with its value before and after (a document from before
    provisions were recorded has none, the same as an empty set)."""
    was, now = {"provisions": [], **before}, {"provisions": [], **after}
    return [
        {"field": name, "before": was.get(name), "after": now.get(name)}
        for name in (*METADATA_FIELDS, "file", "provisions")
        if was.get(name) != now.get(name)
    ]
