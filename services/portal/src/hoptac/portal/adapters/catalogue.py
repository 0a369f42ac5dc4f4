"""The one message catalogue: `locale/<language>/LC_MESSAGES/messages.po`, read with Babel.

Message ids are keys ("search.title"), so a text missing in a language is visible as a
missing key, and a test fails on it; the page falls back to Vietnamese, never to the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from hoptac.portal.domain.formatting import DEFAULT_LANGUAGE, LANGUAGES, Language

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@dataclass(frozen=True)
class Catalogue:
    messages: Mapping[Language, Mapping[str, str]]

    def text(self, language: Language, key: str, **values: object) -> str:
        message = self.messages[language].get(key) or self.messages[DEFAULT_LANGUAGE].get(key, key)
        return message % values if values else message


def po_path(language: Language) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def read_messages(path: Path) -> dict[str, str]:
    with path.open("rb") as file:
        catalog = read_po(file)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def load_catalogue() -> Catalogue:
    return Catalogue({language: read_messages(po_path(language)) for language in LANGUAGES})
