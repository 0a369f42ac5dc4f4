"""`hoptac user …`: people's accounts, for the first admin and for operators (entry point
`hoptac.cli`); admins also manage accounts in the portal's workspace."""

from __future__ import annotations

import asyncio
import secrets
from typing import Annotated

import typer
from rich.console import Console

from hoptac.registry.adapters import accounts
from hoptac.registry.adapters.admin_units import official_units
from hoptac.registry.domain.access import Role
from hoptac.registry.domain.areas import unknown_area_codes
from hoptac.registry.domain.errors import InvalidFields
from hoptac.registry.entrypoints.cli import (
    DatabaseUrl,
    _cli_context,
    _database_url,
    _in_transaction,
)

console = Console()
user_app = typer.Typer(help="People's accounts: create, list, disable (passwords hashed).")


@user_app.command("create")
def create_user(
    username: Annotated[str, typer.Argument(help="The sign-in name, e.g. 'lan.nguyen'.")],
    role: Annotated[Role, typer.Option(help="admin, reviewer, area_officer or agency_reader.")],
    display_name: Annotated[str, typer.Option(help="The person's full name.")],
    province: Annotated[list[str], typer.Option(help="Area officer: a province code.")] = [],  # noqa: B006
    commune: Annotated[list[str], typer.Option(help="Area officer: a commune code.")] = [],  # noqa: B006
    generate_password: Annotated[
        bool, typer.Option(help="Make up a password and print it once instead of asking.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an account; its password is asked for twice (or made up) and stored hashed."""
    problems = unknown_area_codes(official_units(), province, commune)
    if problems:
        console.print("[red]" + "; ".join(map(str, problems)) + "[/red]")
        raise typer.Exit(2)
    password = (
        secrets.token_urlsafe(12)
        if generate_password
        else typer.prompt("password", hide_input=True, confirmation_prompt=True)
    )
    try:
        asyncio.run(
            _in_transaction(
                _database_url(database_url),
                lambda conn: accounts.create_account(
                    conn, username, display_name, password, role, province, commune, _cli_context()
                ),
            )
        )
    except InvalidFields as error:
        console.print("[red]" + "; ".join(f"{p.field}: {p.message}" for p in error.problems))
        raise typer.Exit(2) from error
    area = ", ".join([*province, *commune]) or "the whole register"
    console.print(f"account [bold]{username}[/bold] ({role.value}, covering {area}) created")
    if generate_password:
        console.print("its password, shown only now:")
        print(password)


@user_app.command("list")
def list_users(database_url: DatabaseUrl = None) -> None:
    """Every account with its role and area (never a password)."""
    listed = asyncio.run(_in_transaction(_database_url(database_url), accounts.list_accounts))
    for account in listed:
        area = ", ".join([*account.provinces, *account.communes]) or "all areas"
        state = "  [red]disabled[/red]" if account.disabled else ""
        console.print(
            f"{account.username}  {account.display_name}  {account.role.value}  {area}{state}",
            soft_wrap=True,
        )


@user_app.command("disable")
def disable_user(username: str, database_url: DatabaseUrl = None) -> None:
    """Disable an account: its sessions end now and it can no longer sign in."""
    disabled = asyncio.run(
        _in_transaction(
            _database_url(database_url),
            lambda conn: accounts.disable_account(conn, username, _cli_context()),
        )
    )
    if not disabled:
        console.print(f"[red]no enabled account is named {username!r}[/red]")
        raise typer.Exit(1)
    console.print(f"disabled {username}; its sessions have ended")
