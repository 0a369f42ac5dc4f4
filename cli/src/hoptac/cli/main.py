"""The `hoptac` command. `run` and `status` live here; every other subcommand comes from an
installed package through the `hoptac.cli` entry-point group (see plugins.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from hoptac.cli.check import Unreachable, Urls, run_check
from hoptac.cli.launcher import run_stack
from hoptac.cli.plugins import add_plugin_commands, service_specs
from hoptac.cli.settings import LauncherSettings, service_port
from hoptac.platform.embedded.processes import wait_gone
from hoptac.platform.stack_file import StackFile

app = typer.Typer(
    name="hoptac",
    help="The cooperative-register platform: run the local stack, manage its data.",
    no_args_is_help=True,
)


@app.command()
def run() -> None:
    """Start PostgreSQL, NATS and every installed service on 127.0.0.1; Ctrl-C stops them all.

    Settings come from environment variables:

    HOPTAC_VAR_DIR: databases, streams, logs and the admin token (default ./var).

    HOPTAC_PG_PORT, HOPTAC_NATS_PORT: ports of the embedded servers (5432, 4222).

    HOPTAC_<SERVICE>_PORT: a service's port, e.g. HOPTAC_REGISTRY_PORT (8001).

    HOPTAC_DATABASE_URL, HOPTAC_NATS_URL: servers that already run, to use instead
    (postgresql+asyncpg://user:password@host:5432, nats://host:4222).

    HOPTAC_OPENSEARCH_URL: handed to the services as their OPENSEARCH_URL.
    """
    raise typer.Exit(run_stack(service_specs(), LauncherSettings()))


@app.command()
def status() -> None:
    """Ask every installed service whether it is ready."""
    table = Table("service", "URL", "ready")
    all_ready = True
    with httpx.Client(timeout=2.0) as client:
        for spec in service_specs():
            url = f"http://127.0.0.1:{service_port(spec)}"
            try:
                ready = client.get(f"{url}/readyz").status_code == 200
            except httpx.HTTPError:
                ready = False
            all_ready &= ready
            table.add_row(spec.name, url, "[green]yes[/]" if ready else "[red]no[/]")
    Console().print(table)
    raise typer.Exit(0 if all_ready else 1)


@app.command()
def check(
    wait: Annotated[
        float, typer.Option(min=0, help="Seconds to let lagging projections catch up.")
    ] = 30.0,
    token_file: Annotated[
        Path | None,
        typer.Option(
            help="A registry token for the change log, feed and snapshot; default "
            "<HOPTAC_VAR_DIR>/service-token."
        ),
    ] = None,
) -> None:
    """Compare every projection with the registry: search, reporting, the feed, the snapshot.

    Exits 0 when all agree, 1 on any difference (each is printed), 2 when a part is unreachable.
    Service URLs are those of the stack `hoptac run` started, else HOPTAC_<SERVICE>_PORT.
    """
    console = Console()
    running = StackFile.read(LauncherSettings().var_dir)
    ports = {spec.name: service_port(spec) for spec in service_specs()}

    def url(name: str) -> str | None:
        if running is not None:
            service = running.services.get(name)
            return service.url if service else None
        return f"http://127.0.0.1:{ports[name]}" if name in ports else None

    urls = Urls(url("registry") or "", url("search"), url("reporting"), url("notifications"))
    path = token_file or LauncherSettings().var_dir / "service-token"
    token = path.read_text().strip() if path.exists() else None
    if token is None:
        console.print(f"no token in {path}: the feed and the snapshot are not checked")
    try:
        differences = asyncio.run(run_check(urls, token, wait, console.print))
    except Unreachable as error:
        console.print(f"[red]unreachable:[/] {error}")
        raise typer.Exit(2) from error
    for difference in differences:
        console.print(f"[red]{difference.part}[/]: {difference.what}", soft_wrap=True)
    if differences:
        console.print(f"[red]{len(differences)} differences[/]")
        raise typer.Exit(1)
    console.print("[green]every projection agrees with the registry[/]")


@app.command()
def stop(
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for it to stop.")] = 60.0,
) -> None:
    """Stop the stack `hoptac run` started (in HOPTAC_VAR_DIR), as Ctrl-C would."""
    var_dir = LauncherSettings().var_dir
    stack = StackFile.read(var_dir)
    if stack is None:
        Console().print(f"no stack is running from {var_dir}")
        raise typer.Exit(1)
    os.kill(stack.launcher_pid, signal.SIGTERM)
    if wait_gone([stack.launcher_pid], timeout):
        Console().print(
            f"[red]hoptac run (pid {stack.launcher_pid}) did not stop in {timeout} s[/]"
        )
        raise typer.Exit(1)
    Console().print("stopped")


@app.command("nats-url")
def nats_url() -> None:
    """Print the running stack's NATS URL for a reader: it may read the stream and make a durable
    of its own, not publish (docs/nats-access.md, on the local stack)."""
    var_dir = LauncherSettings().var_dir
    stack = StackFile.read(var_dir)
    if stack is None or stack.nats_url is None:
        Console(stderr=True).print(f"no stack is running from {var_dir}")
        raise typer.Exit(1)
    print(stack.nats_url)


add_plugin_commands(app)

# What a command meets when nothing answers where it looks: said in one line, not a traceback.
UNREACHABLE = (OSError, httpx.ConnectError, DBAPIError)


def main() -> None:
    """The `hoptac` command."""
    try:
        app()
    except UNREACHABLE as error:
        Console(stderr=True).print(
            f"[red]cannot reach a server this command needs ({type(error).__name__}): is "
            "`hoptac run` running, with the same HOPTAC_VAR_DIR and ports?[/]"
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
