"""Who is signed in (the registry's session, held in an HttpOnly cookie), the form token every
workspace form carries (domain/csrf.py), and workspace pages rendered with both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from hoptac.portal.adapters.staff import SessionEnded, StaffRegistry
from hoptac.portal.domain.csrf import form_token, new_nonce, token_matches
from hoptac.portal.entrypoints.http.rendering import Pages
from hoptac.portal.settings import PortalSettings

WORKSPACE = "/quan-ly"
SIGN_IN = "/quan-ly/dang-nhap"
SESSION_COOKIE = "hoptac_session"
NONCE_COOKIE = "hoptac_csrf"
TOKEN_FIELD = "csrf_token"
MAX_FORM_FIELDS = 100
MAX_FIELD_BYTES = 16 * 1024


@dataclass(frozen=True)
class Staff:
    session: str
    name: str
    role: str
    provinces: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def reviews(self) -> bool:
        return self.role in ("admin", "reviewer")

    @property
    def writes(self) -> bool:
        return self.role != "agency_reader"

    def may_change(self, record: Mapping[str, Any]) -> bool:
        """Whether to offer the forms of a record at all. Only a courtesy: the registry refuses
        a write outside the person's area whatever the portal showed."""
        if not self.writes:
            return False
        if self.role != "area_officer":
            return True
        address = record.get("address") or {}
        return (
            address.get("province_code") in self.provinces
            or address.get("commune_code") in self.communes
        )


class SignInRequired(Exception):
    pass


class FormRefused(Exception):
    """A workspace form came without its token, or with one of another browser or session."""


def staff_registry(request: Request) -> StaffRegistry:
    registry: StaffRegistry = request.app.state.staff
    return registry


def _settings(request: Request) -> PortalSettings:
    settings: PortalSettings = request.app.state.settings
    return settings


async def current_staff(request: Request) -> Staff:
    session = request.cookies.get(SESSION_COOKIE)
    if not session or len(session) > 200:
        raise SignInRequired
    try:
        me = await staff_registry(request).whoami(session)
    except SessionEnded as ended:
        raise SignInRequired from ended
    return Staff(
        session, str(me["name"]), str(me["role"]), list(me["provinces"]), list(me["communes"])
    )


StaffDep = Annotated[Staff, Depends(current_staff)]
RegistryDep = Annotated[StaffRegistry, Depends(staff_registry)]


def token_checked(request: Request, form: FormData) -> FormData:
    """The form, once its token matches this browser and session; else FormRefused."""
    sent = form.get(TOKEN_FIELD)
    key: bytes = request.app.state.csrf_key
    nonce = request.cookies.get(NONCE_COOKIE)
    if not token_matches(key, nonce, request.cookies.get(SESSION_COOKIE), str(sent or "")):
        raise FormRefused
    return form


async def checked_form(request: Request) -> FormData:
    """The posted form, bounded, once its token matches this browser and session."""
    form = await request.form(
        max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES
    )
    return token_checked(request, form)


async def checked_upload(request: Request) -> AsyncIterator[FormData]:
    """A posted form with one file (multipart), once its token matches: the body's size is
    bounded before it is read (the app's limit for the upload's path); the file's spooled
    copy is closed once the page is answered."""
    form = await request.form(max_files=1, max_fields=10, max_part_size=MAX_FIELD_BYTES)
    try:
        yield token_checked(request, form)
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(checked_form)]
UploadDep = Annotated[FormData, Depends(checked_upload)]


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=WORKSPACE,
        httponly=True,
        samesite="lax",
        secure=_settings(request).secure_cookies,
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    staff: Staff | None = None,
    status_code: int = 200,
    session: str | None = None,
) -> Response:
    """A workspace page: never cached, with a form token for this browser and `session` (the
    staff's own by default; the sign-in page has none)."""
    pages: Pages = request.app.state.pages
    nonce = request.cookies.get(NONCE_COOKIE)
    fresh = not nonce or len(nonce) > 100
    if fresh:
        nonce = new_nonce()
    bound = session if session is not None else (staff.session if staff else None)
    token = form_token(request.app.state.csrf_key, str(nonce), bound)
    variables = {**context, "staff": staff, "csrf_token": token}
    response = pages.render(request, f"workspace/{template}", variables, status_code)
    response.headers["Cache-Control"] = "no-store"
    del response.headers["ETag"]
    if fresh:
        set_cookie(request, response, NONCE_COOKIE, str(nonce), 12 * 3600)
    return response


def refused_here(request: Request, staff: Staff) -> Response:
    """The page a person sees when their role may not do what they asked (403)."""
    return render(request, "refused.html", {"message": ""}, staff, 403)


def go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def seconds_until(expires_at: str, now: datetime) -> int:
    return max(0, int((datetime.fromisoformat(expires_at) - now).total_seconds()))


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a workspace page of this site, nothing else."""
    target = (value or "").replace("\\", "/")
    if target.startswith(WORKSPACE) and not target.startswith("//"):
        return target[:2000]
    return WORKSPACE
