"""Who is calling: a bearer token looked up by its hash, or anonymous."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hoptac.registry.adapters.tokens import RecentPrincipals, principal_for
from hoptac.registry.domain.access import ANONYMOUS, Principal
from hoptac.registry.domain.errors import DomainError

bearer = HTTPBearer(auto_error=False, description="A token from `hoptac token create`.")


class Unauthenticated(DomainError):
    pass


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        if "authorization" in request.headers:
            raise Unauthenticated("send the token as: Authorization: Bearer <token>")
        return ANONYMOUS
    recent: RecentPrincipals = request.app.state.recent_principals
    principal = recent.get(credentials.credentials)
    if principal is not None:
        return principal
    async with request.app.state.registry.engine.connect() as conn:
        principal = await principal_for(conn, credentials.credentials)
    if principal is None:
        raise Unauthenticated("this token is unknown or revoked; ask an admin for a new one")
    recent.remember(credentials.credentials, principal)
    return principal


Caller = Annotated[Principal, Depends(current_principal)]
