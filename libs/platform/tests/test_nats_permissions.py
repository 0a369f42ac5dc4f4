"""The embedded nats-server runs with the platform's account: only the relay publishes
organisation events, only the library document events.

A projection's user (`platform`) that publishes an event, or tries to change a stream, gets a
permissions violation and the stream stays as it was; everything a projection needs still works.
The library's user publishes on its own subjects and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.api import ConsumerConfig, StreamConfig

from hoptac.platform.embedded import EmbeddedNats, free_port
from hoptac.platform.embedded.nats_accounts import LIBRARY_USER, PlatformAccount
from hoptac.platform.testing import wait_until

pytestmark = pytest.mark.integration

SUBJECT = "coop.v1.org.registered.96"
STREAM = "COOP_ORG_V1"
LIBRARY_SUBJECT = "library.v1.document.added"
LIBRARY_STREAM = "LIBRARY_DOC_V1"


@pytest.fixture(scope="module")
def account() -> PlatformAccount:
    return PlatformAccount()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, account: PlatformAccount) -> Iterator[str]:
    base: Path = tmp_path_factory.mktemp("nats-accounts")
    with EmbeddedNats(base / "store", free_port(), account=account) as nats_server:
        yield nats_server.url


@dataclass
class Connection:
    nc: Client
    errors: list[str] = field(default_factory=list)

    async def violation(self, subject: str) -> str:
        def seen() -> str:
            wanted = f'Permissions Violation for Publish to "{re.escape(subject)}"'
            return next((e for e in self.errors if re.search(wanted, e, re.IGNORECASE)), "")

        return await wait_until(seen, message=f"a permissions violation for {subject}")


async def login(url: str) -> Connection:
    errors: list[str] = []

    async def on_error(error: Exception) -> None:
        errors.append(str(error))

    nc = await nats.connect(url, error_cb=on_error, allow_reconnect=False, connect_timeout=5)
    return Connection(nc, errors)


@pytest.fixture
async def relay(server: str, account: PlatformAccount) -> AsyncIterator[Connection]:
    connection = await login(account.relay_url(server))
    js = connection.nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM, subjects=["coop.v1.>"]))
    yield connection
    await js.delete_stream(STREAM)
    await connection.nc.close()


@pytest.fixture
async def projection(server: str, account: PlatformAccount) -> AsyncIterator[Connection]:
    connection = await login(account.services_url(server))
    yield connection
    await connection.nc.close()


@pytest.fixture
async def library(server: str, account: PlatformAccount) -> AsyncIterator[Connection]:
    connection = await login(account.url(LIBRARY_USER, server))
    yield connection
    await connection.nc.close()


async def stored(connection: Connection) -> int:
    return int((await connection.nc.jetstream().stream_info(STREAM)).state.messages)


async def test_the_relay_publishes_events(relay: Connection) -> None:
    ack = await relay.nc.jetstream().publish(SUBJECT, b'{"sequence": 1}')
    assert ack.seq == 1


async def test_a_projection_cannot_publish_an_event(
    relay: Connection, projection: Connection
) -> None:
    await relay.nc.jetstream().publish(SUBJECT, b'{"sequence": 1}')
    await projection.nc.publish(SUBJECT, b'{"sequence": 1, "forged": true}')
    await projection.nc.flush()
    assert await projection.violation(SUBJECT)
    assert await stored(relay) == 1


@pytest.mark.parametrize("action", ["DELETE", "PURGE", "UPDATE"])
async def test_a_projection_cannot_change_the_stream(
    relay: Connection, projection: Connection, action: str
) -> None:
    subject = f"$JS.API.STREAM.{action}.{STREAM}"
    await projection.nc.publish(subject, b"{}")
    await projection.nc.flush()
    assert await projection.violation(subject)
    assert (await relay.nc.jetstream().stream_info(STREAM)).config.name == STREAM


async def test_the_library_publishes_its_events_but_not_the_registrys(
    relay: Connection, library: Connection, projection: Connection
) -> None:
    js = library.nc.jetstream()
    await js.add_stream(StreamConfig(name=LIBRARY_STREAM, subjects=["library.v1.>"]))
    try:
        assert (await js.publish(LIBRARY_SUBJECT, b"{}")).stream == LIBRARY_STREAM
        for subject in (SUBJECT, f"$JS.API.STREAM.DELETE.{STREAM}"):
            await library.nc.publish(subject, b'{"forged": true}')
            await library.nc.flush()
            assert await library.violation(subject)
        await projection.nc.publish(LIBRARY_SUBJECT, b'{"forged": true}')
        await projection.nc.flush()
        assert await projection.violation(LIBRARY_SUBJECT)
        assert await stored(relay) == 0
        assert (await js.stream_info(LIBRARY_STREAM)).state.messages == 1
    finally:
        await relay.nc.jetstream().delete_stream(LIBRARY_STREAM)


async def test_a_projection_consumes_acknowledges_and_dead_letters(
    relay: Connection, projection: Connection
) -> None:
    await relay.nc.jetstream().publish(SUBJECT, b'{"sequence": 1}')
    js = projection.nc.jetstream()
    subscription = await js.pull_subscribe(
        "coop.v1.>", durable="test", stream=STREAM, config=ConsumerConfig(ack_wait=30)
    )
    (message,) = await subscription.fetch(1, timeout=5)
    await message.ack_sync()
    await js.add_stream(StreamConfig(name="HOPTAC_DEAD_LETTERS", subjects=["hoptac.dead_letter.>"]))
    ack = await js.publish("hoptac.dead_letter.test", b"{}")
    assert ack.stream == "HOPTAC_DEAD_LETTERS"
    await js.delete_stream("HOPTAC_DEAD_LETTERS")
    assert projection.errors == []


@pytest.mark.parametrize("password", [None, "wrong"])
async def test_a_client_without_the_password_is_refused(server: str, password: str | None) -> None:
    nc = Client()
    try:
        with pytest.raises((NatsError, OSError)):  # the server may close the socket first
            await nc.connect(
                server, user="platform", password=password, allow_reconnect=False, connect_timeout=5
            )
    finally:
        await nc.close()  # a refused client still holds its socket
