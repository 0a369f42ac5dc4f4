"""`hoptac import …` (entry point `hoptac.cli`), against the running collection service:

    hoptac import template PATH         the survey template (.xlsx, or .csv by the suffix)
    hoptac import FILE [--dry-run]      check a filled template, or import it

and `hoptac collection migrate` for operators (containers migrate before they start),
`hoptac collection quality-report --province P PATH` for the month's quality report.

Exit status: 0 when the file has no problem, 1 when it has (each listed by row and column),
2 when the service cannot be reached or refuses the token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table
from typer.core import TyperGroup

from hoptac.collection.adapters.migrations import migrate
from hoptac.collection.entrypoints.quality_cli import quality_report
from hoptac.collection.settings import CollectionSettings

console = Console()
CHUNK = 256 * 1024
SHOWN = 200  # problems printed; the rest are counted


class FileOrCommand(TyperGroup):
    """`hoptac import FILE` means `hoptac import file FILE`, unless FILE names a subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # click's own Context
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["file", *args]
        return super().parse_args(ctx, args)


import_app = typer.Typer(
    cls=FileOrCommand,
    help="Survey templates and imports: `hoptac import FILE [--dry-run]`.",
    no_args_is_help=True,
)

Url = Annotated[
    str | None,
    typer.Option(help="The collection service; default: the running stack's."),
]
TokenFile = Annotated[
    Path, typer.Option(help="A file holding your registry token.", exists=True, dir_okay=False)
]


def _base_url(url: str | None) -> str:
    if url:
        return url.rstrip("/")
    settings = CollectionSettings()
    return f"http://{settings.host}:{settings.port}"


def _unreachable(base: str, error: Exception) -> typer.Exit:
    console.print(f"[red]cannot reach the collection service at {base}: {error}[/red]")
    return typer.Exit(2)


@import_app.command("template")
def template(
    path: Annotated[Path, typer.Argument(help="Where to write it: .xlsx or .csv", dir_okay=False)],
    url: Url = None,
) -> None:
    """Write the survey template."""
    base = _base_url(url)
    kind = "csv" if path.suffix.lower() == ".csv" else "xlsx"
    try:
        response = httpx.get(f"{base}/v1/imports/template.{kind}", timeout=60)
    except httpx.HTTPError as error:
        raise _unreachable(base, error) from error
    if response.status_code != 200:
        console.print(f"[red]{response.json().get('message', response.text[:300])}[/red]")
        raise typer.Exit(2)
    path.write_bytes(response.content)
    console.print(f"wrote {path} ({len(response.content):,} bytes)")


def _multipart(path: Path, progress: Progress) -> tuple[bytes, Iterator[bytes]]:
    """A multipart body streamed from the file, advancing the bar as it is sent."""
    boundary = b"hoptac-import-boundary-7d1f0c"
    name = path.name.encode("utf-8", errors="replace").replace(b'"', b"")
    head = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + name + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    tail = b"\r\n--" + boundary + b"--\r\n"
    task = progress.add_task("tải lên", total=path.stat().st_size)

    def body() -> Iterator[bytes]:
        yield head
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                progress.advance(task, len(chunk))
                yield chunk
        yield tail

    return boundary, body()


@import_app.command("file", hidden=True)
def import_file(
    file: Annotated[Path, typer.Argument(help="A filled template, .xlsx or .csv", exists=True)],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check only; nothing is kept.")
    ] = False,
    token_file: TokenFile = Path("var/admin-token"),
    url: Url = None,
) -> None:
    """Check a filled template (--dry-run) or import it: every valid row becomes a proposal."""
    base = _base_url(url)
    token = token_file.read_text().strip()
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        boundary, body = _multipart(file, progress)
        checking = progress.add_task("kiểm tra", total=None)
        try:
            response = httpx.post(
                f"{base}/v1/imports",
                params={"dry_run": "true"} if dry_run else None,
                content=body,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": f"multipart/form-data; boundary={boundary.decode()}",
                },
                timeout=None,  # a large file is checked row by row by the registry too
            )
        except httpx.HTTPError as error:
            raise _unreachable(base, error) from error
        progress.update(checking, completed=1, total=1)
    if response.status_code != 200:
        console.print(f"[red]{response.status_code}: {response.json().get('message')}[/red]")
        raise typer.Exit(2)
    report = response.json()
    _print(report, dry_run)
    if report["problems"]:
        raise typer.Exit(1)


def _print(report: dict[str, Any], dry_run: bool) -> None:
    _table("Các vấn đề", report["problems"])
    _table("Lưu ý (không chặn hàng nào)", report.get("warnings") or [])
    if report.get("converted_from"):
        cells = sum(1 for w in report["warnings"] if w["code"] == "converted_encoding")
        console.print(f"Đã chuyển {cells:,} ô từ bảng mã {report['converted_from']} sang Unicode")
    summary = (
        f"{report['rows_total']:,} hàng: {report['rows_valid']:,} hợp lệ, "
        f"{report['rows_refused']:,} có lỗi"
    )
    if dry_run:
        console.print(f"Kiểm tra thử (không ghi gì): {summary}")
    elif report.get("already_imported"):
        console.print(f"Tệp này đã được nhập (lô {report['batch_id']}): không thay đổi gì")
    else:
        console.print(
            f"Đã nhập lô {report['batch_id']}: {summary}; "
            f"{report['proposals_added']:,} đề xuất thay đổi chờ duyệt"
        )
        if report.get("checked_by_dry_run"):
            console.print("(dùng lại kết quả kiểm tra thử vừa chạy: sổ đăng ký chưa thay đổi)")


def _table(title: str, items: list[dict[str, Any]]) -> None:
    if not items:
        return
    table = Table("hàng", "cột", "trường", "mã", "nội dung", title=title)
    for item in items[:SHOWN]:
        table.add_row(
            str(item.get("row", "")),
            item.get("column", ""),
            item.get("field", ""),
            item["code"],
            item["message"],
        )
    console.print(table)
    if len(items) > SHOWN:
        console.print(f"… và {len(items) - SHOWN:,} mục khác")


collection_app = typer.Typer(help="Operate the collection service.", no_args_is_help=True)
collection_app.command("quality-report")(quality_report)


@collection_app.command("migrate")
def migrate_database(
    database_url: Annotated[
        str | None, typer.Option(help="Default: HOPTAC_COLLECTION_DATABASE_URL.")
    ] = None,
) -> None:
    """Bring the collection database schema up to date."""
    migrate(database_url or CollectionSettings().database_url)
    console.print("collection schema is up to date")
