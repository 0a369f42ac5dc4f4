"""HTTP defaults every service installs: health, readiness, metrics, error shape, body limit.

Errors are JSON: {"error": <code>, "message": <what to do>, "errors": [{"field", "message"}]}.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY, RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hoptac.platform.guard import HttpGuard, RateLimit, RequestShape, SecurityHeaders
from hoptac.platform.outages import UNAVAILABLE

ReadyCheck = Callable[[], Awaitable[None]]  # raises when the service cannot serve

log = logging.getLogger("hoptac.http")


class NotReady(Exception):
    """A reason for not being ready that is fit to show anyone: it names no internals."""


MetricsRefresh = Callable[[], Awaitable[None]]  # updates gauges right before a scrape


def error_body(
    code: str, message: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "message": message}
    if errors:
        body["errors"] = errors
    return body


def error_response(
    status: int, code: str, message: str, errors: list[dict[str, str]] | None = None
) -> JSONResponse:
    """The error shape every service answers with; a 401 also says which scheme to use."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        status_code=status, content=error_body(code, message, errors), headers=headers
    )


def field_path(location: tuple[int | str, ...] | list[int | str]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] if parts[0] == "body" else parts
    return ".".join(parts)


_DIGITS = re.compile(r"^\^\\d\{(\d+)(?:,(\d+))?\}\$$")
_DIGITS_EITHER = re.compile(r"^\^\(\\d\{(\d+)\}\|\\d\{(\d+)\}\)\$$")


def describe_pattern(pattern: str) -> str:
    """A regular expression a person can read: `^\\d{5}$` is "5 digits"."""
    if match := _DIGITS.match(pattern):
        low, high = match.groups()
        return f"{low} to {high} digits" if high else f"{low} digits"
    if match := _DIGITS_EITHER.match(pattern):
        return f"{match[1]} or {match[2]} digits"
    return "the form this field takes (its pattern is in /openapi.json)"


def _json_position(document: Any, position: int) -> str:
    text = document if isinstance(document, str) else ""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"line {line} column {column}"


def _validation_message(error: dict[str, Any], body: Any) -> str:
    message = str(error.get("msg", "is not valid"))
    kind, context = error.get("type"), error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of this request; check the spelling against /openapi.json"
    if kind == "json_invalid":
        position = error.get("loc", ("body", 0))[-1]
        where = _json_position(body, position) if isinstance(position, int) else "its start"
        return f"invalid JSON at {where}: {context.get('error', message)}"
    if kind in ("model_attributes_type", "dict_type") and tuple(error.get("loc", ())) == ("body",):
        return "send the body as JSON, with Content-Type: application/json"
    if kind == "string_pattern_mismatch":
        return f"{error.get('input')!r} is not {describe_pattern(str(context.get('pattern')))}"
    return message


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": field_path(e.get("loc", ())) or "body",
            "message": _validation_message(e, exc.body),
        }
        for e in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
    return JSONResponse(
        status_code=422,
        content=error_body("invalid_request", f"fix these fields: {summary}", errors),
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {
        404: "not_found",
        405: "method_not_allowed",
        408: "request_timeout",
        413: "body_too_large",
    }.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no route {request.url.path}; see /docs for the routes of this service"
    if exc.status_code == 413:
        limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY)
        message = f"the request body is over {limit} bytes; send less"
    return JSONResponse(
        status_code=exc.status_code, content=error_body(code, message), headers=exc.headers
    )


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


class StrictJsonRequest(Request):
    """A request whose JSON body may not name a key twice in one object: parsers disagree on
    which of the two wins, so a body that says two things is refused rather than guessed."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            text = (await self.body()).decode("utf-8", errors="replace")
            try:
                self._json = json.loads(text, object_pairs_hook=_refuse_duplicates)
            except _DuplicateKey as duplicate:
                quoted = json.dumps(str(duplicate), ensure_ascii=False)
                second = text.find(quoted, text.find(quoted) + 1)
                raise json.JSONDecodeError(
                    f"the key {quoted} appears twice in one object", text, max(second, 0)
                ) from None
        return self._json


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class StrictJsonRoute(APIRoute):
    """Routes whose JSON bodies are parsed by `StrictJsonRequest`.

    A subclass may set `authorise_write`: it runs before anything of a write request is read
    (body, parameters), so a caller who may not write learns that first, whatever it sent.
    """

    authorise_write: Callable[[Request], Awaitable[None]] | None = None

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        authorise = type(self).authorise_write

        async def strict(request: Request) -> Response:
            strict_request = StrictJsonRequest(request.scope, request.receive)
            if authorise is not None and request.method in WRITE_METHODS:
                await authorise(strict_request)
            return await handler(strict_request)

        return strict


class DeclaredBodyLimit:
    """Refuses a body whose Content-Length is over the limit with the JSON 413, before Starlette's
    limit (which counts streamed bodies too) would answer it in plain text."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = Headers(scope=scope).get("content-length") if scope["type"] == "http" else None
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = JSONResponse(
                status_code=413,
                content=error_body(
                    "body_too_large", f"the request body is over {self.max_bytes} bytes; send less"
                ),
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RequestMetrics:
    """Observes each request's latency under its route template (pure ASGI: cheap per request)."""

    def __init__(self, app: ASGIApp, service: str, latency: Histogram) -> None:
        self.app = app
        self.service = service
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.latency.labels(self.service, scope["method"], route, str(status)).observe(
                time.perf_counter() - start
            )


# A dependency that cannot be reached (`outages.UNAVAILABLE`): the request may succeed
# shortly, so it is a 503 with Retry-After, not a 500.
RETRY_AFTER_SECONDS = 5


async def _on_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning(
        "%s %s: a dependency is unavailable: %s", request.method, request.url.path, type(exc)
    )
    return JSONResponse(
        status_code=503,
        content=error_body(
            "unavailable",
            "the service cannot reach its database or message bus just now; try again shortly",
        ),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A bug: the answer says so in JSON; the traceback goes to the log (engines are made with
    hide_parameters, so no SQL parameter, sealed secrets included, is printed)."""
    return JSONResponse(
        status_code=500,
        content=error_body(
            "internal_error", "an unexpected error; it is logged, and nothing was half done"
        ),
    )


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error of every service: a code, a message a person can act on, the fields at fault."""

    error: str = Field(examples=["invalid_request"])
    message: str
    errors: list[FieldError] | None = None


# The errors any route may answer with: the middleware and handlers every service shares.
COMMON_ERRORS = {
    "400": "The request cannot be read",
    "408": "The body stalled",
    "413": "The body is over the limit",
    "429": "Over a rate limit or quota; see Retry-After",
    "431": "Too many or too large headers",
    "500": "An unexpected error, logged",
    "503": "A dependency is unavailable; see Retry-After",
}
# Those that only some routes can answer with, and when.
SECURED_ERRORS = {
    "401": "A token is needed, or the one sent is unknown, revoked or expired",
    "403": "The token may not do this",
}
ADDRESSED_ERRORS = {"404": "Nothing at this address"}  # routes with a path parameter
PARAMETER_ERRORS = {"422": "A field is invalid; `errors` names each"}  # routes that take input

METRICS_SCHEME = "MetricsToken"


class Readiness(BaseModel):
    status: str = Field(examples=["ready"])
    service: str


def _statuses(operation: dict[str, Any]) -> dict[str, str]:
    """The error statuses an operation can answer with, from what it declares."""
    statuses = dict(COMMON_ERRORS)
    if any(requirement for requirement in operation.get("security", [])):
        statuses |= SECURED_ERRORS
    parameters = operation.get("parameters", [])
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses |= ADDRESSED_ERRORS
    if parameters or "requestBody" in operation:
        statuses |= PARAMETER_ERRORS
    return statuses


def _complete_document(app: FastAPI) -> None:
    """The generated OpenAPI document says what the service really answers: the error shape
    and the statuses each route can answer with, and the security of every route (an empty
    requirement for a public one), so that clients (and schemathesis) can hold it to them."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("servers", [{"url": "/", "description": "This service"}])
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas["ErrorBody"] = ErrorBody.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        schemas.update(schemas["ErrorBody"].pop("$defs", {}))
        components.setdefault("securitySchemes", {})[METRICS_SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "description": "The metrics token, when the service is configured with one",
        }
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                operation.setdefault("security", [])
                responses = operation.setdefault("responses", {})
                for status, description in _statuses(operation).items():
                    responses.setdefault(status, {"description": description})
                for status, documented in responses.items():
                    if status[0] in "45" and (status == "422" or "content" not in documented):
                        documented["content"] = error
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_defaults(
    app: FastAPI,
    service: str,
    registry: CollectorRegistry,
    ready: ReadyCheck,
    max_body_bytes: int,
    refresh_metrics: MetricsRefresh | None = None,
    *,
    guard: HttpGuard | None = None,
) -> None:
    latency = Histogram(
        "hoptac_http_request_duration_seconds",
        "HTTP request latency by route and status",
        ["service", "method", "route", "status"],
        registry=registry,
        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    )
    app.add_middleware(RequestMetrics, service=service, latency=latency)
    # Starlette's limit counts streamed (chunked) bodies; the declared size is refused first.
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=max_body_bytes)
    app.add_middleware(DeclaredBodyLimit, max_bytes=max_body_bytes)
    guard = guard or HttpGuard()
    if guard.rate_limits is not None:
        app.add_middleware(RateLimit, limits=guard.rate_limits)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestShape)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    for unavailable in UNAVAILABLE:
        app.add_exception_handler(unavailable, _on_unavailable)
    app.add_exception_handler(Exception, _on_unexpected)
    _complete_document(app)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="The service can serve requests",
        response_class=JSONResponse,
        responses={
            200: {"model": Readiness},
            503: {"description": "Not ready; `message` says why"},
        },
    )
    async def readyz() -> JSONResponse:
        try:
            await ready()
        except NotReady as error:
            return JSONResponse(status_code=503, content=error_body("not_ready", str(error)))
        except Exception as error:  # any failing dependency means "not ready"; details in the log
            log.warning("%s is not ready: %s: %s", service, type(error).__name__, error)
            return JSONResponse(
                status_code=503,
                content=error_body(
                    "not_ready", f"a dependency of {service} is unavailable; see its log"
                ),
            )
        return JSONResponse({"status": "ready", "service": service})

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
        openapi_extra={"security": [{}, {METRICS_SCHEME: []}]},
    )
    async def metrics(request: Request) -> Response:
        if guard.metrics_token is not None and not hmac.compare_digest(
            request.headers.get("authorization", "").encode(),
            f"Bearer {guard.metrics_token}".encode(),
        ):
            return error_response(401, "unauthenticated", "metrics need the metrics token")
        if refresh_metrics is not None:
            await refresh_metrics()
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
