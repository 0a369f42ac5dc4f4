"""An approval's outcome kept as the proposal's step of the review (`store.record_outcomes`)
reads, lists, audits and frees the proposal's row key as the outcome written into the
proposal's own row did: the oracle is the approval's bookkeeping before it, `store.settle` with
the step's columns then `store.audit_many`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from hoptac.collection.adapters import store
from hoptac.collection.adapters.migrations import MIGRATIONS
from hoptac.platform.json_columns import JSON_COLUMNS
from hoptac.platform.migrations import migrate_to

pytestmark = pytest.mark.integration

SUBMITTED_AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
MARKED_AT = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
APPROVED_AT = datetime(2026, 12, 5, 9, 31, tzinfo=UTC)
REVIEWER = "người duyệt"
STATES = ("applied", "partly_applied", "refused", "submitted")  # submitted: stale

TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
RESULTS = st.lists(st.dictionaries(TEXT, JSON, max_size=4), max_size=3)


def proposal(key: str, state: str = "draft", submitted_by: str | None = None) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "batch_id": None,
        "row_number": 2,
        "row_key": key,
        "organization_id": None,
        "base_version": 3,
        "province_code": "96",
        "commune_code": "31825",
        "change": {"record": {"name": "Hợp tác xã"}},
        "state": state,
        "author": "tác giả",
        "created_at": datetime.now(UTC),
        "submitted_by": submitted_by,
        "submitted_at": SUBMITTED_AT if submitted_by else None,
        "comments": [],
    }


async def settled_in_own_row(
    conn: AsyncConnection, ids: list[UUID], outcomes: list[tuple[UUID, str, dict[str, Any]]]
) -> None:
    """The approval's bookkeeping before outcomes were kept as steps."""
    rows = {row.id: row for row in await store.proposals_by_id(conn, ids)}
    changed = []
    audited = []
    for id_, state, outcome in outcomes:
        steps = {name: getattr(rows[id_], name) for name in store.STEPPED}
        changed.append(
            {
                "id": id_,
                **steps,
                "state": state,
                "outcome": outcome,
                "reviewed_by": REVIEWER,
                "reviewed_at": APPROVED_AT,
            }
        )
        audited.append((f"proposal:{id_}", {"state": state, "results": outcome["results"]}))
    await store.settle(conn, changed)
    await store.audit_many(conn, APPROVED_AT, REVIEWER, "approve", audited)


async def marked(conn: AsyncConnection, made: dict[str, Any]) -> None:
    await store.step(conn, [made["id"]], "applying", REVIEWER, MARKED_AT)


async def submitted_then_marked(conn: AsyncConnection, made: dict[str, Any]) -> None:
    await store.step(conn, [made["id"]], "submitted", "cán bộ", SUBMITTED_AT)
    await marked(conn, made)


async def stale_then_marked_again(conn: AsyncConnection, made: dict[str, Any]) -> None:
    await submitted_then_marked(conn, made)
    stale = {"results": [{"status": 412, "error": {"error": "stale"}}], "stale": True}
    await settled_in_own_row(conn, [made["id"]], [(made["id"], "submitted", stale)])
    await marked(conn, made)


async def returned_then_marked(conn: AsyncConnection, made: dict[str, Any]) -> None:
    await store.step(conn, [made["id"]], "submitted", "cán bộ", SUBMITTED_AT)
    (row,) = await store.proposals_by_id(conn, [made["id"]])
    steps = {name: getattr(row, name) for name in store.STEPPED}
    comments = [{"by": REVIEWER, "fields": {"name": "sai chính tả"}}]
    await store.settle(conn, [{"id": row.id, **steps, "state": "returned", "comments": comments}])
    await submitted_then_marked(conn, made)


# How a proposal came to be approved; the last one has no step at all (written before steps
# were, or its step folded in), which `record_outcomes` then writes whole.
HISTORIES: list[tuple[Callable[[AsyncConnection, dict[str, Any]], Awaitable[None]], str]] = [
    (submitted_then_marked, "draft"),
    (stale_then_marked_again, "draft"),
    (returned_then_marked, "draft"),
    (marked, "submitted"),
]


async def as_read(conn: AsyncConnection, ids: list[UUID]) -> list[dict[str, Any]]:
    """Each proposal as readers see it, but for what tells two proposals apart."""
    rows = {row.id: row for row in await store.proposals_by_id(conn, ids)}
    own = {"id", "row_key", "created_at"}
    return [
        {name: value for name, value in rows[id_]._mapping.items() if name not in own}
        for id_ in ids
    ]


async def listed(conn: AsyncConnection, state: str, ids: list[UUID]) -> list[bool]:
    found = {row.id for row in await store.list_proposals(conn, state, None, 10_000, None, [], [])}
    return [id_ in found for id_ in ids]


@pytest.fixture
async def engine(collection_url: str) -> Any:
    engine = create_async_engine(collection_url, **JSON_COLUMNS)
    yield engine
    await engine.dispose()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cases=st.lists(
        st.tuples(st.integers(0, len(HISTORIES) - 1), st.sampled_from(STATES), RESULTS),
        min_size=1,
        max_size=6,
    )
)
async def test_an_outcome_kept_as_a_step_reads_lists_audits_and_frees_its_key_as_before(
    engine: AsyncEngine, cases: list[tuple[int, str, list[dict[str, Any]]]]
) -> None:
    kept: list[dict[str, Any]] = []  # outcomes as steps
    owned: list[dict[str, Any]] = []  # outcomes in the proposals' rows
    async with engine.begin() as conn:
        for history, _, _ in cases:
            prepare, state = HISTORIES[history]
            pair = [proposal(uuid4().hex, state, "cán bộ" if state != "draft" else None)]
            pair.append({**pair[0], "id": uuid4(), "row_key": uuid4().hex})
            await store.add_proposals(conn, pair)
            for made in pair:
                await prepare(conn, made)
            kept.append(pair[0])
            owned.append(pair[1])
        outcomes = [
            (state, {"results": results, "stale": state == "submitted"})
            for _, state, results in cases
        ]
        kept_ids = [made["id"] for made in kept]
        owned_ids = [made["id"] for made in owned]
        await store.proposals_by_id(conn, [*kept_ids, *owned_ids], for_update=True)
        stored = await store.record_outcomes(
            conn, APPROVED_AT, REVIEWER, [(i, *o) for i, o in zip(kept_ids, outcomes, strict=True)]
        )
        await settled_in_own_row(
            conn, owned_ids, [(i, *o) for i, o in zip(owned_ids, outcomes, strict=True)]
        )

        read_kept, read_owned = await as_read(conn, kept_ids), await as_read(conn, owned_ids)
        audits = [
            (
                await store.audit_of(conn, f"proposal:{k}"),
                await store.audit_of(conn, f"proposal:{o}"),
            )
            for k, o in zip(kept_ids, owned_ids, strict=True)
        ]
        lists = [
            (await listed(conn, state, kept_ids), await listed(conn, state, owned_ids))
            for state in (*STATES, "applying", "draft", "returned")
        ]
        # The same rows proposed again: a key is free once its proposal is applied or refused.
        again = [
            await store.add_proposals(conn, [{**proposal(made["row_key"]), "id": uuid4()}])
            for made in (*kept, *owned)
        ]
        read_after = await as_read(conn, kept_ids)
        in_rows = {
            row.id: (row.state, row.outcome)
            for row in await conn.execute(
                text("SELECT id, state, outcome FROM proposals WHERE id = ANY(:ids)"),
                {"ids": kept_ids},
            )
        }

    assert read_kept == read_owned
    for kept_audit, owned_audit in audits:
        assert kept_audit == owned_audit
    for kept_listed, owned_listed in lists:
        assert kept_listed == owned_listed
    assert [(stored[i].state, stored[i].outcome) for i in kept_ids] == [
        (read["state"], read["outcome"]) for read in read_kept
    ]
    assert again[: len(kept)] == again[len(kept) :]
    assert read_after == read_kept
    for (_, state, _), id_, made_again in zip(cases, kept_ids, again, strict=False):
        final = state != "submitted"
        assert made_again == (1 if final else 0)
        if final:  # folded into the proposal's row to free its key
            assert in_rows[id_] == (state, read_kept[kept_ids.index(id_)]["outcome"])


# A proposal as the code before migration 0009 read it: the outcome in its own row only.
READ_0008 = """
    SELECT proposals.id, coalesce(step.state, proposals.state) AS state,
        coalesce(step.submitted_by, proposals.submitted_by) AS submitted_by,
        coalesce(step.submitted_at, proposals.submitted_at) AS submitted_at,
        coalesce(step.reviewed_by, proposals.reviewed_by) AS reviewed_by,
        coalesce(step.reviewed_at, proposals.reviewed_at) AS reviewed_at,
        proposals.outcome
    FROM proposals LEFT JOIN proposal_progress AS step ON step.proposal_id = proposals.id
    WHERE proposals.id = ANY(:ids)
"""
COMPARED = ("state", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "outcome")


async def test_outcomes_kept_as_steps_read_the_same_after_the_downgrade_of_migration_0009(
    engine: AsyncEngine,
) -> None:
    made = [proposal(uuid4().hex, state) for _, state in HISTORIES for _ in STATES]
    outcomes = []
    async with engine.begin() as conn:
        await store.add_proposals(conn, [{**p, "submitted_by": None} for p in made])
        for n, one in enumerate(made):
            prepare, _ = HISTORIES[n // len(STATES)]
            await prepare(conn, one)
            state = STATES[n % len(STATES)]
            outcome = {"results": [{"status": 201, "ghi_chú": "đã áp dụng"}], "stale": False}
            outcomes.append((one["id"], state, {**outcome, "stale": state == "submitted"}))
        await store.record_outcomes(conn, APPROVED_AT, REVIEWER, outcomes)
        # One more approval marked and not recorded, after an outcome kept as a step.
        await marked(conn, made[len(STATES) - 1])
    ids = [one["id"] for one in made]
    async with engine.connect() as conn:
        before = [{name: row[name] for name in COMPARED} for row in await as_read(conn, ids)]

    await migrate_to(engine, MIGRATIONS, "0008", down=True)
    async with engine.connect() as conn:
        rows = {row.id: row for row in await conn.execute(text(READ_0008), {"ids": ids})}
    downgraded = [{name: getattr(rows[id_], name) for name in COMPARED} for id_ in ids]
    await migrate_to(engine, MIGRATIONS, "0009")
    async with engine.connect() as conn:
        upgraded = [{name: row[name] for name in COMPARED} for row in await as_read(conn, ids)]

    assert downgraded == before
    assert upgraded == before
    assert [row["state"] for row in before[: len(STATES)]] == [*STATES[:-1], "applying"]
