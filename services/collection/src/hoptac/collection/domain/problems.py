"""A problem found in an uploaded file, shaped like a frictionless validation report's error:
where (row and column as the spreadsheet shows them, the header being row 1), what (a code), and
a message in Vietnamese a person can act on."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    row: int | None = None  # None: the whole file
    column: str | None = None  # the spreadsheet's letter, e.g. "C"
    field: str | None = None  # the field's JSON path

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


def column_letter(index: int) -> str:
    """The spreadsheet's name of the column at `index` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
