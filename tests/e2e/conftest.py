"""End-to-end stack: the registry and its relay as real processes on real PostgreSQL and NATS."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.contracts.generate import CONTRACTS_DIR
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.testing import wait_until
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.migrations import migrate_async
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role
from hoptac.reporting.adapters.migrations import migrate_async as migrate_reporting


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def kill(self) -> None:
        assert self.popen is not None
        self.popen.kill()
        self.popen.wait()

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def uvicorn_command(app_factory: str, port: int) -> list[str]:
    """How `hoptac run` serves an app: uvicorn --factory on 127.0.0.1."""
    host = ["--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "uvicorn", "--factory", app_factory, *host]


async def wait_ready(url: str, process: Process) -> None:
    """Until the service at `url` answers /readyz with 200."""
    async with httpx.AsyncClient(base_url=url) as client:

        async def ready() -> bool:
            try:
                return (await client.get("/readyz")).status_code == 200
            except httpx.TransportError:
                return False

        await wait_until(ready, timeout=30, message=f"{process.name} ready (log: {process.log})")


@contextlib.asynccontextmanager
async def portal_serving(backends: Mapping[str, str], tmp_path: Path) -> AsyncIterator[str]:
    """The portal as its own process, with `backends` (HOPTAC_PORTAL_* variables such as
    HOPTAC_PORTAL_REGISTRY_URL); search and reporting, unless given, on a closed port."""
    port = free_port()
    closed = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "HOPTAC_PORTAL_PORT": str(port),
        "HOPTAC_PORTAL_SEARCH_URL": closed,
        "HOPTAC_PORTAL_REPORTING_URL": closed,
        **backends,
    }
    command = uvicorn_command("hoptac.portal.entrypoints.http.app:create_app", port)
    process = Process("portal", command, env, tmp_path / "portal.log")
    process.start()
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(url, process)
        yield url
    finally:
        process.stop()


def workspace_backends(registry_url: str, collection_url: str) -> dict[str, str]:
    """The portal's settings for the workspace pages fed by collection (a file checked row by
    row takes long, hence the timeout)."""
    return {
        "HOPTAC_PORTAL_REGISTRY_URL": registry_url,
        "HOPTAC_PORTAL_COLLECTION_URL": collection_url,
        "HOPTAC_PORTAL_BACKEND_TIMEOUT": "30",
    }


@dataclass
class RegistryStack:
    url: str
    admin_token: str
    database_url: str
    nats_url: str
    relay: Process

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}


@pytest.fixture
async def registry_stack(
    fresh_database: str, nats_url: str, tmp_path: Path
) -> AsyncIterator[RegistryStack]:
    await migrate_async(fresh_database)
    engine = create_async_engine(fresh_database)
    async with engine.begin() as conn:
        admin = await tokens.create_token(
            conn, "e2e-admin", Role.ADMIN, [], [], WriteContext("e2e", "pytest", None)
        )
    await engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "HOPTAC_REGISTRY_DATABASE_URL": fresh_database,
        "HOPTAC_REGISTRY_NATS_URL": nats_url,
        "HOPTAC_REGISTRY_PORT": str(port),
        "HOPTAC_REGISTRY_RELAY_PORT": "0",
        "HOPTAC_REGISTRY_RELAY_BATCH_SIZE": "10",
    }
    api = Process(
        "registry",
        uvicorn_command("hoptac.registry.entrypoints.http.app:create_app", port),
        env,
        tmp_path / "registry.log",
    )
    relay = Process(
        "relay",
        [sys.executable, "-m", "hoptac.registry.entrypoints.relay"],
        env,
        tmp_path / "relay.log",
    )
    url = f"http://127.0.0.1:{port}"
    api.start()
    relay.start()
    try:
        await wait_ready(url, api)
        yield RegistryStack(url, admin, fresh_database, nats_url, relay)
    finally:
        relay.stop()
        api.stop()


@pytest.fixture
def contracts_dir() -> Path:
    return CONTRACTS_DIR


@pytest.fixture
async def search_url(
    registry_stack: RegistryStack, tmp_path: Path
) -> AsyncIterator[tuple[str, dict[str, str]]]:
    port = free_port()
    env = {
        **os.environ,
        "HOPTAC_SEARCH_PORT": str(port),
        "HOPTAC_SEARCH_NATS_URL": registry_stack.nats_url,
        "HOPTAC_SEARCH_VAR_DIR": str(tmp_path / "var"),
        "HOPTAC_SEARCH_REGISTRY_URL": registry_stack.url,
        "HOPTAC_SEARCH_REGISTRY_TOKEN": registry_stack.admin_token,
        "HOPTAC_SEARCH_CONSUMER_FETCH_TIMEOUT": "0.2",
        "HOPTAC_SEARCH_SWITCH_POLL_SECONDS": "0.1",
    }
    command = uvicorn_command("hoptac.search.entrypoints.http.app:create_app", port)
    service = Process("search", command, env, tmp_path / "search.log")
    service.start()
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(url, service)
        yield url, env
    finally:
        service.stop()


@dataclass
class ReportingStack:
    url: str
    env: dict[str, str]
    database_url: str
    process: Process


@pytest.fixture
async def reporting_stack(
    registry_stack: RegistryStack, pg_server: EmbeddedPostgres, tmp_path: Path
) -> AsyncIterator[ReportingStack]:
    name = f"test_reporting_{uuid.uuid4().hex[:12]}"
    database_url = pg_server.create_database(name)
    await migrate_reporting(database_url)
    port = free_port()
    env = {
        **os.environ,
        "HOPTAC_REPORTING_DATABASE_URL": database_url,
        "HOPTAC_REPORTING_NATS_URL": registry_stack.nats_url,
        "HOPTAC_REPORTING_PORT": str(port),
        "HOPTAC_REPORTING_REGISTRY_URL": registry_stack.url,
        "HOPTAC_REPORTING_REGISTRY_TOKEN": registry_stack.admin_token,
        "HOPTAC_REPORTING_VAR_DIR": str(tmp_path),
    }
    command = uvicorn_command("hoptac.reporting.entrypoints.http.app:create_app", port)
    process = Process("reporting", command, env, tmp_path / "reporting.log")
    process.start()
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(url, process)
        yield ReportingStack(url, env, database_url, process)
    finally:
        process.stop()
        pg_server.drop_database(name)


# Screenshots of the portal's browser tests are kept here and named at the end of the run.
SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "portal"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCREENSHOTS_DIR.is_dir() and any(SCREENSHOTS_DIR.iterdir()):
        terminalreporter.write_line(f"portal screenshots: {SCREENSHOTS_DIR}")
