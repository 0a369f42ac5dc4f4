"""`hoptac library …`: what an operator runs beside the service."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from hoptac.library.adapters.migrations import migrate
from hoptac.library.settings import LibrarySettings

library_app = typer.Typer(help="Operate the policy library.", no_args_is_help=True)
console = Console()


@library_app.command("migrate")
def migrate_database(
    database_url: Annotated[
        str | None, typer.Option(help="Default: HOPTAC_LIBRARY_DATABASE_URL.")
    ] = None,
) -> None:
    """Bring the library database schema up to date (each release, before the service)."""
    migrate(database_url or LibrarySettings().database_url)
    console.print("library schema is up to date")
