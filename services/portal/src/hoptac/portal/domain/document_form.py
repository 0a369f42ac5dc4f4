"""The workspace's form of a policy library document: read from the posted fields, checked with
a message beside each field (catalogue keys), turned into the library's request body, and a
document shown back in the form. The library checks everything again (the shape of a number,
a duplicate, the file's type) and decides; this catches what a person can fix at once.

Form controls are named `doc_<field>` so that none shares a label with the record form's.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hoptac.contracts.codes import Kind, SectorGroup
from hoptac.contracts.library import DocumentStatus, DocumentType, Topic
from hoptac.portal.domain.record_form import parse_day
from hoptac.portal.domain.search_form import Problem

PREFIX = "doc_"
TEXTS = {"number": 60, "title": 500, "issuer": 200, "summary": 4000}  # the library's bounds
REQUIRED = {  # the field, and what to say when it is empty (or, for a choice, not one offered)
    "number": "error.doc_number_required",
    "title": "error.doc_title_required",
    "type": "error.doc_type_required",
    "issuer": "error.doc_issuer_required",
    "status": "error.doc_status_required",
}
CHOICES: dict[str, tuple[str, ...]] = {"type": tuple(DocumentType), "status": tuple(DocumentStatus)}
MANY: dict[str, tuple[str, ...]] = {
    "kinds": tuple(Kind),
    "sectors": tuple(SectorGroup),
    "topics": tuple(Topic),
}
DAYS = ("signed_on", "in_force_from")
RELATIONS = ("amends", "replaces")
MAX_RELATED = 50
MAX_REASON = 500
NUMBER_SEPARATORS = re.compile(r"[\s,;]+")
METADATA = (*TEXTS, *CHOICES, *DAYS, *RELATIONS, *MANY, "area")


@dataclass(frozen=True)
class DocumentForm:
    values: dict[str, str]  # each single control as typed, to show back
    chosen: dict[str, tuple[str, ...]]  # each group of check boxes
    problems: list[Problem] = field(default_factory=list)
    body: dict[str, Any] = field(default_factory=dict)  # the library's fields, when no problem


def control(name: str) -> str:
    return PREFIX + name


def parse_document_form(
    posted: Iterable[tuple[str, str]], provinces: Container[str], today: date
) -> DocumentForm:
    given: dict[str, list[str]] = {}
    for name, value in posted:
        if name.startswith(PREFIX):
            given.setdefault(name[len(PREFIX) :], []).append(value)

    def one(name: str, limit: int) -> str:
        return " ".join((given.get(name) or [""])[-1].split())[:limit]

    problems: list[Problem] = []
    values = {name: one(name, limit) for name, limit in TEXTS.items()}
    values["summary"] = (given.get("summary") or [""])[-1].strip()[: TEXTS["summary"]]
    values.update({name: one(name, 40) for name in (*CHOICES, *DAYS, "area")})
    values.update({name: one(name, 61 * MAX_RELATED) for name in RELATIONS})
    chosen = {
        name: tuple(v for v in dict.fromkeys(given.get(name, [])) if v in allowed)
        for name, allowed in MANY.items()
    }
    body: dict[str, Any] = {name: values[name] for name in (*TEXTS, *CHOICES)}
    for name, message in REQUIRED.items():
        if not values[name] or (name in CHOICES and values[name] not in CHOICES[name]):
            problems.append(Problem(control(name), message))
    for name in DAYS:
        day = parse_day(values[name]) if values[name] else None
        if values[name] and day is None:
            problems.append(Problem(control(name), "error.day_invalid"))
        elif day is not None and name == "signed_on" and day > today:
            problems.append(Problem(control(name), "error.day_future"))
        body[name] = day.isoformat() if day else None
    signed, in_force = body["signed_on"], body["in_force_from"]
    if signed and in_force and in_force < signed:
        problems.append(Problem(control("in_force_from"), "error.doc_in_force_before_signed"))
    for name in RELATIONS:
        numbers = list(dict.fromkeys(n for n in NUMBER_SEPARATORS.split(values[name]) if n))
        if len(numbers) > MAX_RELATED or any(not 3 <= len(n) <= 60 for n in numbers):
            problems.append(Problem(control(name), "error.doc_numbers_invalid"))
        body[name] = numbers[:MAX_RELATED]
    area = values["area"] or "national"
    if area != "national" and area not in provinces:
        problems.append(Problem(control("area"), "error.doc_area_invalid"))
    body.update({name: list(values) for name, values in chosen.items()}, area=area)
    return DocumentForm(values, chosen, problems, {} if problems else body)


def shown(document: Mapping[str, Any]) -> DocumentForm:
    """A document as its form shows it: days as Vietnamese readers write them."""
    values = {name: str(document.get(name) or "") for name in (*TEXTS, *CHOICES, "area")}
    for name in DAYS:
        day = document.get(name)
        values[name] = date.fromisoformat(day).strftime("%d/%m/%Y") if day else ""
    for name in RELATIONS:
        values[name] = ", ".join(document.get(name) or [])
    chosen = {name: tuple(document.get(name) or []) for name in MANY}
    return DocumentForm(values, chosen)


def corrections(body: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """What the form changes in the document: only those fields are sent, so a correction
    names what it corrects. A signing day cannot be emptied (the library keeps it)."""

    def differs(name: str) -> bool:
        if name in MANY:  # a set of values: the order of the boxes says nothing
            return set(body[name]) != set(current.get(name) or [])
        return bool(body[name] != current.get(name))

    changed = {name: body[name] for name in METADATA if differs(name)}
    if changed.get("signed_on", "") is None:
        del changed["signed_on"]
    return changed
