"""The home page, the page about the data, and the language switch."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from hoptac.portal.adapters.backends import NotFound, Rejected, Unavailable
from hoptac.portal.domain.formatting import LANGUAGES
from hoptac.portal.entrypoints.http.dependencies import BackendsDep, PagesDep
from hoptac.portal.entrypoints.http.library import linked_basis, required_fields_basis
from hoptac.portal.entrypoints.http.rendering import LANGUAGE_COOKIE

router = APIRouter(include_in_schema=False)

RECENT_DAYS = 30
RECENT_COUNT = 8
ONE_YEAR = 365 * 24 * 3600


@router.get("/")
async def home(request: Request, pages: PagesDep, backends: BackendsDep) -> Response:
    summary, recent = await asyncio.gather(
        backends.summary([]),
        backends.recently_changed(datetime.now(UTC), RECENT_DAYS, RECENT_COUNT),
        return_exceptions=True,
    )
    # A part whose backend failed stays None, and the page says that part is unavailable.
    context: dict[str, Any] = {"summary": None, "recent": None}
    for key, answer in (("summary", summary), ("recent", recent)):
        if isinstance(answer, (Unavailable, NotFound, Rejected)):
            continue
        if isinstance(answer, BaseException):
            raise answer
        context[key] = answer
    return pages.render(request, "home.html", context)


@router.get("/about")
async def about(request: Request, pages: PagesDep, backends: BackendsDep) -> Response:
    """With the register's rules and what each rests on, linked to the library: entering each
    status, and the fields a record cannot be registered without."""
    context = {
        "status_basis": await linked_basis(request, await backends.status_basis()),
        "field_basis": await required_fields_basis(request),
    }
    return pages.render(request, "about.html", context)


@router.get("/language")
async def switch_language(
    to: Annotated[str, Query(max_length=5)] = "vi",
    next_page: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> Response:
    """Remembers the language in a cookie and goes back to the page, on this site only."""
    language = to if to in LANGUAGES else "vi"
    target = next_page.replace("\\", "/")  # browsers read "/\\host" as "//host"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR, httponly=True, samesite="lax")
    return response
