"""HTTP defaults every service installs: health, readiness, metrics, error shape, body limit.

Errors are JSON: {"error": <code>, "message": <what to do>, "errors": [{"field", "message"}]}
(`error_answers`), in the language the request asks for.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY, RequestBodyLimitResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hoptac.platform.error_answers import FieldText, TextHTTPException, error_response
from hoptac.platform.guard import HttpGuard, RateLimit, RequestShape, SecurityHeaders
from hoptac.platform.outages import UNAVAILABLE
from hoptac.platform.text import Quantity, Text, fix_these_fields, shown
from hoptac.platform.validation_messages import DUPLICATE_KEY, validation_text

ReadyCheck = Callable[[], Awaitable[None]]  # raises when the service cannot serve

log = logging.getLogger("hoptac.http")


class NotReady(Exception):
    """A reason for not being ready that is fit to show anyone: it names no internals."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason)
        self.reason = reason


MetricsRefresh = Callable[[], Awaitable[None]]  # updates gauges right before a scrape


def field_path(location: tuple[int | str, ...] | list[int | str]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] if parts[0] == "body" else parts
    return ".".join(parts)


def validation_fields(errors: Sequence[Any], body: Any = None) -> list[FieldText]:
    """pydantic's errors as the fields at fault, each with a message a person can act on."""
    return [
        FieldText(
            "body" if e.get("type") == "json_invalid" else field_path(e.get("loc", ())) or "body",
            validation_text(e, body),
        )
        for e in errors
    ]


def invalid_message(errors: Sequence[FieldText]) -> Text:
    """The message of a 422 for these fields."""
    # A body that cannot be read at all is the whole story: say so first, not "fix body".
    whole_body = len(errors) == 1 and errors[0].field == "body"
    return errors[0].message if whole_body else fix_these_fields(errors)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_fields(exc.errors(), exc.body)
    return error_response(request, 422, "invalid_request", invalid_message(errors), errors)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {
        404: "not_found",
        405: "method_not_allowed",
        408: "request_timeout",
        413: "body_too_large",
    }.get(exc.status_code, "http_error")
    if isinstance(exc, TextHTTPException):
        message = exc.text
    elif exc.status_code == 404:
        message = Text("http.no_route", path=shown(request.url.path))
    elif exc.status_code == 405:
        message = Text("http.method_not_allowed", method=shown(request.method))
    elif exc.status_code == 413:
        limit = Quantity(int(request.scope.get(MAX_BODY_SIZE_SCOPE_KEY) or 0))
        message = Text("http.body_too_large", limit=limit)
    elif exc.status_code == 400:
        message = Text("http.body_unreadable")
    else:
        message = Text("http.refused", status=exc.status_code)
    return error_response(request, exc.status_code, code, message, headers=exc.headers)


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
                    f"{DUPLICATE_KEY}{quoted}", text, max(second, 0)
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


class BodyLimits:
    """The largest body each route takes: `default`, or a larger one for a few paths named
    exactly (a batch write, an upload)."""

    def __init__(self, default: int, larger: Mapping[str, int] | None = None) -> None:
        self.default = default
        self.larger = dict(larger or {})

    def of(self, scope: Scope) -> int:
        return self.larger.get(scope.get("path", ""), self.default)


class DeclaredBodyLimit:
    """Refuses a body whose Content-Length is over the limit with the JSON 413, before Starlette's
    limit (which counts streamed bodies too) would answer it in plain text."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = Headers(scope=scope).get("content-length") if scope["type"] == "http" else None
        limit = self.limits.of(scope)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = error_response(
                Request(scope),
                413,
                "body_too_large",
                Text("http.body_too_large", limit=Quantity(limit)),
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class StreamedBodyLimit:
    """Starlette's limit, which also counts chunked bodies, with each path's own limit."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await RequestBodyLimitResponder(self.app, self.limits.of(scope))(scope, receive, send)


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
    return error_response(
        request,
        503,
        "unavailable",
        Text("http.unavailable"),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A bug: the answer says so in JSON; the traceback goes to the log (engines are made with
    hide_parameters, so no SQL parameter, sealed secrets included, is printed)."""
    return error_response(request, 500, "internal_error", Text("http.internal_error"))


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error of every service: a code, a message a person can act on, the fields at fault."""

    error: str = Field(
        examples=["invalid_request"], description="A code to branch on; the same in every language"
    )
    message: str = Field(
        description="In English, or in Vietnamese when Accept-Language prefers vi "
        "(said in Content-Language)",
        examples=["Fix name: This field is required."],
    )
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
    larger_bodies: Mapping[str, int] | None = None,
) -> None:
    """`larger_bodies`: paths (exactly as routed) that take more than `max_body_bytes`."""
    limits = BodyLimits(max_body_bytes, larger_bodies)
    latency = Histogram(
        "hoptac_http_request_duration_seconds",
        "HTTP request latency by route and status",
        ["service", "method", "route", "status"],
        registry=registry,
        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    )
    app.add_middleware(RequestMetrics, service=service, latency=latency)
    # Starlette's limit counts streamed (chunked) bodies; the declared size is refused first.
    app.add_middleware(StreamedBodyLimit, limits=limits)
    app.add_middleware(DeclaredBodyLimit, limits=limits)
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
    async def readyz(request: Request) -> JSONResponse:
        try:
            await ready()
        except NotReady as error:
            return error_response(request, 503, "not_ready", error.reason)
        except Exception as error:  # any failing dependency means "not ready"; details in the log
            log.warning("%s is not ready: %s: %s", service, type(error).__name__, error)
            return error_response(
                request, 503, "not_ready", Text("http.dependency_unavailable", service=service)
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
            return error_response(
                request, 401, "unauthenticated", Text("http.metrics_token_needed")
            )
        if refresh_metrics is not None:
            await refresh_metrics()
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
