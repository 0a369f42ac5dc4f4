"""Crafted input on every route of the API: each is answered with a 4xx JSON error a person can
act on, never a 5xx. The token is checked by a registry over HTTP (a mock transport), so a header
that the HTTP client would choke on is caught too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hoptac.notifications.bootstrap import build_notifications
from hoptac.notifications.entrypoints.http.app import create_app
from hoptac.platform.identity import RegistryIdentity

pytestmark = pytest.mark.integration

TOKEN = "hoptac_agency-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ADMIN_TOKEN = "hoptac_admin-token"
HUGE = str(2**63)
HUGER = "9" * 40
DELIVERY = "/v1/subscriptions/{sub}/deliveries"


def registry(request: httpx.Request) -> httpx.Response:
    roles = {f"Bearer {TOKEN}": "agency_reader", f"Bearer {ADMIN_TOKEN}": "admin"}
    role = roles.get(request.headers["authorization"])
    if role is not None:
        body = {"name": f"holder-{role}", "role": role, "provinces": [], "communes": []}
        return httpx.Response(200, json=body)
    return httpx.Response(401, json={"error": "unauthenticated"})


@pytest.fixture
async def crafted(settings, engine) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    identity = RegistryIdentity("http://registry", 0, httpx.MockTransport(registry))
    service = build_notifications(settings, identity, engine)
    # raise_app_exceptions=False: an unhandled error must show as the 500 a client would get.
    transport = httpx.ASGITransport(app=create_app(settings, service), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as http:
        made = await http.post(
            "/v1/subscriptions", json={"url": "http://127.0.0.1:9/"}, headers=AUTH
        )
        assert made.status_code == 201, made.text
        yield http, made.json()["id"]


ROUTES: list[tuple[str, str]] = [
    ("GET", "/v1/subscriptions"),
    ("POST", "/v1/subscriptions"),
    ("GET", "/v1/subscriptions/{sub}"),
    ("PATCH", "/v1/subscriptions/{sub}"),
    ("DELETE", "/v1/subscriptions/{sub}"),
    ("POST", "/v1/subscriptions/{sub}/secret"),
    ("GET", DELIVERY),
    ("GET", DELIVERY + "/1"),
    ("POST", DELIVERY + "/1/replay"),
    ("POST", "/v1/subscriptions/{sub}/replay"),
    ("GET", "/v1/feed"),
    ("GET", "/v1/feed/stream"),
    ("GET", "/v1/snapshot"),
]

BAD_TOKENS: list[bytes] = [
    "Bearer tökén".encode(),  # UTF-8 bytes
    b"Bearer \xff\xfe",  # not UTF-8 at all
    b"Bearer a\x00b",
    b"Bearer " + b"a" * 5000,
    b"Bearer a b",
]

# (method, path, query, JSON body (a str: sent as is), extra headers)
Case = tuple[str, str, dict[str, str] | None, Any, dict[str, str | bytes] | None]
SUBS = "/v1/subscriptions"
SUB = "/v1/subscriptions/{sub}"
REPLAY = "/v1/subscriptions/{sub}/replay"
URL = "http://127.0.0.1:9/"


def get(path: str, **query: str) -> Case:
    return ("GET", path, query, None, None)


def stream_from(last_event_id: str | bytes) -> Case:
    return ("GET", "/v1/feed/stream", None, None, {"Last-Event-ID": last_event_id})


def send(method: str, path: str, body: Any) -> Case:
    return (method, path, None, body, None)


def subscribe(**fields: Any) -> Case:
    return send("POST", SUBS, {"url": URL, **fields})


CASES: dict[str, Case] = {
    "feed after 2^63": get("/v1/feed", after=HUGE),
    "feed after 40 digits": get("/v1/feed", after=HUGER),
    "feed limit in Arabic-Indic digits": get("/v1/feed", limit="١٠"),
    "feed province with NUL": get("/v1/feed", provinces="9\x006"),
    "stream after 2^63": get("/v1/feed/stream", after=HUGE),
    "Last-Event-ID 2^63": stream_from(HUGE),
    # Header bytes arrive decoded as Latin-1: b"\xb2" is "²", a digit to str.isdigit().
    "Last-Event-ID superscript": stream_from(b"\xb2"),
    "Last-Event-ID UTF-8 digits": stream_from("١٢".encode()),
    "Last-Event-ID negative": stream_from("-1"),
    "deliveries after 2^63": get(DELIVERY, after=HUGE),
    "delivery id 2^63": get(f"{DELIVERY}/{HUGE}"),
    "delivery id 40 digits": get(f"{DELIVERY}/{HUGER}"),
    "replay one 2^63": send("POST", f"{DELIVERY}/{HUGE}/replay", None),
    "replay from 2^63": send("POST", REPLAY, {"from_sequence": 2**63}),
    "replay to 2^64": send("POST", REPLAY, {"from_sequence": 1, "to_sequence": 2**64}),
    "replay since year 9999 west of UTC": send(
        "POST", REPLAY, {"since": "9999-12-31T23:59:59-12:00"}
    ),
    "replay until year 1 east of UTC": send(
        "POST",
        REPLAY,
        {"since": "0001-01-01T00:00:00+14:00", "until": "0001-01-02T00:00:00+14:00"},
    ),
    "replay since year 10000": send("POST", REPLAY, {"since": "10000-01-01T00:00:00Z"}),
    "description with NUL": subscribe(description="a\x00b"),
    "description with a lone surrogate": send(
        "POST", SUBS, f'{{"url": "{URL}", "description": "a\\ud800b"}}'
    ),
    "description with a bidi override": subscribe(description="abc\u202edcba"),
    "changed description with NUL": send("PATCH", SUB, {"description": "\x00"}),
    "URL path with NUL": subscribe(url=URL + "a\x00"),
    "URL with CR LF": subscribe(url=URL + "a\r\nX-Evil: 1"),
    "URL with a tab in the host": subscribe(url="http://127.0.\t0.1:9/"),
    "URL with a lone surrogate": send("POST", SUBS, f'{{"url": "{URL}\\udfff"}}'),
    "changed URL with NUL": send("PATCH", SUB, {"url": URL + "\x00"}),
    "malformed IPv6 URL": subscribe(url="http://[::1/hook"),
    "IPv6 URL not an address": subscribe(url="http://[zz::1]/"),
    "IPv6 URL with text after the bracket": subscribe(url="http://[::1]evil/"),
    "changed URL malformed IPv6": send("PATCH", SUB, {"url": "http://[::1"}),
    "URL port 0": subscribe(url="http://127.0.0.1:0/"),
    "URL huge port": subscribe(url="http://127.0.0.1:" + HUGE),
    "filter value with NUL": subscribe(provinces=["9\x006"]),
    "subscription id not a UUID": get(f"{SUBS}/{HUGE}"),
    "admin's owner filter with NUL": (
        "GET",
        SUBS,
        {"owner": "a\x00b"},
        None,
        {"Authorization": f"Bearer {ADMIN_TOKEN}"},
    ),
    "admin's owner filter too long": (
        "GET",
        SUBS,
        {"owner": "a" * 201},
        None,
        {"Authorization": f"Bearer {ADMIN_TOKEN}"},
    ),
}


def _request(case: Case, sub: str) -> dict[str, Any]:
    method, path, query, body, headers = case
    request: dict[str, Any] = {
        "method": method,
        "url": path.format(sub=sub),
        "params": query,
        "headers": {**AUTH, **(headers or {})},
    }
    if isinstance(body, str):
        request["content"] = body.encode()
        request["headers"]["Content-Type"] = "application/json"
    elif body is not None:
        request["json"] = body
    return request


def _assert_client_error(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    answer = response.json()
    assert answer["error"], answer
    assert answer["message"], answer


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
async def test_crafted_input_is_a_client_error(crafted, case: str) -> None:
    http, sub = crafted
    _assert_client_error(await http.request(**_request(CASES[case], sub)))


@pytest.mark.parametrize("token", BAD_TOKENS, ids=range(len(BAD_TOKENS)))
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_a_malformed_token_is_401_on_every_route(crafted, method, path, token) -> None:
    http, sub = crafted
    response = await http.request(
        method, path.format(sub=sub), headers={"Authorization": token}, json=None
    )
    assert response.status_code == 401, (response.status_code, response.text)
    assert response.json()["error"] == "unauthenticated"
