"""A message for a person, named by its catalogue key and its values, rendered late.

Code that finds a problem (a domain rule, a validator) says *what* with a `Text`; the HTTP layer
renders it in the language the request asked for (`catalogue.render`). Values may be `Text`
themselves (a phrase inside a sentence) or lists of values, rendered in the same language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol


@dataclass(frozen=True, init=False)
class Text:
    key: str
    values: Mapping[str, object]

    def __init__(self, key: str, /, **values: object) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "values", MappingProxyType(values))

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted((k, repr(v)) for k, v in self.values.items()))))

    def __str__(self) -> str:
        """In English, for logs, tracebacks and the command line; answers to a request are
        rendered in its language instead."""
        from hoptac.platform.catalogue import render  # the catalogue imports this module

        return render(self, "en")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.key, dict(self.values)) == (
            other.key,
            dict(other.values),
        )


class FieldMessage(Protocol):
    """A problem with one field: its dotted path and what to do about it."""

    @property
    def field(self) -> str: ...

    @property
    def message(self) -> Text: ...


@dataclass(frozen=True)
class Quantity:
    """A number written with the grouping of the reader's language: 4,000 or 4.000 (not for
    years, codes or ids, which are never grouped)."""

    value: int


class TextError(ValueError):
    """Raised by a pydantic validator so that the refusal is rendered from the catalogue like
    every other message (pydantic keeps the exception in the error's `ctx`)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text)
        self.text = text


# An echoed value is cut here: a message quotes enough to find the value, never a whole body.
SHOWN_LENGTH = 60


def shown(value: object) -> str:
    """A value quoted in a message, as the sender wrote it, cut to `SHOWN_LENGTH` characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


# At most this many fields are named in the summary; `errors` lists them all.
SUMMARY_FIELDS = 5


def fix_these_fields(problems: Sequence[FieldMessage]) -> Text:
    """The one summary of a 422, whichever service answers: the field to fix and what is wrong
    with it, or the fields to fix, by name."""
    fields = list(dict.fromkeys(problem.field for problem in problems))
    if len(problems) == 1:
        return Text("fields.fix_one", field=problems[0].field, problem=problems[0].message)
    named = fields[:SUMMARY_FIELDS] + (["…"] if len(fields) > SUMMARY_FIELDS else [])
    return Text("fields.fix", fields=", ".join(named))
