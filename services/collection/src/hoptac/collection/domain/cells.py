"""One cell read as the value its column holds: a date written 30/07/2022 or as a spreadsheet
date, a number with Vietnamese grouping (4.497), Có/Không, a code or its label from a drop-down.
What cannot be read is a `CellProblem` with a Vietnamese message."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from hoptac.collection.domain.fields import CodeList, Field, Value
from hoptac.collection.domain.folding import fold
from hoptac.contracts.vietnamese_text import nfc_clean
from hoptac.platform.text import SHOWN_LENGTH, Text

# A coded column repeats a few labels down a whole file: each way of writing one is folded once
# (as many as a file could hold different are not kept).
_folded = lru_cache(maxsize=4096)(fold)


class Codes:
    """One code list: each code's label, and every code found by its label as well."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = dict(labels)
        self._by_folded = {fold(label): code for code, label in self.labels.items()}
        self._by_folded.update({fold(code): code for code in self.labels})

    def __contains__(self, code: object) -> bool:
        return code in self.labels

    def find(self, text: str) -> str | None:
        return self._by_folded.get(_folded(text))

    def choice(self, code: str) -> str:
        """How the drop-down shows a code: the label for words, "code - label" for numbers."""
        label = self.labels[code]
        return f"{code} - {label}" if code.isdigit() else label


CodeLists = Mapping[CodeList, Codes]


class CellProblem(Exception):
    def __init__(self, code: str, message: Text) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_GROUPED = re.compile(r"^-?\d{1,3}(?:[. ]\d{3})+$")
_PLAIN = re.compile(r"^-?\d+$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_LEADING_CODE = re.compile(r"^\s*(\d{2,5})\b")
YES = frozenset({"co", "x", "yes", "true", "1"})
NO = frozenset({"khong", "no", "false", "0"})


def read_cell(raw: Any, field: Field, code_lists: CodeLists) -> Any:
    """The value of one non-empty cell for `field`, or CellProblem."""
    if field.value is Value.INTEGER:
        return _integer(raw)
    if field.value is Value.DATE:
        return _date(raw)
    if field.value is Value.BOOLEAN:
        return _boolean(raw)
    if field.value is Value.CODE:
        assert field.codes is not None
        return _code(raw, field.codes, code_lists)
    if field.value is Value.CODES:
        assert field.codes is not None
        parts = [part for part in re.split(r"[;\n]", _text(raw)) if part.strip()]
        return [_code(part, field.codes, code_lists) for part in parts]
    return _text(raw)


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a number typed in a text column: 6001000001, not 6001000001.0
    return nfc_clean(str(raw))


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise CellProblem("type_error", Text("collection.integer_not_boolean"))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise CellProblem("type_error", Text("collection.integer_fraction", value=raw))
    text = _text(raw)
    if _PLAIN.match(text) or _GROUPED.match(text):
        return int(text.replace(".", "").replace(" ", ""))
    raise CellProblem("type_error", Text("collection.integer_text", value=_quoted(text)))


def _date(raw: Any) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    text = _text(raw)
    try:
        if match := _DAY_MONTH_YEAR.match(text):
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        if match := _ISO_DAY.match(text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        raise CellProblem(
            "type_error", Text("collection.date_not_on_calendar", value=_quoted(text))
        ) from None
    raise CellProblem("type_error", Text("collection.date_form", value=_quoted(text)))


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    folded = _folded(_text(raw))
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise CellProblem("type_error", Text("collection.boolean", value=_quoted(_text(raw))))


def _code(raw: Any, codes: CodeList, code_lists: CodeLists) -> str:
    known = code_lists[codes]
    text = _text(raw)
    if text in known:
        return text
    if match := _LEADING_CODE.match(text):  # "31825 - Phường Bạc Liêu", as the drop-down shows
        if match.group(1) in known:
            return match.group(1)
        raise CellProblem("unknown_code", Text("collection.code_unknown", code=match.group(1)))
    found = known.find(text)
    if found is not None:
        return found
    raise CellProblem("unknown_code", Text("collection.label_unknown", value=_quoted(text)))


def _quoted(text: str) -> str:
    """A value as a message quotes it: enough to find it, never a whole cell."""
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"
