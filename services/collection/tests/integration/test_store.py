"""Proposals and their audit stored and changed in bulk, as one row at a time would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.collection.adapters import store
from hoptac.collection.adapters.tables import audit_log
from hoptac.platform.json_columns import JSON_COLUMNS

pytestmark = pytest.mark.integration


def proposal(key: str) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "batch_id": None,
        "row_number": 2,
        "row_key": key,
        "organization_id": None,
        "base_version": None,
        "province_code": "96",
        "commune_code": "31825",
        "change": {"record": {}},
        "state": "draft",
        "author": "test",
        "created_at": datetime.now(UTC),
        "comments": [],
    }


async def test_proposals_are_still_added_once_the_statement_is_planned_generically(
    collection_url: str,
) -> None:
    """PostgreSQL plans a prepared statement generically from its sixth run on; the open
    proposals' index must still be found then."""
    engine = create_async_engine(collection_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            added = [await store.add_proposals(conn, [proposal(f"k{n}")]) for n in range(8)]
            again = await store.add_proposals(conn, [proposal("k0")])
    finally:
        await engine.dispose()

    assert added == [1] * 8
    assert again == 0


async def test_thousands_of_proposals_are_added_in_one_call_each_open_key_once(
    collection_url: str,
) -> None:
    engine = create_async_engine(collection_url)
    try:
        async with engine.begin() as conn:
            first = await store.add_proposals(conn, [proposal(f"k{n}") for n in range(2500)])
            again = await store.add_proposals(conn, [proposal(f"k{n}") for n in range(2000, 3500)])
    finally:
        await engine.dispose()

    assert (first, again) == (2500, 1000)


async def test_proposals_changed_at_once_hold_what_changing_each_alone_writes(
    collection_url: str,
) -> None:
    engine = create_async_engine(collection_url, **JSON_COLUMNS)
    at = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    outcomes = [{"results": [{"id": "x", "ghi_chú": "đã áp dụng"}], "stale": False}, {}]
    try:
        async with engine.begin() as conn:
            together = [proposal(f"t{n}") for n in range(2)]
            alone = [proposal(f"a{n}") for n in range(2)]
            await store.add_proposals(conn, together + alone)
            changes = [
                {
                    "state": "applied",
                    "submitted_by": "cán bộ",
                    "submitted_at": at,
                    "reviewed_by": "người duyệt",
                    "reviewed_at": at,
                    "outcome": outcome,
                    "comments": [{"by": "người duyệt", "fields": {"name": "sai chính tả"}}],
                }
                for outcome in outcomes
            ]
            await store.settle(
                conn, [{"id": p["id"], **c} for p, c in zip(together, changes, strict=True)]
            )
            for p, c in zip(alone, changes, strict=True):
                await store.set_proposal(conn, p["id"], **c)
            # The JSON as the database holds it.
            written = {
                row.row_key: (
                    row.state,
                    row.reviewed_by,
                    row.reviewed_at,
                    row.outcome,
                    row.comments,
                )
                for row in await conn.execute(
                    text(
                        "SELECT row_key, state, reviewed_by, reviewed_at,"
                        " outcome::text AS outcome, comments::text AS comments FROM proposals"
                    )
                )
            }
    finally:
        await engine.dispose()

    assert [written["t0"], written["t1"]] == [written["a0"], written["a1"]]
    assert written["t0"][:3] == ("applied", "người duyệt", at)
    assert json.loads(written["t0"][3]) == outcomes[0]
    assert json.loads(written["t0"][4]) == changes[0]["comments"]


async def test_an_action_on_many_subjects_is_audited_in_the_order_given(
    collection_url: str,
) -> None:
    engine = create_async_engine(collection_url, **JSON_COLUMNS)
    at = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    entries = [(f"proposal:{n}", {"state": "applied", "n": n, "ghi_chú": "ổn"}) for n in range(5)]
    try:
        async with engine.begin() as conn:
            await store.audit_many(conn, at, "người duyệt", "approve", entries)
            history = [await store.audit_of(conn, subject) for subject, _ in entries]
            ids = (await conn.execute(select(audit_log.c.subject).order_by(audit_log.c.id))).all()
    finally:
        await engine.dispose()

    assert [row.subject for row in ids] == [subject for subject, _ in entries]
    assert history == [
        [{"at": at.isoformat(), "actor": "người duyệt", "action": "approve", "details": details}]
        for _, details in entries
    ]


async def test_a_step_of_the_review_reads_as_the_proposal_until_settled_into_it(
    collection_url: str,
) -> None:
    engine = create_async_engine(collection_url, **JSON_COLUMNS)
    submitted_at = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    reviewed_at = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    applying, submitted, draft = (proposal(f"s{n}") for n in range(3))
    try:
        async with engine.begin() as conn:
            await store.add_proposals(conn, [applying, submitted, draft])
            ids = [applying["id"], submitted["id"]]
            await store.step(conn, ids, "submitted", "cán bộ", submitted_at)
            await store.step(conn, [applying["id"]], "applying", "người duyệt", reviewed_at)
            read = await store.proposals_by_id(conn, [*ids, draft["id"]], for_update=True)
            by_id = {row.id: row for row in read}
            listed = {
                state: [
                    row.id
                    for row in await store.list_proposals(conn, state, None, 10, None, [], [])
                ]
                for state in ("applying", "submitted", "draft")
            }
            outcome = {"results": [], "stale": False}
            settled = await store.settle(
                conn,
                [
                    {
                        "id": applying["id"],
                        "state": "applied",
                        "outcome": outcome,
                        "submitted_by": by_id[applying["id"]].submitted_by,
                        "submitted_at": by_id[applying["id"]].submitted_at,
                        "reviewed_by": "người duyệt",
                        "reviewed_at": reviewed_at,
                    }
                ],
            )
            stored = (
                await conn.execute(
                    text(
                        "SELECT state, submitted_by, submitted_at, reviewed_by FROM proposals"
                        " WHERE id = :id"
                    ),
                    {"id": applying["id"]},
                )
            ).one()
            steps_left = (
                await conn.execute(text("SELECT proposal_id FROM proposal_progress"))
            ).scalars()
            left = list(steps_left)
    finally:
        await engine.dispose()

    assert (by_id[applying["id"]].state, by_id[applying["id"]].submitted_by) == (
        "applying",
        "cán bộ",
    )
    assert (by_id[applying["id"]].reviewed_by, by_id[applying["id"]].reviewed_at) == (
        "người duyệt",
        reviewed_at,
    )
    assert (by_id[submitted["id"]].state, by_id[submitted["id"]].reviewed_by) == ("submitted", None)
    assert by_id[draft["id"]].state == "draft"
    assert listed == {
        "applying": [applying["id"]],
        "submitted": [submitted["id"]],
        "draft": [draft["id"]],
    }
    now = settled[applying["id"]]
    assert (now.state, now.submitted_by, now.reviewed_by, now.outcome) == (
        "applied",
        "cán bộ",
        "người duyệt",
        outcome,
    )
    assert tuple(stored) == ("applied", "cán bộ", submitted_at, "người duyệt")
    assert left == [submitted["id"]]
