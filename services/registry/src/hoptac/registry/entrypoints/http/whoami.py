"""GET /v1/whoami: what a token is, so that other services can authenticate the registry's tokens
without reading its database (notifications uses it to tell one agency from another)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hoptac.registry.domain.access import require_token
from hoptac.registry.entrypoints.http.answers import Whoami, documented
from hoptac.registry.entrypoints.http.auth import Caller

router = APIRouter(prefix="/v1/whoami", tags=["tokens"])


@router.get(
    "", summary="The name, role and area of the calling token", responses=documented(Whoami)
)
async def whoami(caller: Caller) -> dict[str, Any]:
    require_token(caller)
    return {
        "name": caller.name,
        "role": caller.role,
        "provinces": sorted(caller.provinces),
        "communes": sorted(caller.communes),
        "expires_at": caller.expires_at.isoformat() if caller.expires_at else None,
    }
