"""The caller: a registry token in `Authorization: Bearer`, checked with the registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hoptac.collection.domain.errors import Unauthenticated
from hoptac.collection.handlers import Collection
from hoptac.platform.http import StrictJsonRoute
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text

bearer = HTTPBearer(auto_error=False, description="A registry token (`hoptac token create`).")


def service_of(request: Request) -> Collection:
    service: Collection = request.app.state.collection
    return service


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    known: Caller | None = getattr(request.state, "caller", None)
    if known is not None:
        return known
    if credentials is None and "authorization" in request.headers:
        raise Unauthenticated(Text("auth.bearer_form"))
    token = credentials.credentials if credentials else None
    caller = await service_of(request).authenticate(token)
    request.state.caller = caller
    return caller


async def authorise_write(request: Request) -> None:
    """Before a write reads its body (an upload may be large): a token the registry knows."""
    await current_caller(request, await bearer(request))


class WriteRoute(StrictJsonRoute):
    authorise_write = staticmethod(authorise_write)


CallerDep = Annotated[Caller, Depends(current_caller)]
Service = Annotated[Collection, Depends(service_of)]
