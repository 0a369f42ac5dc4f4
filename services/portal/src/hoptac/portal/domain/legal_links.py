"""The legal basis of the register's rules, linked to the article staff recorded in the library.

The registry cites documents by number for each rule (with the rule's code); the library keeps,
per rule and document, the article staff recorded. A citation with one links to the article's
anchor on the document's page, the others to the document."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

Citations = dict[str, list[dict[str, Any]]]


def _number_key(number: str) -> str:
    """As the library compares numbers: case, spacing and Unicode form aside."""
    return "".join(unicodedata.normalize("NFC", number).split()).casefold()


def with_articles(
    basis: Mapping[str, Sequence[Mapping[str, Any]]], provisions: Sequence[Mapping[str, Any]]
) -> Citations:
    """Each citation of `basis` (key -> citations with `rule` and `number`) with the `article`
    recorded for its rule and document, or None."""
    recorded = {
        (p["rule"], _number_key(p["number"])): p["article"] for p in provisions if p.get("article")
    }
    return {
        key: [
            {**c, "article": recorded.get((c.get("rule"), _number_key(c["number"])))}
            for c in citations
        ]
        for key, citations in basis.items()
    }
