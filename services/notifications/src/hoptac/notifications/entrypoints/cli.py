"""`hoptac notifications …` (entry point `hoptac.cli`): replays, staff recipients, digests now.

Operators act on any subscription here; agencies use the HTTP API, which shows them only theirs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from hoptac.contracts.vietnam_time import vietnam_today
from hoptac.notifications.adapters.migrations import migrate
from hoptac.notifications.adapters.secret_box import SecretKeyProblem, new_key
from hoptac.notifications.adapters.staff import Recipient
from hoptac.notifications.bootstrap import build_notifications, engine_for
from hoptac.notifications.domain.errors import NotificationsError
from hoptac.notifications.domain.filters import build_filter
from hoptac.notifications.entrypoints.worker import staff_notices
from hoptac.notifications.handlers import Notifications, StaffRecipient
from hoptac.notifications.settings import NotificationsSettings
from hoptac.platform.identity import StaticIdentity

console = Console()
notifications_app = typer.Typer(help="Operate notifications: replays, staff e-mail, digests.")
staff_app = typer.Typer(help="Staff who receive the daily digest and verification reminders.")
notifications_app.add_typer(staff_app, name="staff")

T = TypeVar("T")
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        help="Notifications database URL; default from HOPTAC_NOTIFICATIONS_DATABASE_URL."
    ),
]


def _settings(database_url: str | None) -> NotificationsSettings:
    settings = NotificationsSettings()
    if database_url:
        return settings.model_copy(update={"database_url": database_url})
    return settings


def _with_service(database_url: str | None, work: Callable[[Notifications], Awaitable[T]]) -> T:
    settings = _settings(database_url)

    async def run() -> T:
        service = build_notifications(settings, identity=StaticIdentity({}))
        try:
            return await work(service)
        finally:
            await service.engine.dispose()

    try:
        return asyncio.run(run())
    except NotificationsError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(2) from error


@notifications_app.command("replay")
def replay(
    subscription: Annotated[UUID, typer.Argument(help="The subscription id.")],
    delivery: Annotated[int | None, typer.Option(help="One delivery id.")] = None,
    from_sequence: Annotated[int | None, typer.Option(min=1)] = None,
    to_sequence: Annotated[int | None, typer.Option(min=1)] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Recorded at or after (ISO time; UTC if no zone).")
    ] = None,
    until: Annotated[datetime | None, typer.Option(help="Recorded before.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Send deliveries again: one, or every matching event in a range of sequences or times."""

    async def work(service: Notifications) -> str:
        if delivery is not None:
            found = await service.replay_delivery(None, subscription, delivery)
            return f"delivery {found['id']} (sequence {found['sequence']}) queued again"
        replayed = await service.replay_range(
            None, subscription, from_sequence, to_sequence, _aware(since), _aware(until)
        )
        more = (
            f"; the range holds more: go on with --from-sequence {replayed.next_from_sequence}"
            if replayed.next_from_sequence is not None
            else ""
        )
        return f"{replayed.queued} deliveries queued{more}"

    console.print(_with_service(database_url, work))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@notifications_app.command("subscriptions")
def list_subscriptions(database_url: DatabaseUrl = None) -> None:
    """Every subscription of every agency."""

    async def work(service: Notifications) -> list[Any]:
        return await service.all_subscriptions()

    table = Table("id", "owner", "url", "enabled", "filters")
    for s in _with_service(database_url, work):
        filters = "; ".join(f"{k}={','.join(v)}" for k, v in s.filter.as_lists().items() if v)
        table.add_row(str(s.id), s.owner, s.url, "yes" if s.enabled else "no", filters or "all")
    console.print(table)


@notifications_app.command("deliveries")
def list_deliveries(
    subscription: Annotated[UUID, typer.Argument()],
    status: Annotated[
        str | None, typer.Option(help="pending, delivering, delivered, failed")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    database_url: DatabaseUrl = None,
) -> None:
    """The delivery log of one subscription."""

    async def work(service: Notifications) -> list[dict[str, Any]]:
        return await service.deliveries(None, subscription, status, 0, limit)

    table = Table("id", "sequence", "event", "status", "attempts", "last code", "last error")
    for d in _with_service(database_url, work):
        table.add_row(
            str(d["id"]),
            str(d["sequence"]),
            d["event_type"],
            d["status"],
            str(d["attempts"]),
            str(d["last_status_code"] or ""),
            d["last_error"] or "",
        )
    console.print(table)


@notifications_app.command("digest")
def digest_now(
    reminders: Annotated[bool, typer.Option(help="Also send verification reminders.")] = True,
    database_url: DatabaseUrl = None,
) -> None:
    """Send the daily digest (and reminders) now, whatever the hour."""
    settings = _settings(database_url)

    async def run() -> tuple[int, int]:
        engine = engine_for(settings)
        try:
            notices = staff_notices(settings, engine)
            today = vietnam_today()
            digests = await notices.send_digests(today, force=True)
            sent = await notices.send_reminders(today, force=True) if reminders else 0
            return digests, sent
        finally:
            await engine.dispose()

    digests, sent = asyncio.run(run())
    where = settings.smtp_host or "the log (no SMTP host configured)"
    console.print(f"{digests} digests and {sent} reminders sent to {where}")


@staff_app.command("add")
def add_staff(
    email: Annotated[str, typer.Option(help="Where the e-mail goes.")],
    name: Annotated[str, typer.Option(help="How the e-mail greets them, e.g. 'chị Lan'.")],
    role: Annotated[str, typer.Option(help="reviewer or area_officer")],
    province: Annotated[list[str], typer.Option(help="A province code of their area.")] = [],  # noqa: B006
    commune: Annotated[list[str], typer.Option(help="A commune code of their area.")] = [],  # noqa: B006
    digest: Annotated[bool, typer.Option(help="Send the daily digest.")] = True,
    reminders: Annotated[bool, typer.Option(help="Send verification reminders.")] = True,
    database_url: DatabaseUrl = None,
) -> None:
    """Add a recipient, or change one (same e-mail)."""
    problems = _check_staff(email, role, province, commune)
    if problems:
        for problem in problems:
            console.print(f"[red]{problem}[/red]")
        raise typer.Exit(2)
    recipient = StaffRecipient(email, name, role, province, commune, digest, reminders)

    async def work(service: Notifications) -> None:
        await service.add_staff(recipient)

    _with_service(database_url, work)
    console.print(f"{email} will receive e-mail for its area")


def _check_staff(email: str, role: str, provinces: list[str], communes: list[str]) -> list[str]:
    problems = []
    if "@" not in email or email.strip() != email or " " in email:
        problems.append(f"--email: {email!r} is not an e-mail address")
    if role not in ("reviewer", "area_officer"):
        problems.append("--role: use reviewer or area_officer")
    if role == "area_officer" and not provinces and not communes:
        problems.append("an area officer needs --province or --commune")
    _, bad = build_filter(provinces=provinces)
    problems += [f"--province: {p.message}" for p in bad]
    problems += [
        f"--commune: {c!r} is not a 5-digit commune code"
        for c in communes
        if not (len(c) == 5 and c.isdigit())
    ]
    return problems


@staff_app.command("list")
def list_staff(database_url: DatabaseUrl = None) -> None:
    async def work(service: Notifications) -> list[Recipient]:
        return await service.staff_recipients()

    table = Table("email", "name", "role", "area", "digest", "reminders", "last digest")
    for r in _with_service(database_url, work):
        table.add_row(
            r.email,
            r.name,
            r.role,
            r.area.describe(),
            "yes" if r.digest else "no",
            "yes" if r.reminders else "no",
            str(r.last_digest_on or ""),
        )
    console.print(table)


@staff_app.command("remove")
def remove_staff(email: str, database_url: DatabaseUrl = None) -> None:
    async def work(service: Notifications) -> bool:
        return await service.remove_staff(email)

    if not _with_service(database_url, work):
        console.print(f"[red]no recipient {email}[/red]")
        raise typer.Exit(1)
    console.print(f"{email} removed")


@notifications_app.command("prune")
def prune(
    older_than_days: Annotated[
        int | None,
        typer.Option(min=1, help="Default HOPTAC_NOTIFICATIONS_DELIVERED_RETENTION_DAYS (90)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Remove deliveries delivered longer ago than that, with their attempts (the worker does it
    every hour). Failed and waiting deliveries stay, and so do the events: replaying a range
    sends them again."""
    days = older_than_days or _settings(database_url).delivered_retention_days

    async def work(service: Notifications) -> int:
        return await service.prune_delivered(timedelta(days=days))

    removed = _with_service(database_url, work)
    console.print(f"{removed:,} deliveries delivered more than {days} days ago removed")


@notifications_app.command("new-secret-key")
def new_secret_key() -> None:
    """Print a new key for HOPTAC_NOTIFICATIONS_SECRET_KEYS (docs/notifications.md)."""
    print(new_key())


@notifications_app.command("reseal")
def reseal(database_url: DatabaseUrl = None) -> None:
    """Seal every stored signing secret again under the first of the secret keys: the step
    between putting a new key first and dropping the old one."""

    async def work(service: Notifications) -> int:
        return await service.reseal_secrets()

    try:
        changed = _with_service(database_url, work)
    except SecretKeyProblem as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    console.print(f"resealed the signing secrets of {changed} subscriptions under the first key")


@notifications_app.command("migrate")
def migrate_database(database_url: DatabaseUrl = None) -> None:
    """Bring the notifications database schema up to date."""
    migrate(_settings(database_url).database_url)
    console.print("notifications schema is up to date")
