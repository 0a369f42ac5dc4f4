"""Webhook delivery to real local receivers: signatures, retries, order, 429, 410, isolation,
final failure and replay."""

from __future__ import annotations

import asyncio
import ssl
import uuid

import httpx
import pytest
from sqlalchemy import text
from standardwebhooks import Webhook

from hoptac.notifications.adapters.resolver import Resolve
from hoptac.platform.testing import wait_until

pytestmark = pytest.mark.integration


def status_of(client, subscription, token):
    async def read() -> list[dict]:
        response = await client.get(
            f"/v1/subscriptions/{subscription['id']}/deliveries",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()["items"]

    return read


async def test_webhooks_verify_with_the_reference_implementation(
    receivers, subscribe, publish, run_worker, new_event
):
    receiver = await receivers()
    made = await subscribe(receiver.url)
    event = new_event(1)
    await publish(event)
    run_worker()
    await wait_until(lambda: receiver.received, message="webhook received")
    got = receiver.received[0]
    verified = Webhook(made["secret"]).verify(got.body, got.headers)
    assert verified["event_id"] == event["event_id"]
    assert got.headers["webhook-id"] == event["event_id"]
    assert got.headers["content-type"] == "application/json"


async def test_retries_carry_the_same_webhook_id_until_delivered(
    receivers, subscribe, publish, run_worker, new_event, client
):
    answers = iter([500, 503, 204])
    receiver = await receivers(respond=lambda request: (next(answers), {}))
    made = await subscribe(receiver.url)
    await publish(new_event(1))
    run_worker()
    read = status_of(client, made, "token-so-tai-chinh")

    async def delivered() -> bool:
        return (await read())[0]["status"] == "delivered"

    await wait_until(delivered, message="delivered after two failures")
    assert len(receiver.received) == 3
    assert len(set(receiver.ids())) == 1
    for request in receiver.received:
        Webhook(made["secret"]).verify(request.body, request.headers)
    item = (await read())[0]
    assert item["attempts"] == 3
    assert item["last_status_code"] == 204


async def test_events_of_one_organisation_arrive_in_order_even_across_retries(
    receivers, subscribe, publish, run_worker, new_event
):
    failed_once: set[int] = set()

    def flaky(request):
        sequence = request.json()["sequence"]
        if sequence % 2 == 1 and sequence not in failed_once:
            failed_once.add(sequence)
            return 500, {}
        return 204, {}

    receiver = await receivers(respond=flaky)
    await subscribe(receiver.url)
    org = uuid.uuid4()
    await publish(*(new_event(s, org, version=s, event="updated") for s in range(1, 9)))
    run_worker(delivery_per_subscription=8)
    await wait_until(lambda: len(receiver.received) >= 12, message="8 events, 4 retried")
    delivered = [r.json()["sequence"] for r in receiver.received]
    first_success = []
    for sequence in delivered:
        if sequence not in first_success:
            first_success.append(sequence)
    assert first_success == list(range(1, 9))
    # Nothing later is sent while an earlier one is still waiting for its retry.
    for position, sequence in enumerate(delivered):
        assert all(earlier < sequence or earlier == sequence for earlier in delivered[:position])


async def test_a_receiver_that_was_down_gets_everything_once_it_is_back(
    receivers, subscribe, publish, run_worker, new_event, settings
):
    receiver = await receivers()
    await receiver.stop()  # down: connections are refused
    await subscribe(receiver.url)
    run_worker(retry_attempts=50, retry_max_delay_seconds=0.1)
    await publish(*(new_event(s) for s in range(1, 6)))
    await publish(*(new_event(s) for s in range(6, 11)))
    await receiver.start()  # back, on the same port
    await wait_until(lambda: len(set(receiver.ids())) == 10, message="all ten events")
    assert sorted(r.json()["sequence"] for r in receiver.received)[:10] == list(range(1, 11))


async def test_retry_after_on_429_is_respected(
    receivers, subscribe, publish, run_worker, new_event, engine
):
    receiver = await receivers(respond=lambda request: (429, {"Retry-After": "120"}))
    await subscribe(receiver.url)
    await publish(new_event(1))
    run_worker()
    await wait_until(lambda: receiver.received, message="first attempt")

    async def waiting_seconds() -> float | None:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT status, extract(epoch FROM next_attempt_at - last_attempt_at) AS s"
                        " FROM deliveries"
                    )
                )
            ).one()
        return row.s if row.status == "pending" and row.s is not None else None

    wait = await wait_until(waiting_seconds, message="retry scheduled")
    assert wait >= 119
    assert len(receiver.received) == 1


async def test_410_disables_the_subscription(
    receivers, subscribe, publish, run_worker, new_event, client
):
    receiver = await receivers(respond=lambda request: (410, {}))
    made = await subscribe(receiver.url)
    await publish(new_event(1), new_event(2))
    run_worker(delivery_per_subscription=1)
    headers = {"Authorization": "Bearer token-so-tai-chinh"}

    async def disabled() -> bool:
        body = (await client.get(f"/v1/subscriptions/{made['id']}", headers=headers)).json()
        return body["enabled"] is False

    await wait_until(disabled, message="subscription disabled after 410")
    body = (await client.get(f"/v1/subscriptions/{made['id']}", headers=headers)).json()
    assert "410" in body["disabled_reason"]
    await publish(new_event(3))
    assert len(receiver.received) == 1


async def test_a_failing_endpoint_does_not_delay_the_others(
    receivers, subscribe, publish, run_worker, new_event
):
    stuck = asyncio.Event()
    slow = await receivers(respond=lambda request: (500, {}), gate=stuck)
    healthy = await receivers()
    await subscribe(slow.url)
    await subscribe(healthy.url)
    run_worker(
        delivery_per_subscription=2,
        delivery_concurrency=8,
        retry_attempts=100,
        delivery_timeout_seconds=60,  # the slow receiver's requests hang for the whole test
    )
    await publish(*(new_event(s) for s in range(1, 41)))
    await wait_until(lambda: len(healthy.received) == 40, message="healthy receiver served")
    # The healthy one got all 40 events while the stuck one still holds its two slots, and
    # never more than those two.
    assert len(slow.received) == 2
    stuck.set()


async def test_after_the_last_attempt_the_delivery_stays_failed_and_can_be_replayed(
    receivers, subscribe, publish, run_worker, new_event, client
):
    healthy = {"up": False}
    receiver = await receivers(respond=lambda request: (204, {}) if healthy["up"] else (500, {}))
    made = await subscribe(receiver.url)
    headers = {"Authorization": "Bearer token-so-tai-chinh"}
    await publish(new_event(1))
    run_worker()
    read = status_of(client, made, "token-so-tai-chinh")

    async def failed() -> bool:
        return (await read())[0]["status"] == "failed"

    await wait_until(failed, message="delivery failed after every attempt")
    item = (await read())[0]
    assert item["attempts"] == 4
    detail = (
        await client.get(f"/v1/subscriptions/{made['id']}/deliveries/{item['id']}", headers=headers)
    ).json()
    assert [a["status_code"] for a in detail["attempt_log"]] == [500, 500, 500, 500]
    assert all(a["duration_ms"] >= 0 for a in detail["attempt_log"])

    healthy["up"] = True
    replayed = await client.post(
        f"/v1/subscriptions/{made['id']}/deliveries/{item['id']}/replay", headers=headers
    )
    assert replayed.status_code == 202, replayed.text

    async def delivered() -> bool:
        return (await read())[0]["status"] == "delivered"

    await wait_until(delivered, message="delivered after replay")
    assert len(set(receiver.ids())) == 1  # the replay has the same webhook-id


async def test_a_range_of_sequences_or_times_can_be_replayed(
    receivers, subscribe, publish, run_worker, new_event, client
):
    receiver = await receivers()
    made = await subscribe(receiver.url, provinces=["96"])
    await publish(*(new_event(s, province="96" if s % 2 else "01") for s in range(1, 11)))
    run_worker()
    await wait_until(lambda: len(receiver.received) == 5, message="five Cà Mau events")
    headers = {"Authorization": "Bearer token-so-tai-chinh"}
    response = await client.post(
        f"/v1/subscriptions/{made['id']}/replay",
        json={"from_sequence": 3, "to_sequence": 7},
        headers=headers,
    )
    assert response.json() == {"queued": 3, "complete": True, "next_from_sequence": None}
    await wait_until(lambda: len(receiver.received) == 8, message="3, 5, 7 again")
    assert [r.json()["sequence"] for r in receiver.received[5:]] == [3, 5, 7]
    read = status_of(client, made, "token-so-tai-chinh")

    async def settled() -> bool:  # a delivery in flight is not queued again
        return all(item["status"] == "delivered" for item in await read())

    await wait_until(settled, message="replays recorded")

    by_time = await client.post(
        f"/v1/subscriptions/{made['id']}/replay",
        json={"since": "2026-11-22T00:00:00Z", "until": "2026-11-23T00:00:00+07:00"},
        headers=headers,
    )
    assert by_time.json() == {"queued": 5, "complete": True, "next_from_sequence": None}
    await wait_until(lambda: len(receiver.received) == 13, message="all five again")


async def test_during_secret_rotation_both_signatures_verify(
    receivers, subscribe, publish, run_worker, new_event, client
):
    receiver = await receivers()
    made = await subscribe(receiver.url)
    rotated = (
        await client.post(
            f"/v1/subscriptions/{made['id']}/secret",
            headers={"Authorization": "Bearer token-so-tai-chinh"},
        )
    ).json()
    assert rotated["secret"] != made["secret"]
    assert rotated["previous_secret_valid_until"] is not None
    await publish(new_event(1))
    run_worker()
    await wait_until(lambda: receiver.received, message="delivered")
    got = receiver.received[0]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(made["secret"]).verify(got.body, got.headers)
    Webhook(rotated["secret"]).verify(got.body, got.headers)


async def test_a_target_that_is_no_longer_allowed_is_not_called(
    receivers, subscribe, publish, run_worker, new_event, client
):
    receiver = await receivers()
    made = await subscribe(receiver.url)  # accepted while loopback was allowed
    await publish(new_event(1))
    run_worker(allow_loopback_targets=False)
    read = status_of(client, made, "token-so-tai-chinh")

    async def refused() -> list[dict]:
        items = await read()
        return items if items and items[0]["last_error"] else []

    items = await wait_until(refused, message="attempt refused")
    assert items[0]["last_error"].startswith("target refused")
    assert "loopback" in items[0]["last_error"]
    assert receiver.received == []


async def test_claims_of_a_dead_worker_are_taken_back_when_a_worker_starts(
    receivers, subscribe, publish, run_worker, new_event, engine
):
    receiver = await receivers()
    await subscribe(receiver.url)
    await publish(new_event(1), new_event(2))
    async with engine.begin() as conn:  # as a killed worker leaves them: leased for an hour
        await conn.execute(
            text(
                "UPDATE deliveries SET status = 'delivering', "
                "lease_until = now() + interval '1 hour'"
            )
        )
    run_worker()
    await wait_until(lambda: len(receiver.received) == 2, message="both delivered")


def resolver_for(host: str, calls: list[str]) -> Resolve:
    """`host` is 127.0.0.1 the first time it is asked, 10.0.0.1 afterwards: a rebinding DNS."""

    async def resolve(name: str) -> list[str]:
        assert name == host
        calls.append(name)
        return ["127.0.0.1"] if len(calls) == 1 else ["10.0.0.1"]

    return resolve


async def point_at(engine, subscription: dict, url: str) -> None:
    """As if the URL had been accepted when its name resolved to an allowed address."""
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE subscriptions SET url = :url WHERE id = :id"),
            {"url": url, "id": subscription["id"]},
        )


async def test_the_request_goes_to_the_address_that_was_checked(
    receivers, subscribe, publish, run_worker, new_event, engine, client
):
    receiver = await receivers()
    made = await subscribe(receiver.url)
    host = "hooks.so-tai-chinh.test"
    await point_at(engine, made, receiver.url_as(host))
    calls: list[str] = []
    await publish(new_event(1), new_event(2))
    run_worker(resolve=resolver_for(host, calls))
    await wait_until(lambda: len(receiver.received) == 2, message="both delivered")
    # Resolved once and checked; the name was never resolved again to connect (the second
    # answer, a private address, was never asked for), and the receiver saw its own name.
    assert calls == [host]
    assert {r.headers["host"] for r in receiver.received} == {f"{host}:{receiver.port}"}
    read = status_of(client, made, "token-so-tai-chinh")

    async def both_delivered() -> bool:
        return [i["status"] for i in await read()] == ["delivered", "delivered"]

    await wait_until(both_delivered, message="both recorded as delivered")


async def test_tls_is_verified_for_the_original_host_while_connecting_to_its_address(
    receivers, subscribe, publish, run_worker, new_event, engine, tls_files
):
    receiver = await receivers(tls=tls_files)
    made = await subscribe(receiver.url)
    await point_at(engine, made, receiver.url_as(tls_files.host))
    trusted = ssl.create_default_context(cafile=tls_files.authority)
    await publish(new_event(1))
    run_worker(
        resolve=resolver_for(tls_files.host, []),
        new_client=lambda: httpx.AsyncClient(verify=trusted, follow_redirects=False),
    )
    # The certificate names the host only: it verifies because SNI and the check use the
    # name, while the connection goes to the checked address.
    await wait_until(lambda: receiver.received, message="delivered over TLS")
    assert receiver.received[0].headers["host"] == f"{tls_files.host}:{receiver.port}"
