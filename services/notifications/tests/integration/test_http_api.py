"""The HTTP API: who may do what, clear errors, the feed, its SSE stream and the snapshot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any

import httpx
import pytest
import uvicorn

from hoptac.notifications.bootstrap import build_notifications
from hoptac.notifications.entrypoints.http.app import create_app
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.identity import Caller, StaticIdentity
from hoptac.platform.testing import wait_until

pytestmark = pytest.mark.integration

A = {"Authorization": "Bearer token-so-tai-chinh"}
B = {"Authorization": "Bearer token-cuc-thong-ke"}


async def test_the_secret_is_shown_once_and_an_agency_sees_only_its_own(client):
    created = await client.post(
        "/v1/subscriptions",
        json={"url": "http://127.0.0.1:9/hook", "event_types": ["status_changed"]},
        headers=A,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["organization.status_changed"]
    mine = await client.get(f"/v1/subscriptions/{body['id']}", headers=A)
    assert "secret" not in mine.json()
    assert [
        s["id"] for s in (await client.get("/v1/subscriptions", headers=A)).json()["items"]
    ] == [body["id"]]
    assert (await client.get("/v1/subscriptions", headers=B)).json()["items"] == []
    for method, path in (
        ("GET", f"/v1/subscriptions/{body['id']}"),
        ("GET", f"/v1/subscriptions/{body['id']}/deliveries"),
        ("DELETE", f"/v1/subscriptions/{body['id']}"),
        ("POST", f"/v1/subscriptions/{body['id']}/secret"),
    ):
        response = await client.request(method, path, headers=B)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"] == "not_found"
    assert (await client.delete(f"/v1/subscriptions/{body['id']}", headers=A)).status_code == 204


async def test_requests_without_a_valid_token_are_refused(client):
    missing = await client.get("/v1/feed")
    assert missing.status_code == 401
    assert "Bearer" in missing.json()["message"]
    wrong = await client.get("/v1/subscriptions", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    malformed = await client.get("/v1/feed", headers={"Authorization": "Token x"})
    assert malformed.status_code == 401


async def test_bad_filters_are_named_by_field(client):
    response = await client.post(
        "/v1/subscriptions",
        json={
            "url": "http://127.0.0.1:9/hook",
            "event_types": ["organization.deleted"],
            "provinces": ["9"],
            "kinds": ["company"],
            "sectors": ["mining"],
        },
        headers=A,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"event_types", "provinces", "kinds", "sectors"}
    unknown = await client.post(
        "/v1/subscriptions", json={"url": "http://127.0.0.1:9/", "colour": "red"}, headers=A
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "colour"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/hook", "https://"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.1.20/hook", "private"),
        ("http://169.254.169.254/latest", "link-local"),
        ("http://user:pw@203.0.113.5/", "password"),
        ("https://no-such-host.invalid/hook", "resolved"),
    ],
)
async def test_private_targets_and_bad_urls_are_refused(client, url, reason):
    response = await client.post("/v1/subscriptions", json={"url": url}, headers=A)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "url"
    assert reason in response.json()["message"]


async def test_loopback_is_refused_when_the_setting_forbids_it(settings, engine):
    strict = settings.model_copy(update={"allow_loopback_targets": False})
    service = build_notifications(
        strict, StaticIdentity({"t": Caller("x", "agency_reader")}), engine
    )
    transport = httpx.ASGITransport(app=create_app(strict, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://n") as http:
        for url in ("http://127.0.0.1:8080/", "http://localhost/hook", "http://[::1]/"):
            response = await http.post(
                "/v1/subscriptions", json={"url": url}, headers={"Authorization": "Bearer t"}
            )
            assert response.status_code == 422, url
            assert "loopback" in response.json()["message"]


async def test_a_subscription_can_be_paused_resumed_and_refiltered(client):
    made = (
        await client.post("/v1/subscriptions", json={"url": "http://127.0.0.1:9/"}, headers=A)
    ).json()
    paused = await client.patch(
        f"/v1/subscriptions/{made['id']}", json={"enabled": False, "provinces": ["96"]}, headers=A
    )
    assert paused.json()["enabled"] is False
    assert paused.json()["provinces"] == ["96"]
    replay = await client.post(
        f"/v1/subscriptions/{made['id']}/replay", json={"from_sequence": 1}, headers=A
    )
    assert replay.status_code == 409
    resumed = await client.patch(
        f"/v1/subscriptions/{made['id']}", json={"enabled": True}, headers=A
    )
    assert resumed.json()["enabled"] is True
    assert resumed.json()["disabled_reason"] is None
    empty = await client.post(f"/v1/subscriptions/{made['id']}/replay", json={}, headers=A)
    assert empty.status_code == 422


async def test_the_feed_pages_in_order_filters_and_resumes(client, publish, new_event):
    await publish(*(new_event(s, province="96" if s % 3 else "01") for s in range(1, 11)))
    first = (await client.get("/v1/feed", params={"after": 0, "limit": 4}, headers=A)).json()
    assert [e["sequence"] for e in first["events"]] == [1, 2, 3, 4]
    rest = (
        await client.get("/v1/feed", params={"after": first["next"], "limit": 100}, headers=A)
    ).json()
    assert [e["sequence"] for e in rest["events"]] == [5, 6, 7, 8, 9, 10]
    assert rest["next"] == 10
    ha_noi = (await client.get("/v1/feed", params={"provinces": "01"}, headers=A)).json()
    assert [e["sequence"] for e in ha_noi["events"]] == [3, 6, 9]
    assert ha_noi["next"] == 10  # no need to look at 10 again
    bad = await client.get("/v1/feed", params={"event_types": "deleted"}, headers=A)
    assert bad.status_code == 422


async def test_the_feed_never_serves_past_a_hole(client, publish, new_event):
    await publish(new_event(1), new_event(2), new_event(4))
    page = (await client.get("/v1/feed", headers=A)).json()
    assert [e["sequence"] for e in page["events"]] == [1, 2]
    assert page["next"] == 2
    await publish(new_event(3))
    page = (await client.get("/v1/feed", params={"after": 2}, headers=A)).json()
    assert [e["sequence"] for e in page["events"]] == [3, 4]


async def test_the_event_stream_resumes_from_last_event_id(served, publish, new_event):
    await publish(*(new_event(s) for s in range(1, 4)))

    async def read(
        headers: dict[str, str], count: int, when_open: Any = None
    ) -> list[tuple[str, str, dict]]:
        got: list[tuple[str, str, dict]] = []
        async with (
            httpx.AsyncClient(base_url=served, timeout=10) as http,
            http.stream("GET", "/v1/feed/stream", headers=headers) as response,
        ):
            assert response.headers["content-type"].startswith("text/event-stream")
            fields: dict[str, str] = {}
            async for line in response.aiter_lines():
                if line.startswith("retry:") and when_open is not None:
                    await when_open()  # the stream is open and waiting for new events
                if line == "":
                    if "data" in fields:
                        got.append((fields["id"], fields["event"], json.loads(fields["data"])))
                    fields = {}
                    if len(got) == count:
                        break
                elif not line.startswith(":"):
                    name, _, value = line.partition(": ")
                    fields[name] = value
        return got

    first = await read(A, 3)
    assert [g[0] for g in first] == ["1", "2", "3"]
    assert first[0][1] == "organization.registered"

    async def more() -> None:
        await publish(*(new_event(s) for s in range(4, 6)))

    resumed = await read({**A, "Last-Event-ID": first[-1][0]}, 2, when_open=more)
    assert [g[2]["sequence"] for g in resumed] == [4, 5]
    async with httpx.AsyncClient(base_url=served) as http:
        bad = await http.get("/v1/feed/stream", headers={**A, "Last-Event-ID": "abc"})
    assert bad.status_code == 422


async def test_the_snapshot_has_every_organisation_and_the_sequence_to_follow(
    client, publish, new_event
):
    dissolved = uuid.uuid4()
    removed = uuid.uuid4()
    await publish(
        new_event(1, dissolved),
        new_event(2, removed),
        new_event(3),
        new_event(4, dissolved, version=2, event="status_changed", status="dissolved"),
        new_event(5, removed, version=2, event="removed"),
    )
    snapshot = (await client.get("/v1/snapshot", headers=A)).json()
    assert snapshot["sequence"] == 5
    assert snapshot["count"] == 2
    by_id = {o["id"]: o for o in snapshot["organizations"]}
    assert by_id[str(dissolved)]["status"] == "dissolved"
    assert str(removed) not in by_id
    assert "Tân Hưng" in by_id[str(dissolved)]["name"]


async def test_metrics_show_queue_depth_and_lag(client, publish, subscribe, new_event):
    await subscribe("http://127.0.0.1:9/")
    await publish(new_event(1), new_event(2))
    text = (await client.get("/metrics")).text
    assert "hoptac_webhook_queue_depth 2.0" in text
    assert "hoptac_notifications_feed_sequence 2.0" in text
    assert "hoptac_webhook_lag_seconds" in text


async def test_readiness_says_what_failed_without_internals(settings, engine):
    unreachable = settings.model_copy(
        update={"database_url": f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"}
    )
    service = build_notifications(unreachable, StaticIdentity({}))
    transport = httpx.ASGITransport(app=create_app(unreachable, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://n") as http:
        response = await http.get("/readyz")
    await service.engine.dispose()
    assert response.status_code == 503
    message = response.json()["message"]
    assert "database" in message
    for internal in ("127.0.0.1", "Errno", "asyncpg", "refused", "nowhere"):
        assert internal not in message, message


async def test_the_shared_guard_limits_each_client_and_sets_security_headers(settings, engine):
    strict = settings.model_copy(update={"rate_limit_writes": "2/minute"})
    service = build_notifications(
        strict, StaticIdentity({"t": Caller("x", "agency_reader")}), engine
    )
    transport = httpx.ASGITransport(app=create_app(strict, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://n") as http:
        answers = [
            await http.post(
                "/v1/subscriptions",
                json={"url": "http://127.0.0.1:9/"},
                headers={"Authorization": "Bearer t"},
            )
            for _ in range(3)
        ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert int(answers[2].headers["Retry-After"]) > 0
    assert answers[0].headers["X-Content-Type-Options"] == "nosniff"


async def test_an_event_stream_ends_when_its_token_is_revoked(settings, engine, publish, new_event):
    known = {"t": Caller("x", "agency_reader")}
    service = build_notifications(settings, StaticIdentity(known), engine)
    app = create_app(settings, service, stream_poll_seconds=0.05)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    serving = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, message="app serving")
    await publish(new_event(1))
    ids: list[str] = []
    try:
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
            http.stream("GET", "/v1/feed/stream", headers={"Authorization": "Bearer t"}) as r,
        ):
            async for line in r.aiter_lines():
                if line.startswith("id: "):
                    ids.append(line.removeprefix("id: "))
                    del known["t"]  # revoked after the first event
                    await publish(new_event(2))
        # The loop ended: the server closed the stream, without sending event 2.
        assert ids == ["1"]
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 10)


async def test_the_snapshot_honours_its_filters(client, publish, new_event):
    await publish(
        new_event(1, province="96"),
        new_event(2, province="01"),
        new_event(3, province="96", kind="cooperative_group"),
    )
    ca_mau = (await client.get("/v1/snapshot?provinces=96", headers=A)).json()
    groups = (
        await client.get("/v1/snapshot?provinces=96&kinds=cooperative_group", headers=A)
    ).json()
    assert (ca_mau["count"], len(ca_mau["organizations"])) == (2, 2)
    assert {o["address"]["province_code"] for o in ca_mau["organizations"]} == {"96"}
    assert [o["kind"] for o in groups["organizations"]] == ["cooperative_group"]
    bad = await client.get("/v1/snapshot?provinces=999", headers=A)
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("accept_language", "language", "said"),
    [
        ("vi", "vi", "10.1.2.3 là một địa chỉ riêng (private) (10.1.2.3); hãy dùng một địa chỉ"),
        ("en;q=0.9, vi;q=0.1", "en", "10.1.2.3 is a private address (10.1.2.3); use a public"),
    ],
)
async def test_the_same_refused_url_is_answered_in_the_language_asked_for(
    client, accept_language, language, said
):
    response = await client.post(
        "/v1/subscriptions",
        json={"url": "http://10.1.2.3/hook"},
        headers={**A, "Accept-Language": accept_language},
    )
    assert response.status_code == 422, response.text
    assert response.headers["Content-Language"] == language
    body = response.json()
    assert body["error"] == "invalid_request"
    assert [e["field"] for e in body["errors"]] == ["url"]
    assert body["errors"][0]["message"].startswith(said)
    assert said in body["message"]


async def test_a_missing_token_is_explained_in_vietnamese(client):
    missing = await client.get("/v1/feed", headers={"Accept-Language": "vi-VN"})
    assert missing.status_code == 401
    assert missing.json()["error"] == "unauthenticated"
    assert missing.json()["message"].startswith("Hãy gửi mã truy cập do sổ đăng ký")
    assert missing.headers["Content-Language"] == "vi"
