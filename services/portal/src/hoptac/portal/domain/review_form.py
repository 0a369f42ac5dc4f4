"""The review of an import's proposals as the workspace asks for it: which page of them to
list, which to approve (those ticked, or every one submitted, sent to collection in steps it
accepts), the comments to return one with (one per field, and/or `_` on the whole proposal),
each bounded and checked here as collection bounds it, so that a mistake is shown beside its
control; and what an approval came to. Collection checks again and decides (a second person,
the area, the proposal's state)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from hoptac.portal.domain.search_form import Problem

APPROVE_STEP = 1000  # the most ids collection approves in one request
MAX_COMMENT = 2000  # collection's bound on a comment
WHOLE = "_"  # a comment on the whole proposal rather than one field
FIELD_PATH = re.compile(r"[a-z_0-9.]{1,100}")  # a field's JSON path, as collection names it


PAGE_SIZE = 200  # proposals listed on an import's page at once, each with a box to tick
# A proposal's states in collection, each shown by its label ("imp.state.<state>").
PROPOSAL_STATES = (
    "draft",
    "submitted",
    "returned",
    "applying",
    "applied",
    "partly_applied",
    "refused",
)
# The page's query: the state shown, and the page after or before a proposal's id.
STATE_PARAM, AFTER_PARAM, BEFORE_PARAM = "trang-thai", "sau", "truoc"


@dataclass(frozen=True)
class Listing:
    """Which of an import's proposals to list: those in one state (or all), the first page,
    the page after one proposal (next) or the one before it (previous), in collection's id
    order."""

    state: str | None = None
    after: str | None = None
    before: str | None = None

    def asked(self) -> dict[str, str]:
        """Collection's query for this page, one more than a page to learn whether more
        follow in the direction paged."""
        asked = {"limit": str(PAGE_SIZE + 1)}
        for name, value in (("state", self.state), ("after", self.after), ("before", self.before)):
            if value:
                asked[name] = value
        return asked

    def link(self, after: str | None = None, before: str | None = None) -> str:
        """The page's query string for the page after or before a proposal, keeping the
        state shown."""
        query = {STATE_PARAM: self.state, AFTER_PARAM: after, BEFORE_PARAM: before}
        return urlencode({name: value for name, value in query.items() if value})


def _uuid_or_none(value: str | None) -> str | None:
    try:
        return str(UUID(value)) if value and len(value) <= 36 else None
    except ValueError:
        return None


def read_listing(params: Mapping[str, str]) -> Listing:
    """The listing a page's query asks for (the page after an id rather than before one, if
    both are asked); anything unknown is left out, not refused."""
    state = params.get(STATE_PARAM)
    after = _uuid_or_none(params.get(AFTER_PARAM))
    return Listing(
        state if state in PROPOSAL_STATES else None,
        after,
        None if after else _uuid_or_none(params.get(BEFORE_PARAM)),
    )


@dataclass(frozen=True)
class ProposalPage:
    items: list[dict[str, Any]]
    previous: str | None  # the first id shown, when a page comes before it
    next: str | None  # the last id shown, when a page follows it


def page_of(found: Sequence[dict[str, Any]], listing: Listing) -> ProposalPage:
    """The page shown from what collection answered to `listing.asked()`."""
    if listing.before:
        items = list(found[-PAGE_SIZE:])
        more_before = len(found) > PAGE_SIZE
        return ProposalPage(
            items,
            str(items[0]["id"]) if items and more_before else None,
            str(items[-1]["id"]) if items else None,
        )
    items = list(found[:PAGE_SIZE])
    return ProposalPage(
        items,
        str(items[0]["id"]) if items and listing.after else None,
        str(items[-1]["id"]) if len(found) > PAGE_SIZE else None,
    )


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


# Steps sent to collection at once: while collection stores one step's outcome the registry
# applies the other's. Collection holds each step's proposals locked until their outcome is
# stored, and steps never share a proposal.
STEPS_SIDE_BY_SIDE = 2


def steps(ids: Sequence[str]) -> Iterable[list[list[str]]]:
    """`ids` in steps of what collection approves at once, `STEPS_SIDE_BY_SIDE` steps together."""
    together = APPROVE_STEP * STEPS_SIDE_BY_SIDE
    for start in range(0, len(ids), together):
        chunk = ids[start : start + together]
        yield [list(chunk[at : at + APPROVE_STEP]) for at in range(0, len(chunk), APPROVE_STEP)]


# A comment's form field is named by this and its field's path. Collection takes at most 100
# comments: the workspace's forms carry at most 100 fields, the form token one of them.
COMMENT_PREFIX = "comment:"


def comment_control(path: str) -> str:
    """The id of the text box of a comment on `path`, where its problem is shown."""
    return f"comment-{path}"


def read_comments(
    sent: Iterable[tuple[str, str]],
) -> tuple[dict[str, str], dict[str, str], list[Problem]]:
    """The comments a proposal is returned with, one per field (`comment:<path>`, or
    `comment:_` on the whole proposal), those left empty dropped; with what was typed, to show
    again beside its problem."""
    typed: dict[str, str] = {}
    problems: list[Problem] = []
    for name, value in sent:
        if not name.startswith(COMMENT_PREFIX):
            continue
        path, text = name.removeprefix(COMMENT_PREFIX), value.strip()
        if path != WHOLE and not FIELD_PATH.fullmatch(path):
            problems.append(Problem(comment_control(WHOLE), "error.review_field"))
            continue
        typed[path] = value
        if len(text) > MAX_COMMENT:
            problems.append(Problem(comment_control(path), "error.review_comment_too_long"))
    comments = {path: text.strip() for path, text in typed.items() if text.strip()}
    if not comments and not problems:
        problems.append(Problem(comment_control(WHOLE), "error.review_comment_required"))
    return ({} if problems else comments), typed, problems


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
