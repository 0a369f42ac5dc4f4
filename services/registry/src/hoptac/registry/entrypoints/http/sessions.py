"""People sign in with a user name and password and get a session, a short-lived credential the
registry accepts on every route as a token of their role and area; they sign out and change
their password. Failed sign-ins bring growing delays, then a lock (domain/throttle.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from hoptac.platform.error_answers import error_response
from hoptac.platform.http import StrictJsonRoute
from hoptac.platform.text import Text
from hoptac.registry.adapters import accounts
from hoptac.registry.adapters.accounts import Throttles
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.adapters.tokens import RecentPrincipals
from hoptac.registry.domain.access import Principal
from hoptac.registry.domain.accounts import MAX_PASSWORD
from hoptac.registry.domain.errors import FieldProblem, InvalidFields, NotAllowed
from hoptac.registry.domain.throttle import NO_WAIT, ThrottlePolicy
from hoptac.registry.entrypoints.http.answers import SessionView, documented
from hoptac.registry.entrypoints.http.auth import Caller
from hoptac.registry.entrypoints.http.organizations import write_context
from hoptac.registry.entrypoints.http.schemas import Body, Plain
from hoptac.registry.settings import RegistrySettings

router = APIRouter(prefix="/v1", tags=["sessions"], route_class=StrictJsonRoute)

Password = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD)]
MAX_ADDRESS = 64


class Credentials(Body):
    username: Annotated[str, Field(min_length=1, max_length=64), Plain]
    password: Password


class PasswordChange(Body):
    current_password: Password
    new_password: Password


@dataclass(frozen=True)
class SignInRules:
    throttles: Throttles
    lifetime: timedelta
    trusted_proxies: frozenset[str]

    @classmethod
    def of(cls, settings: RegistrySettings) -> SignInRules:
        account = ThrottlePolicy(
            free_failures=settings.sign_in_free_failures,
            first_delay=timedelta(seconds=settings.sign_in_first_delay_seconds),
            max_delay=timedelta(seconds=settings.sign_in_max_delay_seconds),
            lock_after=max(settings.sign_in_lock_after, settings.sign_in_free_failures),
            lock_for=timedelta(minutes=settings.sign_in_lock_minutes),
            forget_after=max(
                timedelta(hours=1),
                timedelta(minutes=settings.sign_in_lock_minutes),
                timedelta(seconds=settings.sign_in_max_delay_seconds),
            ),
        )
        return cls(
            Throttles(account, account.scaled(settings.sign_in_address_factor)),
            timedelta(minutes=settings.session_minutes),
            frozenset(settings.trusted_proxies),
        )


def client_address(request: Request, trusted_proxies: frozenset[str]) -> str:
    """The address of the person: the peer's, or the one a trusted proxy (the portal) appended
    last to X-Forwarded-For; anyone else could write any address there."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if peer in trusted_proxies and forwarded:
        return forwarded.split(",")[-1].strip()[:MAX_ADDRESS] or peer
    return peer


def _seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


@router.post(
    "/sessions",
    status_code=201,
    summary="Sign in: a session for a user name and password",
    responses={
        **documented(SessionView, 201),
        403: {"description": "Wrong user name or password (or a disabled account)."},
        429: {"description": "Too many failed sign-ins: wait Retry-After seconds."},
    },
)
async def sign_in(body: Credentials, request: Request) -> JSONResponse:
    rules: SignInRules = request.app.state.sign_in_rules
    address = client_address(request, rules.trusted_proxies)
    agent = request.headers.get("user-agent", "")[:200]
    context = WriteContext(body.username, f"http {address} {agent}".strip(), None)
    async with request.app.state.registry.engine.begin() as conn:
        outcome = await accounts.sign_in(
            conn, body.username, body.password, address, rules.throttles, rules.lifetime, context
        )
    if outcome.refused_unheard:
        wait = _seconds(outcome.retry_after)
        response = error_response(
            request,
            429,
            "sign_in_delayed",
            Text("registry.sign_in_delayed", seconds=wait),
        )
        response.headers["Retry-After"] = str(wait)
        return response
    if outcome.session is None or outcome.account is None or outcome.expires_at is None:
        # 403, not 401: the platform counts 401s per connecting address, which would be the
        # portal's for everyone; sign-in failures are counted here per account and per person.
        response = error_response(request, 403, "sign_in_failed", Text("registry.sign_in_failed"))
        if outcome.retry_after > NO_WAIT:
            response.headers["Retry-After"] = str(_seconds(outcome.retry_after))
        return response
    return JSONResponse(
        {
            "session": outcome.session,
            "expires_at": outcome.expires_at.isoformat(),
            "account": outcome.account.public(),
        },
        status_code=201,
    )


def forget_cached_credentials(request: Request) -> None:
    """Sessions or tokens just ended: this process trusts none from memory (the others hear the
    notice)."""
    recent: RecentPrincipals = request.app.state.recent_principals
    recent.forget_all()


def _require_session(principal: Principal) -> str:
    if principal.account is None:
        raise NotAllowed(Text("registry.session_needed"))
    return principal.account


def _credential(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ").strip()


@router.delete("/sessions/current", status_code=204, summary="Sign out: end the calling session")
async def sign_out(request: Request, caller: Caller) -> Response:
    _require_session(caller)
    async with request.app.state.registry.engine.begin() as conn:
        await accounts.end_session(conn, _credential(request), write_context(request, caller))
    forget_cached_credentials(request)
    return Response(status_code=204)


@router.post(
    "/accounts/me/password",
    status_code=204,
    summary="Change your password; your other sessions end",
)
async def change_password(body: PasswordChange, request: Request, caller: Caller) -> Response:
    username = _require_session(caller)
    rules: SignInRules = request.app.state.sign_in_rules
    async with request.app.state.registry.engine.begin() as conn:
        refused = await accounts.change_password(
            conn,
            username,
            body.current_password,
            body.new_password,
            _credential(request),
            rules.throttles.account,
            write_context(request, caller),
        )
    if refused is not None and refused.refused_unheard:
        wait = _seconds(refused.retry_after)
        response = error_response(
            request, 429, "sign_in_delayed", Text("registry.password_delayed", seconds=wait)
        )
        response.headers["Retry-After"] = str(wait)
        return response
    if refused is not None:
        raise InvalidFields([FieldProblem("current_password", Text("registry.not_your_password"))])
    forget_cached_credentials(request)
    return Response(status_code=204)
