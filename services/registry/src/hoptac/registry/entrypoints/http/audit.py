"""GET /v1/audit (admins and reviewers): who did what, when and from where, filtered. Reviewers
see the changes of restricted fields as changed, without their values, as in history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field, StringConstraints

from hoptac.platform.text import Text
from hoptac.registry.adapters.audit_trail import AuditFilters, read_audit
from hoptac.registry.domain.access import Principal, Role, require_token
from hoptac.registry.domain.errors import NotAllowed
from hoptac.registry.domain.record import Change, redact
from hoptac.registry.entrypoints.http.auth import Caller
from hoptac.registry.entrypoints.http.schemas import Body, Moment, Plain

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Short = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Plain
]


class AuditQuery(Body):
    actor: Short | None = None
    action: Short | None = Field(default=None, description='A prefix, e.g. "organization."')
    target: Short | None = None
    since: Moment | None = None
    until: Moment | None = None
    before: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="From next_before: the next page."
    )
    limit: Annotated[int, Field(ge=1, le=200)] = 50


def _shown_diff(diff: Any, viewer: Principal) -> Any:
    if viewer.role == Role.ADMIN or not isinstance(diff, list):
        return diff
    changes = [Change(d["field"], d.get("before"), d.get("after")) for d in diff if "field" in d]
    return [{"field": c.field, "before": c.before, "after": c.after} for c in redact(changes)]


@router.get("", summary="The audit log, newest first (admins and reviewers)")
async def audit(
    request: Request, caller: Caller, query: Annotated[AuditQuery, Query()]
) -> dict[str, Any]:
    require_token(caller)
    if caller.role not in (Role.ADMIN, Role.REVIEWER):
        raise NotAllowed(Text("registry.audit_for_staff"))
    filters = AuditFilters(query.actor, query.action, query.target, query.since, query.until)
    async with request.app.state.registry.engine.connect() as conn:
        rows, next_before = await read_audit(conn, filters, query.before, query.limit)
    return {
        "items": [
            {
                "id": row.id,
                "at": row.at.isoformat(),
                "actor": row.actor,
                "source": row.source,
                "action": row.action,
                "target": row.target,
                "changes": _shown_diff(row.diff, caller),
            }
            for row in rows
        ],
        "next_before": next_before,
    }
