"""The workspace's form of a document's provisions: for each rule of the register that cites
the document, the article staff choose (or none). Read from the posted fields, bounded, and
turned into the library's request body; the library checks the rules and articles again."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from hoptac.portal.domain.search_form import Problem

PREFIX = "rule-"
MAX_ANCHOR = 60  # as the library bounds an anchor


def control(rule: str) -> str:
    return PREFIX + rule


def parse_provisions(
    posted: Iterable[tuple[str, str]], rules: Collection[str], anchors: Collection[str]
) -> tuple[list[dict[str, str]], list[Problem]]:
    """The provisions chosen, in rule order, and a problem beside each choice not offered."""
    chosen = {
        name[len(PREFIX) :]: value.strip()[:MAX_ANCHOR]
        for name, value in posted
        if name.startswith(PREFIX) and name[len(PREFIX) :] in rules
    }
    problems = [
        Problem(control(rule), "error.provision_article_unknown")
        for rule, anchor in chosen.items()
        if anchor and anchor not in anchors
    ]
    provisions = [
        {"rule": rule, "article": anchor} for rule, anchor in sorted(chosen.items()) if anchor
    ]
    return provisions, problems


def refused_problems(
    fields: Sequence[tuple[str, str]], provisions: Sequence[dict[str, str]]
) -> list[Problem]:
    """The library's refusal (paths `body.provisions.<n>.<rule|article>`) beside each choice."""
    problems = []
    for path, _message in fields:
        parts = path.split(".")
        if len(parts) >= 3 and parts[1] == "provisions" and parts[2].isdigit():
            position = int(parts[2])
            if position < len(provisions):
                rule = provisions[position]["rule"]
                problems.append(Problem(control(rule), "error.provision_refused"))
    return list(dict.fromkeys(problems))
