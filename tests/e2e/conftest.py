"""End-to-end stack: the registry and its relay as real processes on real PostgreSQL and NATS."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.contracts.generate import CONTRACTS_DIR
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.testing import wait_until
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.migrations import migrate_async
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role


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
