"""People's accounts: argon2id hashes, sessions accepted like tokens (role, area, the actor in
history), growing delays and a lock after failed sign-ins per account and per address, expiry,
sign-out, password change, and disabling that ends sessions at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from hoptac.cli.main import app as cli_app
from hoptac.platform.testing import wait_until
from hoptac.registry.adapters import accounts
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.adapters.tables import accounts as accounts_table
from hoptac.registry.adapters.tables import audit_log, sessions, sign_in_failures
from hoptac.registry.adapters.tokens import RecentPrincipals
from hoptac.registry.domain.access import Role
from hoptac.registry.domain.validation import ReferenceData
from hoptac.registry.entrypoints.cli import first_admin_line
from hoptac.registry.entrypoints.http.app import create_app
from hoptac.registry.handlers import Registry
from hoptac.registry.settings import RegistrySettings

from .conftest import Tokens, client_with

pytestmark = pytest.mark.integration

CONTEXT = WriteContext("test", "pytest", None)
PASSWORD = "một mật khẩu dài"


async def make_account(
    engine: AsyncEngine, username: str, role: Role, provinces: list[str] | None = None
) -> None:
    async with engine.begin() as conn:
        await accounts.create_account(
            conn, username, f"Người {username}", PASSWORD, role, provinces or [], [], CONTEXT
        )


async def signed_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    answer = await client.post("/v1/sessions", json={"username": username, "password": password})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["session"])


async def attempt(
    client: httpx.AsyncClient, username: str, password: str, address: str = "203.0.113.7"
) -> httpx.Response:
    return await client.post(
        "/v1/sessions",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )


async def test_a_password_is_stored_only_as_an_argon2id_hash(engine: AsyncEngine) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    async with engine.connect() as conn:
        stored = await conn.scalar(select(accounts_table.c.password_hash))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_a_session_is_accepted_like_a_token_and_names_the_person(
    client: httpx.AsyncClient, engine: AsyncEngine, make_body: Callable[..., dict[str, Any]]
) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    answer = await client.post(
        "/v1/sessions", json={"username": "lan.nguyen", "password": PASSWORD}
    )
    assert answer.json()["account"]["role"] == "reviewer"
    session = Tokens.header(answer.json()["session"])
    whoami = (await client.get("/v1/whoami", headers=session)).json()
    assert (whoami["name"], whoami["role"]) == ("lan.nguyen", "reviewer")

    created = await client.post("/v1/organizations", json=make_body(), headers=session)
    assert created.status_code == 201
    history = await client.get(f"/v1/organizations/{created.json()['id']}/history", headers=session)
    assert history.json()["versions"][0]["actor"] == "lan.nguyen"


async def test_an_area_officer_session_writes_only_in_its_area(
    client: httpx.AsyncClient, engine: AsyncEngine, make_body: Callable[..., dict[str, Any]]
) -> None:
    await make_account(engine, "xa.tan.hung", Role.AREA_OFFICER, ["96"])
    await make_account(engine, "so.thue", Role.AGENCY_READER)
    officer = Tokens.header(await signed_in(client, "xa.tan.hung"))
    agency = Tokens.header(await signed_in(client, "so.thue"))
    in_area = await client.post("/v1/organizations", json=make_body(), headers=officer)
    assert in_area.status_code == 201
    hanoi = make_body(
        registration_number="0101000001",
        address={"province_code": "01", "commune_code": "00004", "street": "Phố Huế"},
    )
    assert (await client.post("/v1/organizations", json=hanoi, headers=officer)).status_code == 403
    moved = await client.patch(
        f"/v1/organizations/{in_area.json()['id']}",
        json={"address": hanoi["address"]},
        headers={**officer, "If-Match": '"1"'},
    )
    assert moved.status_code == 403
    assert (await client.post("/v1/organizations", json=hanoi, headers=agency)).status_code == 403


async def test_a_wrong_password_is_refused_and_the_fifth_in_a_row_brings_a_delay(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    for _ in range(4):
        refused = await attempt(client, "lan.nguyen", "wrong password")
        assert refused.status_code == 403
        assert "Retry-After" not in refused.headers
    fifth = await attempt(client, "lan.nguyen", "wrong password")
    assert fifth.status_code == 403
    assert int(fifth.headers["Retry-After"]) == 5
    # Even the right password waits: the delay is not a hint that it was wrong.
    early = await attempt(client, "lan.nguyen", PASSWORD)
    assert early.status_code == 429
    assert 1 <= int(early.headers["Retry-After"]) <= 5


async def test_failures_in_a_row_lock_the_account_for_a_while(
    registry_url: str, reference: ReferenceData, engine: AsyncEngine
) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    locking = {"sign_in_free_failures": 2, "sign_in_lock_after": 3, "sign_in_lock_minutes": 15}
    async with client_with(registry_url, reference, **locking) as client:
        await attempt(client, "lan.nguyen", "wrong 1")
        await attempt(client, "lan.nguyen", "wrong 2")
        async with engine.begin() as conn:  # the delay after the second has passed
            await conn.execute(
                update(sign_in_failures).values(
                    last_failed_at=sign_in_failures.c.last_failed_at - timedelta(seconds=10)
                )
            )
        third = await attempt(client, "lan.nguyen", "wrong 3")
        assert int(third.headers["Retry-After"]) == 15 * 60
        assert (await attempt(client, "lan.nguyen", PASSWORD)).status_code == 429


async def test_failures_are_counted_per_address_whatever_names_are_tried(
    registry_url: str, reference: ReferenceData, engine: AsyncEngine
) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    per_address = {"sign_in_free_failures": 3, "sign_in_address_factor": 1}
    async with client_with(registry_url, reference, **per_address) as client:
        for name in ("an", "binh", "chi"):
            assert (await attempt(client, name, "guess")).status_code == 403
        assert (await attempt(client, "lan.nguyen", PASSWORD)).status_code == 429
        other_place = await attempt(client, "lan.nguyen", PASSWORD, address="198.51.100.4")
        assert other_place.status_code == 201


async def test_an_expired_session_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    session = await signed_in(client, "lan.nguyen")
    async with engine.begin() as conn:
        await conn.execute(update(sessions).values(expires_at=func.now()))
    answer = await client.get("/v1/whoami", headers=Tokens.header(session))
    assert answer.status_code == 401
    assert "sign in again" in answer.json()["message"]


async def test_signing_out_ends_the_session(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    session = Tokens.header(await signed_in(client, "lan.nguyen"))
    assert (await client.delete("/v1/sessions/current", headers=session)).status_code == 204
    assert (await client.get("/v1/whoami", headers=session)).status_code == 401


async def test_a_new_password_ends_the_other_sessions_and_the_old_one_stops_working(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    here = Tokens.header(await signed_in(client, "lan.nguyen"))
    elsewhere = Tokens.header(await signed_in(client, "lan.nguyen"))
    wrong = await client.post(
        "/v1/accounts/me/password",
        json={"current_password": "not it at all", "new_password": "a brand new password"},
        headers=here,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    changed = await client.post(
        "/v1/accounts/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
        headers=here,
    )
    assert changed.status_code == 204
    assert (await client.get("/v1/whoami", headers=here)).status_code == 200
    assert (await client.get("/v1/whoami", headers=elsewhere)).status_code == 401
    assert (await attempt(client, "lan.nguyen", PASSWORD)).status_code == 403
    assert await signed_in(client, "lan.nguyen", "a brand new password")


async def test_disabling_an_account_ends_its_sessions_at_once_although_cached(
    registry_url: str, registry: Registry, engine: AsyncEngine, issued: Tokens
) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    app = create_app(RegistrySettings(database_url=registry_url), registry)
    app.state.recent_principals = RecentPrincipals(ttl_seconds=3600)  # only a notice empties it
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            session = Tokens.header(await signed_in(http, "lan.nguyen"))
            assert (await http.get("/v1/whoami", headers=session)).status_code == 200
            disabled = await http.post(
                "/v1/accounts/lan.nguyen/disable", headers=Tokens.header(issued.admin)
            )
            assert disabled.status_code == 204

            async def refused() -> bool:
                return (await http.get("/v1/whoami", headers=session)).status_code == 401

            await wait_until(refused, message="the disabled account's session still works")
            assert (await attempt(http, "lan.nguyen", PASSWORD)).status_code == 403
    async with engine.connect() as conn:
        actions = set(await conn.scalars(select(audit_log.c.action)))
    assert {"account.create", "session.start", "account.disable"} <= actions


async def test_only_admins_manage_accounts(client: httpx.AsyncClient, issued: Tokens) -> None:
    body = {
        "username": "xa.tan.hung",
        "display_name": "Trần Văn Bình",
        "password": "mật khẩu của Bình",
        "role": "area_officer",
        "provinces": ["96"],
    }
    refused = await client.post("/v1/accounts", json=body, headers=Tokens.header(issued.reviewer))
    assert refused.status_code == 403
    created = await client.post("/v1/accounts", json=body, headers=Tokens.header(issued.admin))
    assert created.status_code == 201
    assert "password" not in created.json()
    listed = await client.get("/v1/accounts", headers=Tokens.header(issued.admin))
    assert [a["username"] for a in listed.json()["accounts"]] == ["xa.tan.hung"]
    short = await client.post(
        "/v1/accounts",
        json={**body, "username": "other", "password": "short"},
        headers=Tokens.header(issued.admin),
    )
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "password"


def test_hoptac_user_create_asks_the_password_twice_and_the_account_signs_in(
    registry_url: str,
) -> None:
    runner = CliRunner()
    created = runner.invoke(
        cli_app,
        [
            "user",
            "create",
            "lan.nguyen",
            "--role",
            "reviewer",
            "--display-name",
            "Nguyễn Thị Lan",
            "--database-url",
            registry_url,
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert created.exit_code == 0, created.output
    listed = runner.invoke(cli_app, ["user", "list", "--database-url", registry_url])
    assert "lan.nguyen" in listed.output
    assert "reviewer" in listed.output
    disabled = runner.invoke(
        cli_app, ["user", "disable", "lan.nguyen", "--database-url", registry_url]
    )
    assert disabled.exit_code == 0
    assert (
        "disabled"
        in runner.invoke(cli_app, ["user", "list", "--database-url", registry_url]).output
    )


async def test_hoptac_run_makes_a_first_admin_once_and_says_how_to_sign_in(
    registry_url: str, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    first = await asyncio.to_thread(first_admin_line, registry_url, tmp_path)
    password = (tmp_path / "admin-password").read_text().strip()
    assert first == (
        f"workspace sign-in (the portal's /quan-ly): admin / {password}  "
        f"(also in {tmp_path}/admin-password)"
    )
    assert (tmp_path / "admin-password").stat().st_mode & 0o777 == 0o600
    assert await signed_in(client, "admin", password)
    again = await asyncio.to_thread(first_admin_line, registry_url, tmp_path)
    assert again == (
        f"workspace sign-in (the portal's /quan-ly): admin, first password in "
        f"{tmp_path}/admin-password"
    )


async def test_guessing_the_current_password_with_a_session_brings_the_same_delay(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    session = Tokens.header(await signed_in(client, "lan.nguyen"))
    change = {"current_password": "a wrong guess", "new_password": "a brand new password"}
    for _ in range(5):
        answer = await client.post("/v1/accounts/me/password", json=change, headers=session)
        assert answer.status_code == 422
    right = {**change, "current_password": PASSWORD}
    delayed = await client.post("/v1/accounts/me/password", json=right, headers=session)
    assert delayed.status_code == 429
    assert int(delayed.headers["Retry-After"]) >= 1
