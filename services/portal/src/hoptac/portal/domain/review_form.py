"""The review of an import's proposals as the workspace asks for it: which proposals to approve
(those ticked, or every one submitted, sent to collection in steps it accepts), a comment to
return one with (on one field, or `_` for the whole proposal), each bounded and checked here so
that a mistake is shown beside its control; and what an approval came to. Collection checks
again and decides (a second person, the area, the proposal's state)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from hoptac.portal.domain.search_form import Problem

APPROVE_STEP = 1000  # the most ids collection approves in one request
MAX_COMMENT = 2000  # collection's bound on a comment
WHOLE = "_"  # a comment on the whole proposal rather than one field
FIELD_PATH = re.compile(r"[a-z_0-9.]{1,100}")  # a field's JSON path, as collection names it


def read_ticked(sent: Sequence[str]) -> tuple[list[str], list[Problem]]:
    """The ticked proposals' ids, each a UUID, at most one step's worth."""
    if not sent:
        return [], [Problem("approve", "error.review_none_ticked")]
    if len(sent) > APPROVE_STEP:
        return [], [Problem("approve", "error.review_too_many")]
    try:
        ids = [str(UUID(value)) for value in sent]
    except ValueError:
        return [], [Problem("approve", "error.review_none_ticked")]
    return list(dict.fromkeys(ids)), []


def steps(ids: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), APPROVE_STEP):
        yield list(ids[start : start + APPROVE_STEP])


@dataclass(frozen=True)
class Comment:
    field: str
    text: str


def read_comment(field: str, text: str, control: str) -> tuple[Comment | None, list[Problem]]:
    """The comment a proposal is returned with; its problems are shown at `control`."""
    path = field.strip() or WHOLE
    comment = text.strip()
    if path != WHOLE and not FIELD_PATH.fullmatch(path):
        return None, [Problem(control, "error.review_field")]
    if not comment:
        return None, [Problem(control, "error.review_comment_required")]
    if len(comment) > MAX_COMMENT:
        return None, [Problem(control, "error.review_comment_too_long")]
    return Comment(path, comment), []


def field_paths(change: Mapping[str, Any]) -> list[str]:
    """The fields a proposal changes, as JSON paths (`address.commune_code`), to comment on."""
    paths: list[str] = []

    def walk(value: Mapping[str, Any], prefix: str) -> None:
        for key, inner in value.items():
            if isinstance(inner, Mapping):
                walk(inner, f"{prefix}{key}.")
            elif FIELD_PATH.fullmatch(f"{prefix}{key}"):
                paths.append(f"{prefix}{key}")

    walk(change.get("record") or {}, "")
    return paths


@dataclass
class Outcome:
    """What approving came to: proposals applied, partly applied, refused by the registry, and
    left submitted because their record changed since (stale)."""

    applied: int = 0
    partly_applied: int = 0
    refused: int = 0
    stale: int = 0

    def count(self, proposals: Iterable[Mapping[str, Any]]) -> None:
        for proposal in proposals:
            if proposal.get("stale") and proposal.get("state") == "submitted":
                self.stale += 1
            elif proposal.get("state") in ("applied", "partly_applied", "refused"):
                field = str(proposal["state"])
                setattr(self, field, getattr(self, field) + 1)
