"""`hoptac import template PATH` and `hoptac import FILE [--dry-run]` through the real `hoptac`
command, against a registry and a collection service listening on loopback ports."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from hoptac.cli.main import app
from hoptac.collection.adapters.migrations import migrate as migrate_collection
from hoptac.collection.entrypoints.http.app import create_app
from hoptac.collection.settings import CollectionSettings
from hoptac.contracts.vietnam_time import vietnam_today
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.migrations import migrate as migrate_registry
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role
from hoptac.registry.entrypoints.http.app import create_app as create_registry_app
from hoptac.registry.settings import RegistrySettings

from .files import as_csv, filled, row, typed_in

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def serving(asgi: Any) -> Iterator[str]:
    """`asgi` on a loopback port in a thread of its own."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def said(output: str) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(output.split())


def officer_token(database_url: str) -> str:
    async def create() -> str:
        engine = create_async_engine(database_url)
        async with engine.begin() as conn:
            made = await tokens.create_token(
                conn, "can-bo-ca-mau", Role.AREA_OFFICER, ["96"], [], WriteContext("t", "t", None)
            )
        await engine.dispose()
        return made

    return asyncio.run(create())


@pytest.fixture
def stack(pg_server: EmbeddedPostgres, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The collection service's URL, and a file holding an area officer's token."""
    names = [f"cli_{part}_{uuid.uuid4().hex[:8]}" for part in ("registry", "collection")]
    registry_db, collection_db = (pg_server.create_database(name) for name in names)
    migrate_registry(registry_db)
    migrate_collection(collection_db)
    token_file = tmp_path / "token"
    token_file.write_text(officer_token(registry_db))
    with serving(create_registry_app(RegistrySettings(database_url=registry_db))) as registry:
        settings = CollectionSettings(
            database_url=collection_db, registry_url=registry, consume=False
        )
        with serving(create_app(settings)) as collection:
            yield collection, token_file
    for name in names:
        pg_server.drop_database(name)


def test_the_template_is_written_then_a_filled_copy_checked_and_imported(
    stack: tuple[str, Path], tmp_path: Path
) -> None:
    url, token_file = stack
    runner = CliRunner()
    template = tmp_path / "mau.xlsx"

    written = runner.invoke(app, ["import", "template", str(template), "--url", url])
    good = tmp_path / "tot.xlsx"
    good.write_bytes(filled(template.read_bytes(), [row()]))
    bad = tmp_path / "loi.xlsx"
    bad.write_bytes(filled(template.read_bytes(), [row(kind="Công ty")]))
    options = ["--token-file", str(token_file), "--url", url]
    checked = runner.invoke(app, ["import", str(good), "--dry-run", *options])
    imported = runner.invoke(app, ["import", str(good), *options])
    refused = runner.invoke(app, ["import", str(bad), "--dry-run", *options])
    again = runner.invoke(app, ["import", str(good), *options])

    assert written.exit_code == 0, written.output
    assert template.read_bytes()[:2] == b"PK"
    assert checked.exit_code == 0, checked.output
    assert "1 hợp lệ" in said(checked.output)
    assert refused.exit_code == 1
    assert "unknown_code" in refused.output
    assert imported.exit_code == 0, imported.output
    assert "1 đề xuất" in said(imported.output)
    assert "dùng lại kết quả kiểm tra thử" in said(imported.output)
    assert "đã được nhập" in said(again.output)


def test_a_csv_typed_in_tcvn3_is_checked_and_its_converted_cells_listed(
    stack: tuple[str, Path], tmp_path: Path
) -> None:
    url, token_file = stack
    typed = tmp_path / "tcvn3.csv"
    typed.write_bytes(as_csv([typed_in("TCVN3", row())], encoding="latin-1"))

    checked = CliRunner().invoke(
        app, ["import", str(typed), "--dry-run", "--token-file", str(token_file), "--url", url]
    )

    assert checked.exit_code == 0, checked.output
    assert "1 hợp lệ" in said(checked.output)
    assert "ô từ bảng mã TCVN3 sang Unicode" in said(checked.output)


def test_an_unreachable_service_is_said_in_one_line_and_exits_2(tmp_path: Path) -> None:
    answer = CliRunner().invoke(
        app,
        [
            "import",
            "template",
            str(tmp_path / "x.xlsx"),
            "--url",
            f"http://127.0.0.1:{free_port()}",
        ],
    )

    assert answer.exit_code == 2
    assert "cannot reach the collection service" in said(answer.output)


def test_the_months_quality_report_is_written_for_a_province_of_the_callers_area(
    stack: tuple[str, Path], tmp_path: Path
) -> None:
    url, token_file = stack
    report = tmp_path / "chat-luong.xlsx"
    options = ["--token-file", str(token_file), "--url", url]

    written = CliRunner().invoke(
        app, ["collection", "quality-report", str(report), "--province", "96", *options]
    )
    refused = CliRunner().invoke(
        app, ["collection", "quality-report", str(report), "--province", "01", *options]
    )

    assert written.exit_code == 0, written.output
    assert openpyxl.load_workbook(report).sheetnames == ["Tổng hợp", "Hồ sơ"]
    assert refused.exit_code == 2
    assert "outside your token's area" in said(refused.output)


def test_the_quality_report_of_a_month_is_asked_for_by_its_month(
    stack: tuple[str, Path], tmp_path: Path
) -> None:
    url, token_file = stack
    report = tmp_path / "chat-luong.xlsx"
    options = ["--province", "96", "--token-file", str(token_file), "--url", url]
    this_month = f"{vietnam_today():%Y-%m}"

    current = CliRunner().invoke(
        app, ["collection", "quality-report", str(report), "--month", this_month, *options]
    )
    not_stored = CliRunner().invoke(
        app, ["collection", "quality-report", str(report), "--month", "2025-01", *options]
    )
    malformed = CliRunner().invoke(
        app, ["collection", "quality-report", str(report), "--month", "01/2025", *options]
    )

    assert current.exit_code == 0, current.output
    assert not_stored.exit_code == malformed.exit_code == 2
    assert "No quality report is stored for 2025-01" in said(not_stored.output)
    assert "not in the form year-month" in said(malformed.output)
