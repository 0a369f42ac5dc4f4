"""An organisation's public profile, now or as it stood on a day (`?as_of=`, a permalink)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.portal.adapters.backends import NotFound, Rejected, Unavailable
from hoptac.portal.adapters.outlines import load_outlines
from hoptac.portal.adapters.recent_answers import VersionedAnswers
from hoptac.portal.domain import map_layout
from hoptac.portal.domain.history import public_changes, status_timeline
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.dependencies import BackendsDep, PagesDep
from hoptac.portal.entrypoints.http.errors import not_found_page
from hoptac.portal.entrypoints.http.library import documents_applying, linked_basis
from hoptac.portal.entrypoints.http.rendering import Pages, language_of, page_answer

router = APIRouter(include_in_schema=False)


@router.get("/organizations/{org_id}")
async def profile(
    org_id: str, request: Request, pages: PagesDep, backends: BackendsDep
) -> Response:
    try:
        uuid = UUID(org_id)
    except ValueError:
        return not_found_page(request)
    raw_as_of = request.query_params.get("as_of", "").strip()[:10]
    as_of, problems = _as_of(raw_as_of)
    context: dict[str, Any] = {
        "org_id": str(uuid),
        "as_of": as_of,
        "as_of_input": raw_as_of,
        "problems": problems,
        "record": None,
        "timeline": [],
        "changes": [],
        "history_unavailable": False,
        "digital_flags": DIGITAL_FLAGS,
    }
    record, versions = await backends.record_and_history(uuid, as_of.isoformat() if as_of else None)
    if isinstance(record, NotFound) and as_of is None:
        return not_found_page(request)
    if isinstance(record, NotFound):
        context["problems"] = [Problem("as_of", "error.not_registered_then")]
    elif isinstance(record, Rejected):
        context["problems"] = [Problem("as_of", "error.date_invalid")]
    elif isinstance(record, Unavailable):
        return pages.render(request, "unavailable.html", {"part": "registry"}, 503)
    elif isinstance(record, BaseException):
        raise record
    else:
        context["record"] = record
        context["documents"] = await documents_applying(request, record)
        context["status_basis"] = await linked_basis(request, await backends.status_basis())
    if isinstance(versions, (Unavailable, NotFound, Rejected)):
        context["history_unavailable"] = True
    elif isinstance(versions, BaseException):
        raise versions
    if context["problems"]:
        return pages.render(request, "organization.html", _filled(request, context, versions), 422)
    # The page today is made of the record and history of one version and of what surrounds
    # them: kept with that version, it serves again until the version moves (or the
    # documents, the statuses' legal basis or the reader's language differ).
    kept: VersionedAnswers = request.app.state.kept_profiles
    canonical = as_of is None and not request.url.query
    version = _current_version(record, versions) if canonical else None
    key = (uuid, language_of(request), orjson.dumps(context["documents"]),
           orjson.dumps(context["status_basis"]))  # fmt: skip
    body: bytes | None = kept.get(key, version) if version is not None else None
    if body is None:
        body = pages.body(request, "organization.html", _filled(request, context, versions))
        if version is not None:
            kept.put(key, version, body)
    return page_answer(request, body)


def _filled(request: Request, context: dict[str, Any], versions: Any) -> dict[str, Any]:
    """The rest of the profile's context, made from the record and history only when the
    page is rendered."""
    record = context["record"]
    if record is not None:
        pages: Pages = request.app.state.pages
        context["spot"] = map_layout.spot(record.get("address") or {}, pages.areas.centroids)
        context["outlines"] = load_outlines(request.app.state.settings.node_modules)
        context["map_width"], context["map_height"] = map_layout.WIDTH, map_layout.HEIGHT
    if not context["history_unavailable"]:
        context["timeline"] = status_timeline(versions)
        context["changes"] = public_changes(versions)
    return context


def _current_version(record: Any, versions: Any) -> int | None:
    """The version a whole page may be kept under: the record's, when its history ends there."""
    if not isinstance(record, dict) or not isinstance(versions, list) or not versions:
        return None
    version = int(record["version"])
    return version if max(int(v["version"]) for v in versions) == version else None


def _as_of(raw: str) -> tuple[date | None, list[Problem]]:
    if not raw:
        return None, []
    try:
        return date.fromisoformat(raw), []
    except ValueError:
        return None, [Problem("as_of", "error.date_invalid")]
