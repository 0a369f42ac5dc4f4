"""The embedded servers are real: they answer, keep data across restarts and survive a kill."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.js.api import StreamConfig

from hoptac.platform.embedded import (
    EmbeddedNats,
    EmbeddedPostgres,
    PortInUseError,
    free_port,
)
from hoptac.platform.embedded.processes import is_alive
from hoptac.platform.testing import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own_pg_server() -> Iterator[EmbeddedPostgres]:
    """A server of this module's own, with durable settings, that the tests may stop and kill
    without disturbing the session's `pg_server`."""
    base = Path(tempfile.mkdtemp(prefix="hoptac-pg-own-"))
    base.chmod(0o755)
    server = EmbeddedPostgres(base / "data", free_port())
    server.start()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


async def fetch(server: EmbeddedPostgres, sql: str, database: str = "postgres") -> object:
    conn = await asyncpg.connect(server.dsn(database))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def execute(server: EmbeddedPostgres, sql: str) -> None:
    conn = await asyncpg.connect(server.dsn())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_pg_server_answers_select_1(pg_server: EmbeddedPostgres) -> None:
    assert await fetch(pg_server, "select 1") == 1


async def test_pg_server_listens_on_loopback_only(pg_server: EmbeddedPostgres) -> None:
    assert await fetch(pg_server, "show listen_addresses") == "127.0.0.1"


async def test_fresh_database_is_empty_and_has_the_vietnamese_extensions(
    fresh_database: str, pg_server: EmbeddedPostgres
) -> None:
    database = fresh_database.rsplit("/", 1)[1]
    assert fresh_database == pg_server.url(database)
    conn = await asyncpg.connect(pg_server.dsn(database))
    try:
        assert await conn.fetchval("select count(*) from pg_tables where schemaname='public'") == 0
        await conn.execute("create extension unaccent; create extension pg_trgm")
        unaccented = await conn.fetchval("select unaccent('Hợp tác xã Đồng Tâm')")
        assert unaccented == "Hop tac xa Dong Tam"
        assert await conn.fetchval("select lower('ĐỒNG THÁP')") == "đồng tháp"
        assert await conn.fetchval("select similarity('dong tam', 'dong tam')") == 1.0
    finally:
        await conn.close()


def test_create_database_is_idempotent(pg_server: EmbeddedPostgres) -> None:
    first = pg_server.create_database("idempotent_db")
    assert pg_server.create_database("idempotent_db") == first
    pg_server.drop_database("idempotent_db")


def test_pg_start_names_a_port_in_use(pg_server: EmbeddedPostgres) -> None:
    base = Path(tempfile.mkdtemp(prefix="hoptac-pg-busy-"))
    try:
        base.chmod(0o755)
        with pytest.raises(PortInUseError, match=str(pg_server.port)):
            EmbeddedPostgres(base / "data", pg_server.port).start()
    finally:
        shutil.rmtree(base, ignore_errors=True)


async def test_pg_data_survives_stop_and_start(own_pg_server: EmbeddedPostgres) -> None:
    await execute(own_pg_server, "create table kept (v text); insert into kept values ('a')")
    own_pg_server.stop()
    assert own_pg_server.pid is None
    own_pg_server.start()
    assert await fetch(own_pg_server, "select string_agg(v, ',') from kept") == "a"


async def test_killed_pg_restarts_with_committed_data(own_pg_server: EmbeddedPostgres) -> None:
    await execute(own_pg_server, "create table crash (v int); insert into crash values (42)")
    old_pid = own_pg_server.pid
    assert old_pid is not None
    own_pg_server.kill()
    assert not is_alive(old_pid)
    own_pg_server.start()
    assert own_pg_server.pid not in (None, old_pid)
    assert await fetch(own_pg_server, "select v from crash") == 42


async def test_nats_jetstream_acks_a_publish(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="T_ACK", subjects=["t.ack.>"]))
        ack = await js.publish("t.ack.one", b"hello")
        assert (ack.stream, ack.seq) == ("T_ACK", 1)
    finally:
        await nc.close()


async def test_nats_url_fixture_leaves_no_stream_behind(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        assert await nc.jsm().streams_info() == []  # T_ACK of the test above is gone
    finally:
        await nc.close()


async def test_nats_stream_survives_kill_and_restart(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "store", free_port()).start()
    try:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="KEPT", subjects=["kept.>"]))
        await js.publish("kept.a", b"before the crash")
        await nc.close()

        server.kill()
        server.start()

        nc = await nats.connect(server.url)
        try:
            info = await wait_until(lambda: nc.jsm().stream_info("KEPT"), timeout=10)
            assert info.state.messages == 1
            message = await nc.jetstream().get_msg("KEPT", 1)
            assert message.data == b"before the crash"
        finally:
            await nc.close()
    finally:
        server.stop()
    assert server.pid is None


def test_nats_start_names_a_port_in_use(nats_server: EmbeddedNats, tmp_path: Path) -> None:
    with pytest.raises(PortInUseError, match=str(nats_server.port)):
        EmbeddedNats(tmp_path / "store", nats_server.port).start()


async def test_wait_until_reports_what_it_waited_for() -> None:
    with pytest.raises(AssertionError, match=r"never: not true after 0\.05 s"):
        await wait_until(lambda: False, timeout=0.05, message="never")
