"""`hoptac token …` and `hoptac registry migrate`, through the real `hoptac` command, against a
real database."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from hoptac.cli.main import app
from hoptac.registry.adapters.tokens import principal_for
from hoptac.registry.domain.access import Principal, Role

pytestmark = pytest.mark.integration


def holder_of(url: str, token: str) -> Principal | None:
    async def look_up() -> Principal | None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return await principal_for(conn, token)
        finally:
            await engine.dispose()

    return asyncio.run(look_up())


def test_a_created_token_is_printed_once_and_works_until_revoked(fresh_database: str) -> None:
    runner = CliRunner()
    assert (
        runner.invoke(app, ["registry", "migrate", "--database-url", fresh_database]).exit_code == 0
    )
    created = runner.invoke(
        app,
        [
            "token",
            "create",
            "--name",
            "xa-tan-hung",
            "--role",
            "area_officer",
            "--commune",
            "31825",
            "--database-url",
            fresh_database,
        ],
    )
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    holder = holder_of(fresh_database, token)
    assert holder is not None
    assert holder.expires_at is not None
    assert (holder.expires_at - datetime.now(UTC)).days == 364  # a year, less a moment
    assert holder.actor_id.startswith("token:")
    assert replace(holder, expires_at=None, actor_id="anonymous") == Principal(
        "xa-tan-hung", Role.AREA_OFFICER, frozenset(), frozenset({"31825"})
    )
    listed = runner.invoke(app, ["token", "list", "--database-url", fresh_database])
    assert "xa-tan-hung  area_officer  31825" in listed.output
    revoked = runner.invoke(
        app, ["token", "revoke", "xa-tan-hung", "--database-url", fresh_database]
    )
    assert revoked.exit_code == 0
    assert holder_of(fresh_database, token) is None


def test_an_area_officer_token_needs_an_area(fresh_database: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["registry", "migrate", "--database-url", fresh_database])
    refused = runner.invoke(
        app,
        [
            "token",
            "create",
            "--name",
            "x",
            "--role",
            "area_officer",
            "--database-url",
            fresh_database,
        ],
    )
    assert refused.exit_code == 2
    assert "An area officer needs a province or commune." in refused.output


@pytest.mark.parametrize(
    ("option", "code", "said"),
    [
        ("--province", "99", "99 is not a current province code"),
        ("--commune", "99999", "99999 is not a current commune code"),
        ("--province", "95", "95 is not a current province code"),  # Bạc Liêu, merged 2025
    ],
)
def test_a_token_area_must_name_current_units(
    fresh_database: str, option: str, code: str, said: str
) -> None:
    runner = CliRunner()
    runner.invoke(app, ["registry", "migrate", "--database-url", fresh_database])
    refused = runner.invoke(
        app,
        [
            *("token", "create", "--name", "x", "--role", "area_officer", option, code),
            *("--database-url", fresh_database),
        ],
    )
    assert refused.exit_code == 2
    assert said in refused.output


def test_a_token_says_what_it_covers(fresh_database: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["registry", "migrate", "--database-url", fresh_database])
    made = runner.invoke(
        app,
        ["token", "create", "--name", "rv", "--role", "reviewer", "--database-url", fresh_database],
    )
    assert "covering the whole register" in made.output
