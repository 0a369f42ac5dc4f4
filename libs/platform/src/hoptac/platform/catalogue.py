"""The services' one catalogue of messages, and which of its languages a request gets.

`locale/<language>/LC_MESSAGES/errors.po`, read with Babel. Message ids are keys
("registry.status.final"), so a text missing in a language shows as a missing key and a test
fails on it. Values are filled in with `%(name)s`.

The language follows the request's `Accept-Language` (quality values honoured). English is the
default, so that clients written before Vietnamese messages existed keep reading what they read.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

from babel.messages.pofile import read_po

from hoptac.platform.text import Quantity, Text

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DEFAULT_LANGUAGE: Language = "en"

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# A header longer than this is read no further: no client needs more ranges to say what it wants.
MAX_RANGES = 20


def po_path(language: Language) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "errors.po"


def read_messages(path: Path) -> dict[str, str]:
    with path.open("rb") as file:
        catalog = read_po(file)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


@cache
def messages(language: Language) -> Mapping[str, str]:
    return read_messages(po_path(language))


def _quality(parameters: list[str]) -> float | None:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return None
            return quality if 0 <= quality <= 1 else None
    return 1.0


def negotiate(accept_language: str | None) -> Language:
    """The supported language the client prefers most (`vi-VN` counts as `vi`, `*` as the
    default); the earlier range wins a tie; the default when none is acceptable."""
    best: tuple[float, Language] | None = None
    for entry in (accept_language or "").split(",")[:MAX_RANGES]:
        tag, *parameters = entry.split(";")
        primary = tag.strip().lower().split("-")[0]
        supported = next((known for known in LANGUAGES if known == primary), None)
        language = DEFAULT_LANGUAGE if primary == "*" else supported
        quality = _quality(parameters)
        if language is None or quality is None or quality == 0:
            continue
        if best is None or quality > best[0]:
            best = (quality, language)
    return best[1] if best else DEFAULT_LANGUAGE


# Thousands separators: Vietnamese groups with a dot (4.497), English with a comma.
_GROUPING = {"vi": ".", "en": ","}


def _value(value: object, language: Language) -> str:
    if isinstance(value, Text):
        return render(value, language)
    if isinstance(value, Quantity):
        return f"{value.value:,}".replace(",", _GROUPING[language])
    if isinstance(value, list | tuple):
        return ", ".join(_value(item, language) for item in value)
    return str(value)


def render(text: Text, language: Language) -> str:
    """The text in `language`; in the other language, or as its key, only if the catalogue
    lacks it (which the catalogue's test forbids)."""
    other: Language = "en" if language == "vi" else "vi"
    template = messages(language).get(text.key) or messages(other).get(text.key)
    if template is None:
        return text.key
    return template % {name: _value(value, language) for name, value in text.values.items()}
