"""Who may do what to which subscription, the per-agency limits, and subscriptions that follow
their owner's token."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from hoptac.notifications.bootstrap import build_notifications
from hoptac.notifications.entrypoints.http.app import create_app
from hoptac.platform.identity import StaticIdentity
from hoptac.platform.testing import wait_until

from .conftest import ADMIN, AGENCY_A, AGENCY_B, CALLERS, bearer

pytestmark = pytest.mark.integration

A, B, BOSS = bearer(AGENCY_A), bearer(AGENCY_B), bearer(ADMIN)
URL = "http://127.0.0.1:9/hook"


async def test_an_admin_lists_pauses_resumes_and_deletes_any_subscription(client):
    mine = (await client.post("/v1/subscriptions", json={"url": URL}, headers=A)).json()
    theirs = (await client.post("/v1/subscriptions", json={"url": URL}, headers=B)).json()
    path = f"/v1/subscriptions/{mine['id']}"

    every = (await client.get("/v1/subscriptions", headers=BOSS)).json()["items"]
    assert {(s["id"], s["owner"]) for s in every} == {
        (mine["id"], "so-tai-chinh-ca-mau"),
        (theirs["id"], "cuc-thong-ke"),
    }
    one_owner = await client.get(
        "/v1/subscriptions", params={"owner": "cuc-thong-ke"}, headers=BOSS
    )
    assert [s["id"] for s in one_owner.json()["items"]] == [theirs["id"]]
    assert (await client.get(path, headers=BOSS)).status_code == 200
    assert (await client.get(f"{path}/deliveries", headers=BOSS)).status_code == 200
    # An agency still sees only its own, whatever it asks for.
    only_b = await client.get(
        "/v1/subscriptions", params={"owner": "so-tai-chinh-ca-mau"}, headers=B
    )
    assert [s["id"] for s in only_b.json()["items"]] == [theirs["id"]]
    assert (await client.get(path, headers=B)).status_code == 404

    paused = await client.patch(path, json={"enabled": False}, headers=BOSS)
    assert paused.status_code == 200, paused.text
    assert paused.json()["disabled_by"] == "admin"
    assert "quan-tri-lien-minh" in paused.json()["disabled_reason"]
    refused = await client.patch(path, json={"enabled": True}, headers=A)
    assert refused.status_code == 409
    assert "admin" in refused.json()["message"]

    for method, suffix, body in (
        ("PATCH", "", {"url": "http://127.0.0.1:10/"}),
        ("PATCH", "", {"description": "của tôi"}),
        ("POST", "/secret", None),
        ("POST", "/replay", {"from_sequence": 1}),
        ("POST", "/deliveries/1/replay", None),
    ):
        answer = await client.request(method, path + suffix, json=body, headers=BOSS)
        assert answer.status_code == 403, (method, suffix, answer.text)
        assert answer.json()["error"] == "forbidden"

    resumed = await client.patch(path, json={"enabled": True}, headers=BOSS)
    assert resumed.json()["enabled"] is True
    assert (await client.delete(path, headers=BOSS)).status_code == 204
    assert (await client.get(path, headers=A)).status_code == 404


async def limited_client(settings, engine, **limits) -> httpx.AsyncClient:
    tuned = settings.model_copy(update=limits)
    service = build_notifications(tuned, StaticIdentity(CALLERS), engine)
    transport = httpx.ASGITransport(app=create_app(tuned, service))
    return httpx.AsyncClient(transport=transport, base_url="http://notifications")


async def test_an_agency_may_own_a_limited_number_of_subscriptions(settings, engine):
    async with await limited_client(settings, engine, max_subscriptions_per_agency=2) as http:
        for _ in range(2):
            assert (await http.post("/v1/subscriptions", json={"url": URL}, headers=A)).is_success
        third = await http.post("/v1/subscriptions", json={"url": URL}, headers=A)
        assert third.status_code == 409
        assert third.json()["error"] == "limit_reached"
        assert "2 subscriptions" in third.json()["message"]
        other = await http.post("/v1/subscriptions", json={"url": URL}, headers=B)
        assert other.status_code == 201


async def test_replays_per_hour_are_limited_with_retry_after(settings, engine, publish, new_event):
    await publish(new_event(1))
    async with await limited_client(settings, engine, replays_per_hour=2) as http:
        made = (await http.post("/v1/subscriptions", json={"url": URL}, headers=A)).json()
        replay = f"/v1/subscriptions/{made['id']}/replay"
        for _ in range(2):
            ok = await http.post(replay, json={"from_sequence": 1}, headers=A)
            assert ok.status_code == 202, ok.text
        limited = await http.post(replay, json={"from_sequence": 1}, headers=A)
        assert limited.status_code == 429
        assert limited.json()["error"] == "rate_limited"
        assert 0 < int(limited.headers["Retry-After"]) <= 3600
        listed = await http.get(f"/v1/subscriptions/{made['id']}/deliveries", headers=A)
        one = listed.json()["items"][0]["id"]
        again = await http.post(
            f"/v1/subscriptions/{made['id']}/deliveries/{one}/replay", headers=A
        )
        assert again.status_code == 429  # one limit for both kinds of replay
        theirs = (await http.post("/v1/subscriptions", json={"url": URL}, headers=B)).json()
        other = await http.post(
            f"/v1/subscriptions/{theirs['id']}/replay", json={"from_sequence": 1}, headers=B
        )
        assert other.status_code == 202  # per agency


async def test_a_replay_without_an_upper_bound_queues_a_bounded_part_and_says_where_to_go_on(
    settings, engine, publish, new_event
):
    await publish(*(new_event(s) for s in range(1, 8)))
    async with await limited_client(settings, engine, replay_max_events=3) as http:
        made = (await http.post("/v1/subscriptions", json={"url": URL}, headers=A)).json()
        replay = f"/v1/subscriptions/{made['id']}/replay"
        pages = []
        body: dict = {"from_sequence": 1}
        while True:
            answer = (await http.post(replay, json=body, headers=A)).json()
            pages.append(answer)
            if answer["complete"]:
                break
            body = {"from_sequence": answer["next_from_sequence"]}
        assert [(p["queued"], p["next_from_sequence"]) for p in pages] == [
            (3, 4),
            (3, 7),
            (1, None),
        ]
        by_time = await http.post(replay, json={"since": "2000-01-01T00:00:00Z"}, headers=A)
        assert by_time.json()["queued"] == 3
        assert by_time.json()["next_from_sequence"] == 4


async def test_a_revoked_owner_s_subscriptions_stop_before_anything_is_sent(
    receivers, subscribe, publish, run_worker, new_event, client, engine
):
    receiver = await receivers()
    made = await subscribe(receiver.url)
    await subscribe(receiver.url, token=AGENCY_B)
    known = dict(CALLERS)
    run_worker(identity=StaticIdentity(known), owner_check_seconds=0)
    await publish(new_event(1))
    await wait_until(lambda: len(receiver.received) == 2, message="both agencies served")

    del known[AGENCY_A]  # the registry revoked agency A's token
    await publish(new_event(2))

    async def stopped() -> dict:
        found = (await client.get(f"/v1/subscriptions/{made['id']}", headers=BOSS)).json()
        return found if not found["enabled"] else {}

    found = await wait_until(stopped, message="agency A's subscription disabled")
    assert found["disabled_by"] == "revoked"
    assert "so-tai-chinh-ca-mau" in found["disabled_reason"]
    await wait_until(lambda: len(receiver.received) == 3, message="agency B still served")
    assert receiver.received[2].json()["sequence"] == 2
    assert [r.json()["sequence"] for r in receiver.received].count(2) == 1
    async with engine.connect() as conn:
        unsent = (
            await conn.execute(
                text(
                    "SELECT d.status, d.total_attempts, count(a.id) AS logged FROM deliveries d "
                    "LEFT JOIN delivery_attempts a ON a.delivery_id = d.id "
                    "WHERE d.subscription_id = :id AND d.sequence = 2 GROUP BY d.id"
                ),
                {"id": made["id"]},
            )
        ).one()
    assert tuple(unsent) == ("pending", 0, 0)  # never sent, so no attempt in the log
    resumed = await client.patch(
        f"/v1/subscriptions/{made['id']}", json={"enabled": True}, headers=BOSS
    )
    assert resumed.status_code == 409
