"""The error catalogue is complete in both languages, every key the code uses is in it, and
every text keeps the one style: a sentence that starts with a capital and ends with a full stop
(phrases set inside a sentence, keys `part.*`, excepted), in NFC."""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from hoptac.platform.catalogue import LANGUAGES, Language, po_path, read_messages

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [ROOT / "libs" / "platform" / "src", *sorted((ROOT / "services").glob("*/src"))]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def text_calls() -> Iterator[tuple[str, str, set[str] | None]]:
    """(where, key, the names of its values, or None when passed as **values) of every
    `Text("key", ...)` in the code."""
    for source in SOURCES:
        for path in source.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "Text"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    names = {k.arg for k in node.keywords}
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    yield where, node.args[0].value, None if None in names else names  # type: ignore[misc]


def catalogue() -> dict[Language, dict[str, str]]:
    return {language: read_messages(po_path(language)) for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_in_use_has_a_text_in_each_language(language: Language) -> None:
    missing = sorted({key for _, key, _ in text_calls()} - catalogue()[language].keys())
    assert missing == [], f"add these to {po_path(language)}"


def test_no_key_is_unused() -> None:
    assert sorted(catalogue()["en"].keys() - {key for _, key, _ in text_calls()}) == []


def test_both_languages_have_the_same_keys_and_the_same_placeholders() -> None:
    vi, en = catalogue()["vi"], catalogue()["en"]
    assert vi.keys() == en.keys()
    for key in vi:
        assert set(PLACEHOLDER.findall(vi[key])) == set(PLACEHOLDER.findall(en[key])), key


def test_every_use_passes_exactly_the_values_its_text_needs() -> None:
    texts = catalogue()["en"]
    wrong = [
        (where, key, sorted(names), sorted(set(PLACEHOLDER.findall(texts[key]))))
        for where, key, names in text_calls()
        if names is not None and key in texts and names != set(PLACEHOLDER.findall(texts[key]))
    ]
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_a_sentence_in_nfc_that_formats(language: Language) -> None:
    for key, text in catalogue()[language].items():
        assert unicodedata.normalize("NFC", text) == text, key
        filled = text % {name: "x" for name in PLACEHOLDER.findall(text)}
        if key.startswith("part."):
            continue
        first_letter = next(ch for ch in PLACEHOLDER.sub("", text) if ch.isalpha())
        assert first_letter.isupper() or text.startswith(("%", "'")), (key, text)
        # A sentence may end with another one put in (`%(problem)s`), which ends itself.
        assert filled.endswith((".", "?")) or text.endswith("%(problem)s"), (key, text)
