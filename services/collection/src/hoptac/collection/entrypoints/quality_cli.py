"""`hoptac collection quality-report --province 96 [--month 2026-11] PATH`: the month's
data-quality report of a province (XLSX), or a past month's as stored when it ended, as the
running collection service gives it at GET /v1/quality/report.xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console

from hoptac.collection.settings import CollectionSettings

console = Console()


def quality_report(
    path: Annotated[Path, typer.Argument(help="Where to write the .xlsx", dir_okay=False)],
    province: Annotated[str, typer.Option(help="A current province code, e.g. 96.")],
    month: Annotated[
        str | None,
        typer.Option(help="A month ended, YYYY-MM: its report as stored then; default: now."),
    ] = None,
    token_file: Annotated[
        Path, typer.Option(help="A file holding your registry token.", exists=True, dir_okay=False)
    ] = Path("var/admin-token"),
    url: Annotated[
        str | None, typer.Option(help="The collection service; default: the running stack's.")
    ] = None,
) -> None:
    """Write the month's data-quality report of a province (XLSX, Vietnamese headers), or a
    past month's as it was stored when it ended."""
    settings = CollectionSettings()
    base = (url or f"http://{settings.host}:{settings.port}").rstrip("/")
    try:
        response = httpx.get(
            f"{base}/v1/quality/report.xlsx",
            params={"province": province, **({"month": month} if month else {})},
            headers={"Authorization": f"Bearer {token_file.read_text().strip()}"},
            timeout=300,
        )
    except httpx.HTTPError as error:
        console.print(f"[red]cannot reach the collection service at {base}: {error}[/red]")
        raise typer.Exit(2) from error
    if response.status_code != 200:
        console.print(f"[red]{response.status_code}: {response.json().get('message')}[/red]")
        raise typer.Exit(2)
    path.write_bytes(response.content)
    console.print(f"wrote {path} ({len(response.content):,} bytes)")
