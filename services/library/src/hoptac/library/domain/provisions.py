"""Which article of a document is the basis of which rule the register applies.

The rules are the registry's (its GET /v1/reference/legal-basis): each rule code with the
documents it cites. Staff may record, for a document, an article of its own text for a rule that
cites it; the project never names an article itself, so nothing is recorded until staff do.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from hoptac.library.domain.errors import InvalidFields, Problem
from hoptac.library.domain.numbers import number_key
from hoptac.platform.text import Text, shown

# A rule's code, and the number keys of the documents it cites.
Rules = Mapping[str, Collection[str]]


def checked_provisions(
    provisions: Sequence[Mapping[str, Any]], number: str, rules: Rules, anchors: Collection[str]
) -> list[dict[str, str]]:
    """The provisions in rule order, or InvalidFields naming every one that cannot stand: a
    rule the register does not have, one that does not cite this document, one given twice, an
    article this document's text does not have."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for position, provision in enumerate(provisions):
        rule, article = provision["rule"], provision["article"]
        where = f"body.provisions.{position}"
        if rule not in rules:
            problems.append(
                Problem(f"{where}.rule", Text("library.rule_unknown", rule=shown(rule)))
            )
        elif number_key(number) not in rules[rule]:
            problems.append(
                Problem(f"{where}.rule", Text("library.rule_not_citing", rule=rule, number=number))
            )
        elif rule in seen:
            problems.append(Problem(f"{where}.rule", Text("library.rule_twice", rule=rule)))
        if article not in anchors:
            values = {"article": shown(article), "number": number}
            message = (
                Text("library.article_unknown", **values)
                if anchors
                else Text("library.no_articles", **values)
            )
            problems.append(Problem(f"{where}.article", message))
        seen.add(rule)
    if problems:
        raise InvalidFields(problems)
    return sorted(
        ({"rule": p["rule"], "article": p["article"]} for p in provisions),
        key=lambda p: p["rule"],
    )
