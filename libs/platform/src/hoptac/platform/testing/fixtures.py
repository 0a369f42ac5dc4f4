"""pytest plugin: one real PostgreSQL and one real nats-server per test session.

Registered through the `pytest11` entry point of hoptac-platform, so every package's tests get
these fixtures by installing it:

- `pg_server` (session): an `EmbeddedPostgres` tuned for speed (fsync off).
- `fresh_database` (function): SQLAlchemy URL of a new, empty database on `pg_server`.
- `nats_server` (session): an `EmbeddedNats` with JetStream.
- `nats_url` (function): its URL; every JetStream stream is deleted after the test.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hoptac.platform.embedded.databases import run_coroutine
from hoptac.platform.embedded.nats import EmbeddedNats
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres


@pytest.fixture(scope="session")
def pg_server() -> Iterator[EmbeddedPostgres]:
    # Not under pytest's tmp dir: that is private to us (0700), and when we are root the server
    # runs as another user who must be able to reach its data directory.
    base = Path(tempfile.mkdtemp(prefix="hoptac-pg-"))
    try:
        base.chmod(0o755)
        server = EmbeddedPostgres(base / "data", free_port(), fast=True)
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fresh_database(pg_server: EmbeddedPostgres) -> Iterator[str]:
    """`postgresql+asyncpg://…/test_<random>`: a database no other test has seen."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)  # WITH (FORCE): connections a test left open do not block it


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    base = tmp_path_factory.mktemp("nats")
    server = EmbeddedNats(base / "store", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def nats_url(nats_server: EmbeddedNats) -> Iterator[str]:
    """URL of the session's nats-server; the streams a test creates are gone after it."""
    yield nats_server.url
    if nats_server.pid is not None:  # a fault test may have left it stopped
        run_coroutine(delete_all_streams(nats_server.url))


async def delete_all_streams(url: str) -> None:
    import nats

    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=0)
    try:
        jsm = nc.jsm()
        for stream in await jsm.streams_info():
            if stream.config.name:
                await jsm.delete_stream(stream.config.name)
    finally:
        await nc.close()
