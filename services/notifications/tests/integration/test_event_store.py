"""Storing the log: duplicates, holes and the watermark, the current record, fan-out."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from hoptac.notifications.adapters.event_store import store, to_stored, watermark
from hoptac.platform.consumer import ConflictingEvent

pytestmark = pytest.mark.integration


async def test_duplicates_are_stored_once_and_records_keep_the_newest_version(engine, new_event):
    org = uuid.uuid4()
    first = new_event(1, org, version=1)
    second = new_event(2, org, version=2, event="updated", name="HTX Tân Hưng Mới")
    async with engine.begin() as conn:
        result = await store(conn, [to_stored(first), to_stored(second), to_stored(first)])
    assert (result.stored, result.contiguous_through) == (2, 2)
    async with engine.begin() as conn:
        again = await store(conn, [to_stored(second), to_stored(first)])
        name = await conn.scalar(text("SELECT name FROM organizations WHERE id = :id"), {"id": org})
    assert again.stored == 0
    assert name == "HTX Tân Hưng Mới"


async def test_an_older_version_arriving_late_does_not_overwrite_the_record(engine, new_event):
    org = uuid.uuid4()
    async with engine.begin() as conn:
        await store(conn, [to_stored(new_event(2, org, version=2, name="Mới"))])
        await store(conn, [to_stored(new_event(1, org, version=1, name="Cũ"))])
        row = (
            await conn.execute(
                text("SELECT name, version FROM organizations WHERE id = :id"), {"id": org}
            )
        ).one()
    assert (row.name, row.version) == ("Mới", 2)


async def test_the_watermark_stops_at_a_hole_until_it_is_filled(engine, new_event):
    async with engine.begin() as conn:
        result = await store(conn, [to_stored(new_event(s)) for s in (1, 2, 4, 5)])
    assert result.has_gap
    assert (result.contiguous_through, result.highest) == (2, 5)
    async with engine.begin() as conn:
        filled = await store(conn, [to_stored(new_event(3))])
        assert await watermark(conn) == 5
    assert not filled.has_gap


async def test_events_fan_out_to_matching_enabled_subscriptions_only(
    engine, publish, subscribe, new_event
):
    everything = await subscribe("http://127.0.0.1:9/a")
    ha_noi = await subscribe("http://127.0.0.1:9/b", provinces=["01"])
    statuses = await subscribe("http://127.0.0.1:9/c", event_types=["status_changed"])
    result = await publish(
        new_event(1, province="96"),
        new_event(2, province="01", event="status_changed", status="suspended"),
    )
    assert result.deliveries == 4
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT subscription_id, sequence FROM deliveries"))).all()
    got = {(str(r.subscription_id), r.sequence) for r in rows}
    assert got == {
        (everything["id"], 1),
        (everything["id"], 2),
        (ha_noi["id"], 2),
        (statuses["id"], 2),
    }


async def test_a_subscription_gets_events_stored_after_it_only(
    publish, subscribe, new_event, engine
):
    await publish(new_event(1))
    made = await subscribe("http://127.0.0.1:9/a")
    assert made["starts_after"] == 1
    await publish(new_event(2))
    async with engine.connect() as conn:
        sequences = (await conn.execute(text("SELECT sequence FROM deliveries"))).scalars().all()
    assert sequences == [2]


async def test_a_second_event_claiming_a_stored_sequence_is_refused_not_dropped(engine, new_event):
    real = new_event(1, uuid.uuid4(), version=1)
    forged = new_event(1, uuid.uuid4(), version=1, name="HTX Giả Mạo")
    async with engine.begin() as conn:
        await store(conn, [to_stored(real)])
    with pytest.raises(ConflictingEvent, match="claims sequence 1"):
        async with engine.begin() as conn:
            await store(conn, [to_stored(forged)])
    async with engine.begin() as conn:  # the real one again: a duplicate, nothing to say
        assert (await store(conn, [to_stored(real)])).stored == 0
        names = (await conn.execute(text("SELECT name FROM organizations"))).scalars().all()
    assert "HTX Giả Mạo" not in names
