"""The caller: a registry token in `Authorization: Bearer`, checked with the registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hoptac.notifications.domain.errors import Unauthenticated
from hoptac.notifications.handlers import Notifications
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text

bearer = HTTPBearer(auto_error=False, description="A registry token (`hoptac token create`).")


def service_of(request: Request) -> Notifications:
    service: Notifications = request.app.state.notifications
    return service


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    if credentials is None and "authorization" in request.headers:
        raise Unauthenticated(Text("auth.bearer_form"))
    token = credentials.credentials if credentials else None
    return await service_of(request).authenticate(token)


CallerDep = Annotated[Caller, Depends(current_caller)]
Service = Annotated[Notifications, Depends(service_of)]
