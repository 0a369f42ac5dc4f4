"""`hoptac reporting check | rebuild | migrate` (entry point `hoptac.cli: reporting`)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from hoptac.contracts.vietnam_time import vietnam_today
from hoptac.platform.changelog import ChangeLogError, read_changes
from hoptac.reporting.adapters import queries
from hoptac.reporting.adapters.migrations import migrate
from hoptac.reporting.adapters.registry_client import RegistryReader, RegistryUnavailable
from hoptac.reporting.bootstrap import build_reporting
from hoptac.reporting.domain.recount import Difference, differences
from hoptac.reporting.settings import ReportingSettings

console = Console()
reporting_app = typer.Typer(help="Operate the reporting projection: check it, rebuild it.")

DatabaseUrl = Annotated[
    str | None, typer.Option(help="Reporting database URL; default HOPTAC_REPORTING_DATABASE_URL.")
]
RegistryUrl = Annotated[
    str | None, typer.Option(help="Registry base URL; default HOPTAC_REPORTING_REGISTRY_URL.")
]
Token = Annotated[
    str | None,
    typer.Option(
        help="Registry token; default HOPTAC_REPORTING_REGISTRY_TOKEN or var/service-token."
    ),
]


def _settings(
    database_url: str | None, registry_url: str | None, token: str | None
) -> ReportingSettings:
    overrides: dict[str, Any] = {
        "database_url": database_url,
        "registry_url": registry_url,
        "registry_token": token,
        "consume": False,
    }
    return ReportingSettings(**{k: v for k, v in overrides.items() if v is not None})


async def run_check(
    settings: ReportingSettings, day: date | None, province: str | None
) -> tuple[list[Difference], int, int]:
    """Differences between the registry's records and the projection on `day` (default today)."""
    on = day or vietnam_today()
    async with httpx.AsyncClient(base_url=settings.registry_url, timeout=30.0) as client:
        reader = RegistryReader(client, settings.change_log_token())
        current = [record async for record in reader.records(province)]
        if day is None:
            expected = {str(r["id"]): r for r in current}
        else:
            expected = await reader.records_on([str(r["id"]) for r in current], on)
    reporting = build_reporting(settings)
    try:
        async with reporting.engine.connect() as conn:
            counted = await queries.facts_on(conn, on, province)
    finally:
        await reporting.engine.dispose()
    projection = {str(org_id): facts for org_id, facts in counted.items()}
    return differences(expected, projection, on), len(expected), len(projection)


@reporting_app.command("check")
def check(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day to check (YYYY-MM-DD); default today.")
    ] = None,
    province: Annotated[str | None, typer.Option(help="Check one province only.")] = None,
    database_url: DatabaseUrl = None,
    registry_url: RegistryUrl = None,
    token: Token = None,
) -> None:
    """Recount from the registry's HTTP API and compare with the projection, organisation by
    organisation; print every difference; exit 1 if there is any."""
    settings = _settings(database_url, registry_url, token)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as error:
        console.print(f"[red]--as-of {as_of!r} is not a date; write it as YYYY-MM-DD[/red]")
        raise typer.Exit(2) from error
    try:
        found, in_registry, in_projection = asyncio.run(run_check(settings, day, province))
    except (RegistryUnavailable, httpx.HTTPError) as error:
        console.print(f"[red]cannot read the registry at {settings.registry_url}: {error}[/red]")
        raise typer.Exit(2) from error
    except (OSError, SQLAlchemyError) as error:
        console.print(f"[red]cannot read the projection's database: {error}[/red]")
        raise typer.Exit(2) from error
    when = day.isoformat() if day else "today"
    console.print(
        f"{when}: the registry has {in_registry} organisation(s), the projection counts "
        f"{in_projection}"
    )
    for difference in found:
        print(difference)
    if found:
        console.print(f"[red]{len(found)} difference(s)[/red]")
        raise typer.Exit(1)
    console.print("[green]no difference[/green]")


@reporting_app.command("rebuild")
def rebuild(
    database_url: DatabaseUrl = None, registry_url: RegistryUrl = None, token: Token = None
) -> None:
    """Empty the projection and apply the registry's whole change log (GET /v1/changes)."""
    settings = _settings(database_url, registry_url, token)
    secret = settings.change_log_token()
    if not secret:
        console.print(
            "[red]no registry token: pass --token, set HOPTAC_REPORTING_REGISTRY_TOKEN, or run "
            "the local stack (it writes var/service-token)[/red]"
        )
        raise typer.Exit(2)

    async def run() -> None:
        reporting = build_reporting(settings)
        try:
            report = await reporting.rebuild(read_changes(settings.registry_url, secret))
        finally:
            await reporting.engine.dispose()
        console.print(
            f"rebuilt from {report.events} event(s) up to sequence {report.last_sequence} "
            f"in {report.seconds:.1f} s ({report.events / max(report.seconds, 1e-9):.0f} events/s)"
        )

    try:
        asyncio.run(run())
    except (ChangeLogError, httpx.HTTPError) as error:
        console.print(f"[red]cannot read the change log at {settings.registry_url}: {error}[/red]")
        raise typer.Exit(2) from error
    except (OSError, SQLAlchemyError) as error:
        console.print(f"[red]cannot write the projection's database: {error}[/red]")
        raise typer.Exit(2) from error


@reporting_app.command("migrate")
def migrate_database(database_url: DatabaseUrl = None) -> None:
    """Bring the reporting database schema up to date."""
    migrate(_settings(database_url, None, None).database_url)
    console.print("reporting schema is up to date")
