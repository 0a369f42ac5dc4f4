"""`hoptac token …`, `hoptac registry …` and `hoptac demo …` (entry points `hoptac.cli`)."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar
from uuid import uuid4

import typer
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from hoptac.platform.service import Stack
from hoptac.registry.adapters import accounts, outbox, tokens
from hoptac.registry.adapters.admin_units import official_units
from hoptac.registry.adapters.migrations import migrate
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.adapters.tables import organizations
from hoptac.registry.demo.generator import CA_MAU_2022, generate_province
from hoptac.registry.demo.loader import LoadReport, load_demo
from hoptac.registry.domain.access import Role
from hoptac.registry.domain.areas import unknown_area_codes
from hoptac.registry.settings import RegistrySettings

_T = TypeVar("_T")
# The demo province: Cà Mau's 277 cooperatives of its report of 30 July 2022, then the rest.
DEMO_COUNT = 450
console = Console()
token_app = typer.Typer(help="Issue and revoke API tokens (stored hashed; shown once).")
registry_app = typer.Typer(help="Operate the registry database.")
demo_app = typer.Typer(help="Demo data: a realistic synthetic province.")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(help="Registry database URL; default from HOPTAC_REGISTRY_DATABASE_URL."),
]


def _database_url(given: str | None) -> str:
    return given or RegistrySettings().database_url


def _cli_context() -> WriteContext:
    user = os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"
    return WriteContext(actor=f"cli:{user}", source="hoptac cli", correlation_id=None)


async def _create_token(
    url: str,
    name: str,
    role: Role,
    provinces: list[str],
    communes: list[str],
    context: WriteContext,
    lifetime: timedelta,
) -> str:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return await tokens.create_token(
                conn, name, role, provinces, communes, context, lifetime
            )
    finally:
        await engine.dispose()


@token_app.command("create")
def create_token(
    name: Annotated[str, typer.Option(help="Who holds it, e.g. 'so-nong-nghiep-ca-mau'.")],
    role: Annotated[Role, typer.Option(help="admin, reviewer, area_officer or agency_reader.")],
    province: Annotated[list[str], typer.Option(help="Area officer: a province code.")] = [],  # noqa: B006
    commune: Annotated[list[str], typer.Option(help="Area officer: a commune code.")] = [],  # noqa: B006
    expires_in_days: Annotated[
        int, typer.Option(min=1, max=3650, help="It stops working after this many days.")
    ] = tokens.DEFAULT_LIFETIME.days,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a token and print it once; only its hash is stored.

    An area officer's token covers the provinces and communes given (current codes); a reviewer,
    an agency reader or an admin may be given none, and then covers the whole register.
    """
    problems = unknown_area_codes(official_units(), province, commune)
    if problems:
        console.print("[red]" + "; ".join(map(str, problems)) + "[/red]")
        raise typer.Exit(2)
    try:
        token = asyncio.run(
            _create_token(
                _database_url(database_url),
                name,
                role,
                province,
                commune,
                _cli_context(),
                timedelta(days=expires_in_days),
            )
        )
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    area = ", ".join([*province, *commune]) or "the whole register"
    console.print(
        f"token for [bold]{name}[/bold] ({role.value}, covering {area}), valid for "
        f"{expires_in_days} days; it is shown only now:"
    )
    print(token)


@token_app.command("list")
def list_tokens(database_url: DatabaseUrl = None) -> None:
    """Tokens in use, soonest to expire first (the tokens themselves are never stored)."""

    async def listed() -> list[Any]:
        engine = create_async_engine(_database_url(database_url))
        try:
            async with engine.connect() as conn:
                return await tokens.list_tokens(conn)
        finally:
            await engine.dispose()

    now = datetime.now(UTC)
    for row in asyncio.run(listed()):
        left = (row.expires_at - now).days
        area = ", ".join([*row.provinces, *row.communes]) or "all areas"
        state = "[red]expired[/red]" if left < 0 else f"{left} days left"
        console.print(
            f"{row.name}  {row.role}  {area}  expires {row.expires_at:%d/%m/%Y} ({state})",
            soft_wrap=True,
        )


@token_app.command("revoke")
def revoke_token(name: str, database_url: DatabaseUrl = None) -> None:
    """Revoke a token by its name; requests with it are refused from now on."""

    async def revoke() -> bool:
        engine = create_async_engine(_database_url(database_url))
        try:
            async with engine.begin() as conn:
                return await tokens.revoke_token(conn, name, _cli_context())
        finally:
            await engine.dispose()

    if not asyncio.run(revoke()):
        console.print(f"[red]no active token is named {name!r}[/red]")
        raise typer.Exit(1)
    console.print(f"revoked {name}")


@registry_app.command("migrate")
def migrate_database(database_url: DatabaseUrl = None) -> None:
    """Bring the registry database schema up to date."""
    migrate(_database_url(database_url))
    console.print("registry schema is up to date")


outbox_app = typer.Typer(
    help="Events the relay set aside because JetStream cannot take them: list, retry, dead-letter."
)
registry_app.add_typer(outbox_app, name="outbox")

Sequences = Annotated[
    list[int] | None, typer.Argument(help="Sequence numbers; none means every held event.")
]


async def _in_transaction(url: str, action: Callable[[AsyncConnection], Awaitable[_T]]) -> _T:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return await action(conn)
    finally:
        await engine.dispose()


@outbox_app.command("list")
def list_held(
    all_: Annotated[bool, typer.Option("--all", help="Also those already dead-lettered.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Events set aside by the relay, with why; the events behind them were published."""
    rows = asyncio.run(
        _in_transaction(
            _database_url(database_url),
            lambda conn: outbox.held_rows(conn, dead_lettered=all_),
        )
    )
    if not rows:
        console.print("no event is set aside")
        return
    for row in rows:
        state = "dead-lettered" if row.dead_lettered_at else "held"
        console.print(
            f"[bold]sequence {row.sequence}[/bold] ({state}) {row.event_type} {row.event_id}\n"
            f"  organisation {row.organization_id} version {row.organization_version}, "
            f"{row.data_bytes:,} bytes of data, held since "
            f"{row.held_at.isoformat(timespec='seconds')}\n"
            f"  reason: {row.held_reason}",
            soft_wrap=True,
        )


def _report(done: list[int], what: str) -> None:
    if not done:
        console.print("[red]no held event matches[/red]")
        raise typer.Exit(1)
    console.print(f"{what}: {', '.join(map(str, done))}")


@outbox_app.command("retry")
def retry_held(sequences: Sequences = None, database_url: DatabaseUrl = None) -> None:
    """Give held events back to the relay (after raising NATS's max_payload, for instance)."""
    done = asyncio.run(
        _in_transaction(_database_url(database_url), lambda conn: outbox.retry(conn, sequences))
    )
    _report(done, "given back to the relay")


@outbox_app.command("dead-letter")
def dead_letter_held(sequences: Sequences = None, database_url: DatabaseUrl = None) -> None:
    """Stop trying to publish held events; they stay in the change log (GET /v1/changes)."""
    done = asyncio.run(
        _in_transaction(
            _database_url(database_url), lambda conn: outbox.dead_letter(conn, sequences)
        )
    )
    _report(done, "dead-lettered (still in the change log)")


@demo_app.command("load")
def load_demo_data(
    url: Annotated[str, typer.Option(help="Registry base URL.")] = "http://127.0.0.1:8001",
    token_file: Annotated[Path, typer.Option(help="File holding an admin token.")] = Path(
        "var/admin-token"
    ),
    province: Annotated[str, typer.Option(help="Province code.")] = "96",
    count: Annotated[int, typer.Option(min=1, max=100_000)] = DEMO_COUNT,
    seed: int = 2025,
) -> None:
    """Register a synthetic province of organisations over HTTP (events flow as for real)."""
    report = _load_demo(url, token_file.read_text().strip(), province, count, seed)
    console.print(report.summary())
    if report.failures:
        raise typer.Exit(1)


def _load_demo(url: str, token: str, province: str, count: int, seed: int) -> LoadReport:
    """Cà Mau (96) reproduces its report of 30 July 2022; other provinces are drawn freely."""
    report = CA_MAU_2022 if province == "96" and count >= CA_MAU_2022.cooperatives else None
    organizations_ = generate_province(official_units(), province, count, seed, report=report)
    return asyncio.run(load_demo(url, token, organizations_))


async def _valid_or_new_token(url: str, existing: str | None, role: Role) -> str:
    """`existing` if it is still a valid token, else a new token with `role`."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            if existing and await tokens.principal_for(conn, existing) is not None:
                return existing
            name = f"local-{role.value.replace('_', '-')}-{uuid4().hex[:8]}"
            context = WriteContext("hoptac run", "hoptac run", None)
            return await tokens.create_token(conn, name, role, [], [], context)
    finally:
        await engine.dispose()


def _local_token(url: str, path: Path, role: Role) -> str:
    """The local token kept in `path`, made anew when missing or no longer valid."""
    existing = path.read_text().strip() if path.exists() else None
    token = asyncio.run(_valid_or_new_token(url, existing, role))
    if token != existing:
        path.write_text(token + "\n")
        path.chmod(0o600)
    return token


async def _organization_count(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(organizations)) or 0)
    finally:
        await engine.dispose()


FIRST_ADMIN = "admin"


async def _create_first_admin(url: str) -> str | None:
    """On a database without accounts: an admin named `admin` with a made-up password,
    returned; None when accounts exist."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            if await accounts.count_accounts(conn):
                return None
            password = secrets.token_urlsafe(12)
            context = WriteContext("hoptac run", "hoptac run", None)
            await accounts.create_account(
                conn, FIRST_ADMIN, "Quản trị viên", password, Role.ADMIN, [], [], context
            )
            return password
    finally:
        await engine.dispose()


def first_admin_line(database_url: str, var_dir: Path) -> str:
    """How to sign in to the portal's workspace, for `hoptac run` to print."""
    password_path = var_dir / "admin-password"
    password = asyncio.run(_create_first_admin(database_url))
    if password is not None:
        password_path.write_text(password + "\n")
        password_path.chmod(0o600)
        return (
            f"workspace sign-in (the portal's /quan-ly): {FIRST_ADMIN} / {password}  "
            f"(also in {password_path})"
        )
    if password_path.exists():
        return (
            f"workspace sign-in (the portal's /quan-ly): {FIRST_ADMIN}, first password in "
            f"{password_path}"
        )
    return "workspace accounts: `hoptac user create` makes one"


def prepare_local_stack(stack: Stack) -> list[str]:
    """After `hoptac run` starts the registry: an admin token, a read-only token the other
    services use to replay the change log (var/service-token), a reviewer token collection sends
    its scheduled campaign reminders with (var/reminder-token: notifications e-mails staff for
    reviewers only), the first admin's sign-in for the portal's workspace, and demo data on a
    new database."""
    assert stack.database_url is not None
    token_path = stack.var_dir / "admin-token"
    token = _local_token(stack.database_url, token_path, Role.ADMIN)
    _local_token(stack.database_url, stack.var_dir / "service-token", Role.AGENCY_READER)
    _local_token(stack.database_url, stack.var_dir / "reminder-token", Role.REVIEWER)
    lines = [f"admin token: {token}  (also in {token_path})"]
    lines.append(first_admin_line(stack.database_url, stack.var_dir))
    if asyncio.run(_organization_count(stack.database_url)) == 0:
        report = _load_demo(stack.http_url, token, "96", DEMO_COUNT, 2025)
        lines.append(f"demo data: {report.summary()}")
    return lines
