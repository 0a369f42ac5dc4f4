"""Puts the workspace into the portal app: its routes, its client of the registry, the key of
its form tokens, and the answers to a missing session, a refused form or a refused write."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response

from hoptac.portal.adapters.backends import NotFound, Unavailable
from hoptac.portal.adapters.staff import Refused, SessionEnded, StaffRegistry
from hoptac.portal.adapters.staff_collection import StaffCollection
from hoptac.portal.adapters.staff_library import StaffLibrary
from hoptac.portal.entrypoints.http.errors import not_found_page
from hoptac.portal.entrypoints.http.rendering import Pages
from hoptac.portal.entrypoints.http.workspace import (
    accounts,
    area,
    audit,
    campaigns,
    challenges,
    documents,
    history,
    imports,
    proposal,
    records,
    review,
    sign_in,
    status,
    tokens,
    withdraw,
)
from hoptac.portal.entrypoints.http.workspace.session import (
    SESSION_COOKIE,
    SIGN_IN,
    WORKSPACE,
    FormRefused,
    SignInRequired,
    go,
    render,
)
from hoptac.portal.settings import PortalSettings

MODULES = (
    sign_in,
    area,
    challenges,
    records,
    status,
    withdraw,
    history,
    audit,
    accounts,
    tokens,
    imports,
    review,
    proposal,
    campaigns,
    documents,
)


def staff_registry(settings: PortalSettings) -> StaffRegistry:
    return StaffRegistry(
        httpx.AsyncClient(base_url=settings.registry_url, timeout=settings.backend_timeout)
    )


async def on_sign_in_required(request: Request, exc: Exception) -> Response:
    """To the sign-in page, and back here afterwards (a GET; a POST's form is not kept)."""
    back = request.url.path if request.method == "GET" else WORKSPACE
    response = go(f"{SIGN_IN}?{urlencode({'next': back})}")
    response.delete_cookie(SESSION_COOKIE, path=WORKSPACE)
    return response


async def on_form_refused(request: Request, exc: Exception) -> Response:
    return render(request, "form_expired.html", {}, None, 403, session="")


async def on_gone(request: Request, exc: Exception) -> Response:
    """What the person asked about is not there (any more): a record, an account, a token."""
    return not_found_page(request)


async def on_registry_down(request: Request, exc: Exception) -> Response:
    """The registry, or the library for its pages, did not answer: the page says which."""
    pages: Pages = request.app.state.pages
    part = exc.part if isinstance(exc, Unavailable) and exc.part == "library" else "registry"
    return pages.render(request, "unavailable.html", {"part": part}, 503)


async def on_write_refused(request: Request, exc: Exception) -> Response:
    """A refusal no page expected: not allowed (403), or what went wrong by its status."""
    assert isinstance(exc, Refused)
    if exc.status != 403:
        pages: Pages = request.app.state.pages
        return pages.render(request, "error.html", {"status_code": exc.status}, exc.status)
    return render(request, "refused.html", {"message": exc.message}, None, 403, session="")


def staff_collection(settings: PortalSettings) -> StaffCollection:
    return StaffCollection(
        httpx.AsyncClient(base_url=settings.collection_url, timeout=settings.backend_timeout)
    )


def staff_library(settings: PortalSettings) -> StaffLibrary:
    return StaffLibrary(
        httpx.AsyncClient(base_url=settings.library_url, timeout=settings.backend_timeout)
    )


def upload_limits(settings: PortalSettings) -> dict[str, int]:
    """The workspace's forms that carry a file, and the body each may send."""
    return {path: settings.library_upload_max_bytes for path in (documents.NEW, documents.CORRECT)}


def install_workspace(
    app: FastAPI,
    settings: PortalSettings,
    staff: StaffRegistry,
    collection: StaffCollection,
    library: StaffLibrary,
) -> None:
    app.state.staff = staff
    app.state.staff_collection = collection
    app.state.staff_library = library
    secret = settings.csrf_secret
    app.state.csrf_key = secret.get_secret_value().encode() if secret else secrets.token_bytes(32)
    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(SessionEnded, on_sign_in_required)
    app.add_exception_handler(FormRefused, on_form_refused)
    app.add_exception_handler(Refused, on_write_refused)
    # Public pages catch these themselves, part by part; a workspace page needs the registry.
    app.add_exception_handler(NotFound, on_gone)
    app.add_exception_handler(Unavailable, on_registry_down)
    for module in MODULES:
        app.include_router(module.router)
