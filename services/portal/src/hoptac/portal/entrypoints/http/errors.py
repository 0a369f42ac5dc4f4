"""Pages for what went wrong, in the reader's language: never JSON, never a stack trace."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hoptac.portal.entrypoints.http.rendering import Pages

log = logging.getLogger("hoptac.portal")


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def not_found_page(request: Request) -> Response:
    return _pages(request).render(request, "not_found.html", {}, 404)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return not_found_page(request)
    return _pages(request).render(
        request, "error.html", {"status_code": exc.status_code}, exc.status_code
    )


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return _pages(request).render(request, "error.html", {"status_code": 500}, 500)
