"""`hoptac search …` (entry point `hoptac.cli: search`)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from hoptac.platform.changelog import read_changes
from hoptac.search.bootstrap import build_index
from hoptac.search.handlers import PageApplied, apply_pages
from hoptac.search.settings import SearchSettings

console = Console()
search_app = typer.Typer(help="Operate the search index.", no_args_is_help=True)


@search_app.callback()
def search() -> None:
    """Operate the search index."""  # a group even with one command: `hoptac search reindex`


@search_app.command("reindex")
def reindex(
    registry_url: Annotated[
        str | None, typer.Option(help="Registry base URL; default HOPTAC_SEARCH_REGISTRY_URL.")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="A registry token; default HOPTAC_SEARCH_REGISTRY_TOKEN or "
            "<var-dir>/service-token."
        ),
    ] = None,
    var_dir: Annotated[
        Path | None, typer.Option(help="The stack's var directory; default HOPTAC_SEARCH_VAR_DIR.")
    ] = None,
    page_size: Annotated[int, typer.Option(min=1, max=1000)] = 1000,
) -> None:
    """Rebuild the index from the registry's change log, then switch to it atomically."""
    # Searches are answered from the old generation until the switch; the running service then
    # follows the switch and catches up with what changed meanwhile (docs/search.md).
    overrides: dict[str, object] = {}
    if registry_url:
        overrides["registry_url"] = registry_url
    if token:
        overrides["registry_token"] = token
    if var_dir:
        overrides["var_dir"] = var_dir
    settings = SearchSettings(**overrides)  # type: ignore[arg-type]
    key = settings.change_log_token()
    if key is None:
        console.print(
            f"[red]no registry token: pass --token, set HOPTAC_SEARCH_REGISTRY_TOKEN, or start "
            f"the stack so that {settings.var_dir / 'service-token'} exists[/red]"
        )
        raise typer.Exit(2)
    try:
        with one_reindex_at_a_time(settings.var_dir / "search-reindex.lock"):
            asyncio.run(_reindex(settings, key, page_size))
    except ReindexRunning as error:
        console.print(f"[red]{error}; the current index is untouched[/red]")
        raise typer.Exit(3) from error
    except Exception as error:
        console.print(f"[red]reindex failed, the current index is untouched: {error}[/red]")
        raise typer.Exit(1) from error


class ReindexRunning(Exception):
    """Another `hoptac search reindex` holds the lock."""


@contextlib.contextmanager
def one_reindex_at_a_time(lock_file: Path) -> Iterator[None]:
    """An exclusive lock for the whole rebuild. Two reindexes at once would each remove the
    generations it does not know, the other's build among them. The kernel releases the lock
    when the process ends, however it ends, so a killed reindex leaves nothing to clean up."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise ReindexRunning(
                f"another reindex is running (process {holder}, lock {lock_file})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


async def _reindex(settings: SearchSettings, token: str, page_size: int) -> None:
    index = build_index(settings, writable=False)
    try:
        await index.prepare()
        before = await index.generation()
        build = await index.start_build()
        console.print(f"building generation {build.name} from {settings.registry_url}")
        started = time.monotonic()
        events = skipped = 0
        last = 0
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("reading the change log", total=None)

            def shown(page: PageApplied) -> None:
                nonlocal events, skipped, last
                events += page.events
                skipped += page.skipped
                last = page.last_sequence or last
                rate = events / max(time.monotonic() - started, 1e-9)
                progress.update(
                    task,
                    description=f"{events:,} events, up to sequence {last:,} ({rate:,.0f}/s)",
                )

            try:
                pages = read_changes(settings.registry_url, token, after=0, page_size=page_size)
                await apply_pages(build, pages, shown)
                await build.finish()
            except BaseException:
                await build.discard()
                raise
        await index.switch_to(build)
        documents = await index.count()
        console.print(
            f"switched from {before} to {build.name}: {documents:,} organisations, "
            f"change log up to sequence {last:,}, {time.monotonic() - started:.1f} s"
            + (f"; {skipped} unreadable events skipped (see the log)" if skipped else "")
        )
        # Still holding the lock: a reindex right after this one would remove the generation
        # a running service has not left yet (it follows within switch_poll_seconds).
        await asyncio.sleep(2 * settings.switch_poll_seconds)
    finally:
        await index.close()
