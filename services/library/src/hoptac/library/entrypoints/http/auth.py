"""The caller of a write: a registry token in `Authorization: Bearer`, checked with the registry
(`GET /v1/whoami`) and held to the editing roles before anything of the request is read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from hoptac.library.domain.access import require_editor
from hoptac.library.domain.errors import Unauthenticated, Unavailable
from hoptac.platform.http import StrictJsonRoute
from hoptac.platform.identity import TOKEN_SHAPE, Caller, Identity, IdentityUnavailable
from hoptac.platform.text import Text

bearer = HTTPBearer(auto_error=False, description="A registry token of a reviewer or an admin.")


async def authenticate(request: Request) -> Caller:
    known: Caller | None = getattr(request.state, "caller", None)
    if known is not None:
        return known
    credentials = await bearer(request)
    if credentials is None:
        raise Unauthenticated(
            Text("auth.bearer_form")
            if "authorization" in request.headers
            else Text("library.token_needed")
        )
    if not TOKEN_SHAPE.fullmatch(credentials.credentials):
        raise Unauthenticated(Text("library.token_unknown"))
    identity: Identity = request.app.state.identity
    try:
        caller = await identity.who(credentials.credentials)
    except IdentityUnavailable as error:
        raise Unavailable(Text("library.registry_unavailable")) from error
    if caller is None:
        raise Unauthenticated(Text("library.token_unknown"))
    request.state.caller = caller
    return caller


async def authorise_write(request: Request) -> None:
    require_editor((await authenticate(request)).role)


class WriteRoute(StrictJsonRoute):
    authorise_write = staticmethod(authorise_write)


async def _caller(request: Request, _: Annotated[object, Depends(bearer)]) -> Caller:
    return await authenticate(request)


CallerDep = Annotated[Caller, Depends(_caller)]
