"""Who is calling: a bearer token or a person's session, looked up by its hash, or anonymous."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hoptac.platform.http import StrictJsonRoute
from hoptac.platform.text import Text
from hoptac.registry.adapters.accounts import SESSION_PREFIX, session_principal
from hoptac.registry.adapters.tokens import RecentPrincipals, principal_for
from hoptac.registry.domain.access import ANONYMOUS, Principal, require_writer
from hoptac.registry.domain.errors import DomainError

bearer = HTTPBearer(
    auto_error=False,
    description="A token from `hoptac token create`, or a session from POST /v1/sessions.",
)
# For the OpenAPI document of a read open to anyone: no token (public fields), or a token (the
# restricted fields of its area too). Added to the bearer requirement the route already has.
TOKEN_OPTIONAL: dict[str, Any] = {"security": [{}]}


class Unauthenticated(DomainError):
    pass


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:  # a write route authorised the caller already
        return known
    if credentials is None:
        if "authorization" in request.headers:
            raise Unauthenticated(Text("auth.bearer_form"))
        return ANONYMOUS
    recent: RecentPrincipals = request.app.state.recent_principals
    principal = recent.get(credentials.credentials)
    if principal is None:
        credential = credentials.credentials
        is_session = credential.startswith(SESSION_PREFIX)
        look_up = session_principal if is_session else principal_for
        async with request.app.state.registry.engine.connect() as conn:
            principal = await look_up(conn, credential)
        if principal is None:
            raise Unauthenticated(
                Text("registry.session_ended") if is_session else Text("registry.token_unknown")
            )
        recent.remember(credentials.credentials, principal)
    request.state.token_expires_at = principal.expires_at
    return principal


async def authorise_write(request: Request) -> None:
    """Before a write reads its body or parameters: a token, valid, allowed to write."""
    principal = await current_principal(request, await bearer(request))
    require_writer(principal)
    request.state.principal = principal


class WriteRoute(StrictJsonRoute):
    authorise_write = staticmethod(authorise_write)


EXPIRY_HEADER = "Hoptac-Token-Expires"


class TokenExpiryNotice:
    """Answers to a token that expires within `warn_days` say when, in `Hoptac-Token-Expires`,
    so that its holder renews it before it stops working."""

    def __init__(self, app: ASGIApp, warn_days: int) -> None:
        self.app = app
        self.warn = timedelta(days=warn_days)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def noticing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                expires: datetime | None = scope.get("state", {}).get("token_expires_at")
                if expires is not None and expires - datetime.now(UTC) < self.warn:
                    MutableHeaders(scope=message)[EXPIRY_HEADER] = expires.isoformat()
            await send(message)

        await self.app(scope, receive, noticing_send)


Caller = Annotated[Principal, Depends(current_principal)]
