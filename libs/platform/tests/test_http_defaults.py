"""The HTTP defaults every service installs: rate limits, security headers, a metrics token,
JSON errors for an unreachable dependency and for a bug, readiness without internals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError

from hoptac.platform.error_answers import error_response
from hoptac.platform.guard import HttpGuard, RateLimits, RequestShape
from hoptac.platform.http import NotReady, StrictJsonRoute, install_defaults
from hoptac.platform.text import Text

pytestmark = pytest.mark.unit

bearer = HTTPBearer(auto_error=False)


def app_with(guard: HttpGuard, ready_error: Exception | None = None) -> FastAPI:
    app = FastAPI()

    async def ready() -> None:
        if ready_error is not None:
            raise ready_error

    install_defaults(app, "test", CollectorRegistry(), ready, 1000, guard=guard)

    @app.get("/v1/things")
    async def things() -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/v1/things")
    async def make() -> dict[str, str]:
        return {"made": "yes"}

    @app.get("/v1/secure")
    async def secure(request: Request) -> JSONResponse:
        return error_response(request, 401, "unauthenticated", Text("http.metrics_token_needed"))

    @app.get("/v1/database")
    async def database() -> None:
        raise OperationalError("SELECT secret FROM t WHERE x = %s", ("sealed:abc",), OSError())

    @app.get("/v1/bug")
    async def bug() -> None:
        raise RuntimeError("a bug")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    guard = HttpGuard(RateLimits("5/minute", "2/minute", "3/minute"), metrics_token="m-token")
    transport = httpx.ASGITransport(app=app_with(guard), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        yield http


async def test_reads_over_the_limit_get_429_with_retry_after(client: httpx.AsyncClient) -> None:
    answers = [await client.get("/v1/things") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:5]] == ["4", "3", "2", "1", "0"]
    limited = answers[-1]
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["RateLimit-Limit"] == "5"
    assert limited.json()["error"] == "rate_limited"


async def test_writes_have_their_own_limit_and_each_token_its_own_count(
    client: httpx.AsyncClient,
) -> None:
    first = [
        (await client.post("/v1/things", headers={"Authorization": "Bearer a"})) for _ in "xyz"
    ]
    assert [a.status_code for a in first] == [200, 200, 429]
    other = await client.post("/v1/things", headers={"Authorization": "Bearer b"})
    assert other.status_code == 200


async def test_failed_authentications_are_limited_per_address(client: httpx.AsyncClient) -> None:
    for guess in range(3):
        assert (
            await client.get("/v1/secure", headers={"Authorization": f"Bearer {guess}"})
        ).status_code == 401
    blocked = await client.get("/v1/things", headers={"Authorization": "Bearer another"})
    assert blocked.status_code == 429
    assert "Too many failed authentications" in blocked.json()["message"]


async def test_operations_endpoints_are_not_limited(client: httpx.AsyncClient) -> None:
    answers = [await client.get("/healthz") for _ in range(10)]
    assert {a.status_code for a in answers} == {200}


async def test_every_answer_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/things")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "Content-Security-Policy" not in (await client.get("/docs")).headers


async def test_metrics_need_the_metrics_token_when_one_is_set(client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 401
    good = await client.get("/metrics", headers={"Authorization": "Bearer m-token"})
    assert good.status_code == 200
    assert "hoptac_http_request_duration_seconds" in good.text


async def test_an_unreachable_database_is_a_json_503_with_retry_after(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/v1/database")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["error"] == "unavailable"
    assert "sealed" not in answer.text


async def test_a_bug_is_a_json_500_that_tells_nothing_inside(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/bug")
    assert answer.status_code == 500
    assert answer.json()["error"] == "internal_error"
    assert "a bug" not in answer.text


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (NotReady(Text("http.unavailable")), "cannot reach its database or message bus"),
        (OSError("connect to 10.0.0.5:5432 password=hunter2"), "unavailable; see its log"),
    ],
)
async def test_readiness_shows_a_public_reason_and_hides_internals(
    error: Exception, shown: str
) -> None:
    transport = httpx.ASGITransport(app=app_with(HttpGuard(), error))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        answer = await http.get("/readyz")
    assert answer.status_code == 503
    assert shown in answer.json()["message"]
    assert "hunter2" not in answer.text


async def test_too_many_or_too_large_headers_are_a_431(client: httpx.AsyncClient) -> None:
    many = [(f"x-{number}", "1") for number in range(150)]
    large = [("x-large", "a" * 40_000)]
    for headers in (many, large):
        answer = await client.get("/v1/things", headers=headers)
        assert answer.status_code == 431
        assert answer.json()["error"] == "headers_too_large"


async def test_a_stalled_body_is_a_408() -> None:
    app = FastAPI()
    install_defaults(app, "test", CollectorRegistry(), _always_ready, 1000)

    @app.post("/v1/things")
    async def make(body: dict[str, str]) -> dict[str, str]:
        return body

    async def stalling() -> AsyncIterator[bytes]:
        yield b'{"a":'
        await asyncio.sleep(1)
        yield b'"b"}'

    impatient = RequestShape(app, body_idle_seconds=0.05)
    transport = httpx.ASGITransport(app=impatient)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        answer = await http.post(
            "/v1/things", content=stalling(), headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 408
    assert answer.json()["error"] == "request_timeout"


async def _always_ready() -> None:
    return None


class Thing(BaseModel):
    code: Annotated[str, Field(pattern=r"^\d{5}$")]


@pytest.fixture
async def strict_client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_defaults(app, "test", CollectorRegistry(), _always_ready, 1000)
    router = APIRouter(route_class=StrictJsonRoute)

    @router.post("/v1/things")
    async def make(thing: Thing) -> Thing:
        return thing

    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        yield http


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{\n  "code": "31825",\n  oops}', "Invalid JSON at line 3 column 3"),
        (b'{"code": "31825", "code": "31826"}', 'the key "code" appears twice'),
        (b'{"code": "3182"}', "'3182' is not 5 digits"),
    ],
)
async def test_a_body_error_says_where_and_what_a_person_can_fix(
    strict_client: httpx.AsyncClient, content: bytes, said: str
) -> None:
    answer = await strict_client.post(
        "/v1/things", content=content, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert said in answer.json()["message"]
    assert "^" not in answer.json()["message"]


async def test_a_form_body_is_told_to_send_json(strict_client: httpx.AsyncClient) -> None:
    answer = await strict_client.post("/v1/things", data={"code": "31825"})
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("Send JSON")


async def test_an_exempt_address_is_not_limited() -> None:
    limits = RateLimits("2/minute", "2/minute", "2/minute", exempt=frozenset({"127.0.0.1"}))
    transport = httpx.ASGITransport(app=app_with(HttpGuard(limits)), client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        answers = [await http.get("/v1/things") for _ in range(5)]
    assert {a.status_code for a in answers} == {200}


def test_the_document_declares_each_routes_security_and_only_the_statuses_it_can_answer() -> None:
    app = app_with(HttpGuard())

    @app.get("/v1/own/{thing_id}")
    async def own(
        thing_id: int, token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> dict[str, int]:
        return {"id": thing_id}

    @app.delete("/v1/own/{thing_id}", status_code=204)
    async def remove(
        thing_id: int, token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> None:
        return None

    paths = app.openapi()["paths"]
    public = paths["/v1/things"]["get"]
    assert public["security"] == []  # public, said so
    assert {"401", "403", "404", "422"}.isdisjoint(public["responses"])  # none can happen
    assert {"429", "500", "503"} <= set(public["responses"])
    owned = paths["/v1/own/{thing_id}"]["get"]
    assert owned["security"] == [{"HTTPBearer": []}]
    assert {"401", "403", "404", "422"} <= set(owned["responses"])
    assert set(paths["/v1/own/{thing_id}"]["delete"]["responses"]) & {"200", "204"} == {"204"}
    metrics = paths["/metrics"]["get"]
    assert metrics["security"] == [{}, {"MetricsToken": []}]  # the token only when one is set
    ready = paths["/readyz"]["get"]["responses"]
    assert ready["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Readiness"
    }
    assert ready["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }


@pytest.mark.parametrize(
    ("accept_language", "language", "said"),
    [
        (
            "vi",
            "vi",
            "JSON không hợp lệ tại dòng 3, cột 3: thiếu một khóa đặt trong dấu ngoặc kép.",
        ),
        ("en-GB,en;q=0.9", "en", "Invalid JSON at line 3 column 3: a key in double quotes was"),
        ("fr, vi;q=0.5, en;q=0.4", "vi", "JSON không hợp lệ tại dòng 3, cột 3"),
        (None, "en", "Invalid JSON at line 3 column 3"),
    ],
)
async def test_an_error_answers_in_the_language_the_request_prefers(
    strict_client: httpx.AsyncClient, accept_language: str | None, language: str, said: str
) -> None:
    headers = {"Content-Type": "application/json"}
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    answer = await strict_client.post(
        "/v1/things", content=b'{\n  "code": "31825",\n  oops}', headers=headers
    )
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_request"
    assert said in answer.json()["errors"][0]["message"]
    assert answer.headers["Content-Language"] == language
    assert "Accept-Language" in answer.headers["Vary"]


async def test_a_form_body_is_told_to_send_json_in_vietnamese(
    strict_client: httpx.AsyncClient,
) -> None:
    answer = await strict_client.post(
        "/v1/things", data={"code": "31825"}, headers={"Accept-Language": "vi-VN"}
    )
    assert answer.json()["errors"][0]["message"].startswith("Hãy gửi JSON")


async def test_middleware_refusals_answer_in_the_language_asked_for(
    client: httpx.AsyncClient,
) -> None:
    many = [(f"x-{number}", "1") for number in range(150)]
    answer = await client.get("/v1/things", headers=[*many, ("Accept-Language", "vi")])
    assert answer.status_code == 431
    assert answer.json()["message"].startswith("Hãy gửi tối đa 100 tiêu đề")
    assert answer.headers["Content-Language"] == "vi"
