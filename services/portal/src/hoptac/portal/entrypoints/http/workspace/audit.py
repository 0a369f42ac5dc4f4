"""The audit log (admins and reviewers): who did what, when and from where, filtered by person,
kind of action and record; newest first, a page at a time. The registry decides who may read it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.entrypoints.http.workspace.session import (
    WORKSPACE,
    RegistryDep,
    StaffDep,
    render,
)

router = APIRouter(include_in_schema=False)
AUDIT = f"{WORKSPACE}/nhat-ky"
ACTIONS = ("organization.", "account.", "session.", "token.")
MAX_FILTER = 200


@router.get(AUDIT)
async def audit_page(request: Request, staff: StaffDep, registry: RegistryDep) -> Response:
    if not staff.reviews:
        return render(request, "refused.html", {"message": ""}, staff, 403)
    query = request.query_params
    chosen = {name: query.get(name, "").strip()[:MAX_FILTER] for name in ("actor", "target")}
    action = query.get("action", "")
    chosen["action"] = action if action in ACTIONS else ""
    before = query.get("before", "")[:18]
    filters = [(name, value) for name, value in chosen.items() if value]
    page = [("before", before)] if before.isdigit() else []
    answer = await registry.audit(staff.session, [*filters, *page])
    older = answer.get("next_before")
    context = {
        "entries": answer.get("items", []),
        "chosen": chosen,
        "actions": ACTIONS,
        "next_query": [*filters, ("before", str(older))] if older else None,
    }
    return render(request, "audit.html", context, staff)
