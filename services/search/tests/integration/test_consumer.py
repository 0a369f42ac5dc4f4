"""The stream consumer on a real nats-server: duplicates, reordering, removal, poison."""

from __future__ import annotations

import pytest
from nats.aio.client import Client

from hoptac.platform.consumer import DEAD_LETTER_STREAM, dead_letter_subject
from hoptac.platform.testing import wait_until
from hoptac.search.adapters.tantivy_index import TantivyIndex
from hoptac.search.domain.query import parse_search

pytestmark = pytest.mark.integration


async def names(index: TantivyIndex, q: str) -> list[tuple[str, int]]:
    result = await index.search(parse_search(q, {}))
    return [(item["name"], item["version"]) for item in result.items]


async def test_events_are_indexed_and_duplicates_change_nothing(  # type: ignore[no-untyped-def]
    running, publish, record, event
) -> None:
    org = record(name="Hợp tác xã Tân Hưng")
    renamed = {**org, "name": "Hợp tác xã Tân Hưng Phát"}
    first = event(org, "registered", 1, sequence=1)
    second = event(renamed, "updated", 2, sequence=2)
    await publish(first, second, second, first)
    await publish(event(record(name="Hợp tác xã Quỳnh Lưu"), sequence=3))
    await wait_until(lambda: names(running, "quỳnh lưu"), message="the last event indexed")
    assert await names(running, "tân hưng") == [("Hợp tác xã Tân Hưng Phát", 2)]
    assert await running.last_sequence() == 3


async def test_reordered_events_leave_the_newest_version(  # type: ignore[no-untyped-def]
    running, publish, record, event
) -> None:
    org = record(name="Hợp tác xã Bình Minh")
    await publish(
        event({**org, "status": "dissolving"}, "status_changed", 3, sequence=3),
        event(org, "registered", 1, sequence=1),
        event({**org, "name": "Hợp tác xã Bình Minh Cũ"}, "updated", 2, sequence=2),
    )
    await publish(event(record(name="Hợp tác xã Quỳnh Lưu"), sequence=4))
    await wait_until(lambda: names(running, "quỳnh lưu"), message="the last event indexed")
    result = await running.search(parse_search("bình minh", {}))
    assert [(i["name"], i["version"], i["status"]) for i in result.items] == [
        ("Hợp tác xã Bình Minh", 3, "dissolving")
    ]


async def test_a_removed_organisation_is_not_brought_back_by_a_late_update(  # type: ignore[no-untyped-def]
    running, publish, record, event
) -> None:
    org = record(name="Hợp tác xã Nhầm Lẫn")
    await publish(event(org, "registered", 1), event(org, "removed", 2))
    await wait_until(lambda: running.version_of(org["id"]), message="the removal applied")
    await publish(event(org, "updated", 1), event(record(name="Hợp tác xã Quỳnh Lưu")))
    await wait_until(lambda: names(running, "quỳnh lưu"), message="the last event indexed")
    assert await names(running, "nhầm lẫn") == []
    assert await running.version_of(org["id"]) == 2


async def test_poison_goes_to_the_dead_letter_subject_and_the_rest_is_indexed(  # type: ignore[no-untyped-def]
    running, publish, record, event, nc: Client
) -> None:
    good = [record(name=f"Hợp tác xã Tốt {n}") for n in range(5)]
    await publish(
        event(good[0]),
        b"{not json",
        event(good[1]),
        b'{"event_type": "organization.registered", "organization_version": 1}',
        *(event(r) for r in good[2:]),
    )

    async def all_indexed() -> bool:
        return (await running.search(parse_search("tốt", {}))).total == 5

    await wait_until(all_indexed, message="the good events indexed")
    js = nc.jetstream()

    async def two_dead_letters() -> bool:
        return (await js.stream_info(DEAD_LETTER_STREAM)).state.messages == 2

    await wait_until(two_dead_letters, message="two dead letters")
    subscription = await js.pull_subscribe(dead_letter_subject("search"), durable="inspect")
    letters = await subscription.fetch(2, timeout=5)
    assert letters[0].data == b"{not json"
    assert letters[0].headers is not None
    assert letters[0].headers["Hoptac-Original-Subject"].startswith("coop.v1.org.")
    assert "poison" in letters[0].headers["Hoptac-Error"]
