"""Signing in and out, and changing one's password. The registry checks the password, counts
failures per account and per address (the person's, which the portal forwards), and makes the
session; the portal only keeps it in a cookie."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.staff import Refused, SessionEnded
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.workspace.session import (
    NONCE_COOKIE,
    SESSION_COOKIE,
    SIGN_IN,
    WORKSPACE,
    FormDep,
    RegistryDep,
    StaffDep,
    go,
    render,
    safe_next,
    seconds_until,
    set_cookie,
)

router = APIRouter(include_in_schema=False)
MAX_USERNAME = 64
MAX_PASSWORD = 128


def _sign_in_page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    defaults = {"problems": [], "username": "", "next": "", "wait": 0}
    return render(request, "sign_in.html", {**defaults, **context}, None, status_code, session="")


@router.get(SIGN_IN)
async def sign_in_page(request: Request) -> Response:
    return _sign_in_page(request, {"next": safe_next(request.query_params.get("next"))})


@router.post(SIGN_IN)
async def sign_in(request: Request, form: FormDep, registry: RegistryDep) -> Response:
    username = str(form.get("username") or "").strip()[:MAX_USERNAME]
    password = str(form.get("password") or "")[:MAX_PASSWORD]
    target = safe_next(str(form.get("next") or ""))
    problems = []
    if not username:
        problems.append(Problem("username", "error.username_required"))
    if not password:
        problems.append(Problem("password", "error.password_required"))
    context: dict[str, Any] = {"username": username, "next": target, "problems": problems}
    if problems:
        return _sign_in_page(request, context, 422)
    address = request.client.host if request.client else "unknown"
    outcome = await registry.sign_in(username.lower(), password, address)
    if outcome.session is None or outcome.expires_at is None:
        key = "error.sign_in_delayed" if outcome.delayed else "error.sign_in_failed"
        context["problems"] = [Problem("username", key)]
        context["wait"] = outcome.retry_after
        return _sign_in_page(request, context, 429 if outcome.delayed else 403)
    response = go(target)
    lifetime = seconds_until(outcome.expires_at, datetime.now(UTC))
    set_cookie(request, response, SESSION_COOKIE, outcome.session, lifetime)
    return response


@router.post(f"{WORKSPACE}/dang-xuat")
async def sign_out(
    request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    with contextlib.suppress(SessionEnded):  # ended already: the cookie goes all the same
        await registry.sign_out(staff.session)
    response = go(SIGN_IN)
    response.delete_cookie(SESSION_COOKIE, path=WORKSPACE)
    response.delete_cookie(NONCE_COOKIE, path=WORKSPACE)
    return response


@router.get(f"{WORKSPACE}/mat-khau")
async def password_page(request: Request, staff: StaffDep) -> Response:
    return render(request, "password.html", {"problems": [], "done": False}, staff)


@router.post(f"{WORKSPACE}/mat-khau")
async def change_password(
    request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    current = str(form.get("current_password") or "")[:MAX_PASSWORD]
    new = str(form.get("new_password") or "")[:MAX_PASSWORD]
    again = str(form.get("new_password_again") or "")[:MAX_PASSWORD]
    problems = []
    if not current:
        problems.append(Problem("current_password", "error.password_required"))
    if len(new) < 10:
        problems.append(Problem("new_password", "error.password_short"))
    elif new != again:
        problems.append(Problem("new_password_again", "error.passwords_differ"))
    if not problems:
        try:
            await registry.change_password(staff.session, current, new)
        except Refused as refused:
            wrong_current = any(name == "current_password" for name, _ in refused.fields)
            field = "current_password" if wrong_current else "new_password"
            key = "error.password_wrong" if wrong_current else "error.password_refused"
            if refused.status == 429:
                field, key = "current_password", "error.sign_in_delayed"
            problems.append(Problem(field, key))
    status_code = 422 if problems else 200
    context = {"problems": problems, "done": not problems}
    return render(request, "password.html", context, staff, status_code)
