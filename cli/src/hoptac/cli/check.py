"""`hoptac check`: does every projection agree with the registry?

The registry is the truth: every organisation's id, version and status (its public list), and
its change log. Against it: the search index (documents, statuses, change-log position),
reporting's statistics (organisations by status, today), the notifications feed (the same
events, sequence by sequence) and its snapshot (ids, versions, statuses). Projections follow
the registry a moment behind, so a check that finds differences looks again until `wait`
seconds have passed before it reports them.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

PAGE = 200
EVENTS_PAGE = 1000
SHOWN = 10  # differences listed per kind; the rest are counted


@dataclass(frozen=True)
class Urls:
    registry: str
    search: str | None
    reporting: str | None
    notifications: str | None


@dataclass
class Truth:
    """What the registry holds: id -> (version, status), and its change log's last sequence."""

    organizations: dict[str, tuple[int, str]] = field(default_factory=dict)
    last_sequence: int = 0

    @property
    def statuses(self) -> Counter[str]:
        return Counter(status for _, status in self.organizations.values())


@dataclass(frozen=True)
class Difference:
    part: str
    what: str


class Unreachable(Exception):
    """A part did not answer; the check cannot say whether it agrees."""


async def _get(http: httpx.AsyncClient, url: str, **params: Any) -> Any:
    try:
        response = await http.get(url, params=params)
    except httpx.HTTPError as error:
        raise Unreachable(f"{url}: {type(error).__name__}") from error
    if response.status_code != 200:
        raise Unreachable(f"{url} answered {response.status_code}: {response.text[:200]}")
    return response.json()


async def _change_log(http: httpx.AsyncClient, url: str) -> AsyncIterator[list[dict[str, Any]]]:
    """Pages of events from a change log that pages with `after` (the registry's, the feed)."""
    after = 0
    while True:
        page = await _get(http, url, after=after, limit=EVENTS_PAGE)
        if not page["events"]:
            return
        yield page["events"]
        after = page["next"]


async def registry_truth(
    public: httpx.AsyncClient, staff: httpx.AsyncClient, registry: str
) -> Truth:
    """The public list (no restricted field is read) and the change log (a token's)."""
    truth = Truth()
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
        page = await _get(public, f"{registry}/v1/organizations", **params)
        for item in page["items"]:
            truth.organizations[item["id"]] = (item["version"], item["status"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    async for events in _change_log(staff, f"{registry}/v1/changes"):
        truth.last_sequence = events[-1]["sequence"]
    return truth


def compare_counts(part: str, what: str, expected: Counter[str], got: Counter[str]) -> list[str]:
    return [
        f"{what} {key}: registry {expected[key]}, {part} {got[key]}"
        for key in sorted(expected.keys() | got.keys())
        if expected[key] != got[key]
    ]


def compare_organizations(
    expected: dict[str, tuple[int, str]], got: dict[str, tuple[int, str]]
) -> list[str]:
    missing = sorted(expected.keys() - got.keys())
    extra = sorted(got.keys() - expected.keys())
    changed = sorted(i for i in expected.keys() & got.keys() if expected[i] != got[i])
    found = []
    for label, ids in (("missing", missing), ("not in the registry", extra)):
        found += [f"{label}: {i}" for i in ids[:SHOWN]]
        if len(ids) > SHOWN:
            found.append(f"{label}: {len(ids) - SHOWN} more")
    for i in changed[:SHOWN]:
        (version, status), (theirs, their_status) = expected[i], got[i]
        found.append(f"{i}: registry v{version} {status}, here v{theirs} {their_status}")
    if len(changed) > SHOWN:
        found.append(f"differing: {len(changed) - SHOWN} more")
    return found


async def check_search(http: httpx.AsyncClient, url: str, truth: Truth) -> list[str]:
    index = await _get(http, f"{url}/v1/index")
    answer = await _get(http, f"{url}/v1/search", limit=1)
    found = compare_counts("search", "status", truth.statuses, Counter(answer["facets"]["status"]))
    if index["documents"] != len(truth.organizations):
        found.append(f"documents: registry {len(truth.organizations)}, search {index['documents']}")
    if index["last_sequence"] != truth.last_sequence:
        found.append(
            f"change log: registry at {truth.last_sequence}, search at {index['last_sequence']}"
        )
    return found


async def check_reporting(http: httpx.AsyncClient, url: str, truth: Truth) -> list[str]:
    stats = await _get(http, f"{url}/v1/stats", group_by="status")
    counted = Counter({row["status"]: row["organizations"] for row in stats["rows"]})
    return compare_counts("reporting", "status", truth.statuses, +counted)


async def check_feed(http: httpx.AsyncClient, url: str, registry: str) -> list[str]:
    """The feed holds the registry's events, the same event at each sequence, and no other."""
    ours = _change_log(http, f"{registry}/v1/changes")
    theirs = _change_log(http, f"{url}/v1/feed")
    found: list[str] = []
    expected = {e["sequence"]: e["event_id"] async for page in ours for e in page}
    got = {e["sequence"]: e["event_id"] async for page in theirs for e in page}
    for sequence in sorted(expected.keys() | got.keys()):
        if expected.get(sequence) != got.get(sequence):
            found.append(
                f"sequence {sequence}: registry {expected.get(sequence)}, feed {got.get(sequence)}"
            )
    return found[:SHOWN] + ([f"{len(found) - SHOWN} more"] if len(found) > SHOWN else [])


async def check_snapshot(http: httpx.AsyncClient, url: str, truth: Truth) -> list[str]:
    snapshot = await _get(http, f"{url}/v1/snapshot")
    held = {r["id"]: (r["version"], r["status"]) for r in snapshot["organizations"]}
    return compare_organizations(truth.organizations, held)


Check = Callable[[Truth], Awaitable[list[str]]]


async def run_check(
    urls: Urls, token: str | None, wait: float, report: Callable[[str], None]
) -> list[Difference]:
    """Every difference still there after `wait` seconds (an empty list: all agree)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = httpx.Timeout(60.0)
    async with (
        httpx.AsyncClient(timeout=timeout) as public,
        httpx.AsyncClient(timeout=timeout, headers=headers) as staff,
    ):
        checks: dict[str, Check] = {}
        if urls.search:
            checks["search"] = lambda t: check_search(public, urls.search or "", t)
        if urls.reporting:
            checks["reporting"] = lambda t: check_reporting(public, urls.reporting or "", t)
        if urls.notifications and token:
            checks["feed"] = lambda t: check_feed(staff, urls.notifications or "", urls.registry)
            checks["snapshot"] = lambda t: check_snapshot(staff, urls.notifications or "", t)
        deadline = time.monotonic() + wait
        while True:
            truth = await registry_truth(public, staff, urls.registry)
            report(
                f"registry: {len(truth.organizations)} organisations, change log at "
                f"{truth.last_sequence}"
            )
            differences = [
                Difference(part, what)
                for part, check in checks.items()
                for what in await check(truth)
            ]
            if not differences or time.monotonic() >= deadline:
                return differences
            report(f"{len(differences)} differences; looking again (projections may lag)")
            await asyncio.sleep(1.0)
