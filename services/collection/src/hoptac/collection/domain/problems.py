"""A problem found in an uploaded file, shaped like a frictionless validation report's error:
where (row and column as the spreadsheet shows them, the header being row 1), what (a code), and
a message a person can act on: in Vietnamese, or in English when the request asks for it.

A batch keeps its problems rendered in both languages (`stored`), so that its report reads the
same later in either."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hoptac.platform.catalogue import LANGUAGES, Language, render
from hoptac.platform.text import Text


@dataclass(frozen=True)
class Problem:
    code: str
    message: Text
    row: int | None = None  # None: the whole file
    column: str | None = None  # the spreadsheet's letter, e.g. "C"
    field: str | None = None  # the field's JSON path

    def _place(self) -> dict[str, Any]:
        where = {"row": self.row, "column": self.column, "field": self.field}
        return {key: value for key, value in where.items() if value is not None}

    def as_json(self, language: Language) -> dict[str, Any]:
        return {**self._place(), "code": self.code, "message": render(self.message, language)}

    def stored(self) -> dict[str, Any]:
        messages = {language: render(self.message, language) for language in LANGUAGES}
        return {**self._place(), "code": self.code, "messages": messages}


def shown(stored: Mapping[str, Any], language: Language) -> dict[str, Any]:
    """A stored problem as the API shows it, in `language` (a batch kept before messages were
    kept in both languages has its Vietnamese one only)."""
    shape = {key: value for key, value in stored.items() if key not in ("messages", "message")}
    messages = stored.get("messages") or {}
    return {**shape, "message": messages.get(language) or stored.get("message", "")}


def column_letter(index: int) -> str:
    """The spreadsheet's name of the column at `index` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
