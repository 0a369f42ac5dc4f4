"""GET /v1/search and /v1/suggest without FastAPI's per-request machinery.

They are most of the traffic, and routing, dependency solving and the Request and Response
objects cost as much Python time as the query itself. `FastPaths` is an ASGI middleware that
sits inside the service's other middleware (so request metrics and the body limit still apply)
and answers these two paths itself: it reads the query string as Starlette does, answers with
the bodies `answers` builds, and reports bad input with the same 422 body as the exception
handler. Everything else, and other methods on these paths, goes on to FastAPI, whose routes
for them stay declared for /openapi.json and answer the same.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from hoptac.platform.error_answers import invalid_query_response
from hoptac.search.domain.query import InvalidQuery
from hoptac.search.entrypoints.http import answers

JSON_HEADERS = (b"content-type", b"application/json")


class FastPaths:
    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        # the routes of these paths, for the request metrics' route label
        self._route_of = {r.path: r for r in routes if isinstance(r, Route)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path")
        if scope["type"] != "http" or scope["method"] != "GET" or path not in answers.ENDPOINTS:
            await self.app(scope, receive, send)
            return
        scope["route"] = self._route_of.get(path)
        params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        state = scope["app"].state
        try:
            body = await answers.ENDPOINTS[path](state, params)
        except InvalidQuery as exc:
            answer = invalid_query_response(HTTPConnection(scope), exc.problems)
            await answer(scope, receive, send)
            return
        headers = [(b"content-length", str(len(body)).encode()), JSON_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
