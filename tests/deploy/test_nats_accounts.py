"""deploy/nats: agencies read coop.v1.> and nothing else, on a real nats-server.

The server runs the committed configuration (nats.conf + accounts.conf + agencies/), with only
the port and store directory changed, and a second agency added the way docs/nats-access.md tells
an operator to: so the tests also prove that procedure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import ConsumerInfo
from nats.js.errors import NotFoundError

from hoptac.contracts.events import STREAM
from hoptac.contracts.library import LIBRARY_STREAM
from hoptac.library.adapters.relay import stream_config as library_stream_config
from hoptac.platform.embedded.nats import EmbeddedNats, nats_server_binary
from hoptac.platform.embedded.nats_accounts import PlatformAccount
from hoptac.platform.embedded.ports import LOOPBACK, free_port
from hoptac.platform.embedded.processes import log_tail, poll, stop_child
from hoptac.platform.testing import wait_until
from hoptac.registry.adapters.jetstream import ensure_stream, stream_config

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_NATS = ROOT / "deploy" / "nats"
DOCS = ROOT / "docs" / "nats-access.md"

PLATFORM_PASSWORD = "platform-test-password"
RELAY_PASSWORD = "relay-test-password"
LIBRARY_PASSWORD = "library-test-password"
TAX_PASSWORD = "agency-tax-test-password"
# bcrypt of TAX_PASSWORD: the form docs/nats-access.md recommends for the environment variable.
TAX_PASSWORD_BCRYPT = "$2a$10$Sareo.lhXuk1gQ.c5JuOXeX9f9t22L8sXHUgpzvTdme3IPKmwWIfK"
STATS_PASSWORD = "agency-stats-test-password"

# The prefix under which an agency account imports its part of the JetStream API.
AGENCY_JS_API = "JS.PLATFORM.API"
Event = dict[str, Any]

# What the server sends the client for a denied publish or subscribe.
PERMISSIONS_VIOLATION = "Permissions Violation"


def add_agency(conf_dir: Path, account: str, user: str) -> None:
    """The operator's steps from docs/nats-access.md, done to a copy of deploy/nats: copy the
    example agency file with the names replaced, and copy every line of accounts.conf that
    names the example agency (its include and its exports) with the names replaced."""

    def rename(text: str) -> str:
        return text.replace("AGENCY_TAX", account).replace("agency_tax", user)

    example = conf_dir / "agencies" / "agency_tax.conf"
    (conf_dir / "agencies" / f"{user}.conf").write_text(rename(example.read_text()))
    accounts = conf_dir / "accounts.conf"
    lines: list[str] = []
    for line in accounts.read_text().splitlines(keepends=True):
        lines.append(line)
        if not line.lstrip().startswith("#") and re.search("agency_tax|AGENCY_TAX", line):
            lines.append(rename(line))
    accounts.write_text("".join(lines))


def server_config(conf_dir: Path, port: int, http_port: int, store_dir: Path) -> Path:
    """deploy/nats/nats.conf with this test's port, monitoring port and store, accounts on."""
    text = (DEPLOY_NATS / "nats.conf").read_text()
    replacements = {
        r"(?m)^port: \d+": f"host: {LOOPBACK}\nport: {port}",
        r"(?m)^http_port: \d+": f"http_port: {http_port}",
        r"(?m)^(\s*)store_dir: \S+": rf"\g<1>store_dir: {store_dir}",
    }
    for pattern, replacement in replacements.items():
        text, count = re.subn(pattern, replacement, text)
        assert count == 1, f"deploy/nats/nats.conf no longer has one line matching {pattern}"
    if not re.search(r"(?m)^include accounts\.conf", text):
        text += "\ninclude accounts.conf\n"
    config = conf_dir / "nats.conf"
    config.write_text(text)
    return config


def server_env(**passwords: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.endswith("_PASSWORD")}
    return {**env, **passwords}


def check_config(config: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(nats_server_binary()), "-c", str(config), "-t"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def healthy(http_port: int) -> bool:
    """The monitoring endpoint says the server, JetStream included, is ready: more than an
    open client port."""
    try:
        return httpx.get(f"http://{LOOPBACK}:{http_port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def conf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    conf_dir = tmp_path_factory.mktemp("deploy-nats")
    shutil.copytree(DEPLOY_NATS, conf_dir, dirs_exist_ok=True)
    add_agency(conf_dir, "AGENCY_STATS", "agency_stats")
    return conf_dir


@contextlib.contextmanager
def running_server(conf_dir: Path, env: dict[str, str]) -> Iterator[Server]:
    """nats-server on the configuration in `conf_dir`, stopped by its PID afterwards."""
    port, http_port = free_port(), free_port()
    config = server_config(conf_dir, port, http_port, conf_dir / "store")
    log = conf_dir / "nats-server.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(nats_server_binary()), "-c", str(config)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def exited() -> None:
        if process.poll() is not None:
            raise RuntimeError(f"nats-server exited; its log ends with:\n{log_tail(log)}")

    try:
        poll(lambda: healthy(http_port), timeout=30, what="nats-server /healthz", check=exited)
        yield Server(f"nats://{LOOPBACK}:{port}", process, log)
    finally:
        stop_child(process)


@pytest.fixture(scope="module")
def server(conf_dir: Path) -> Iterator[Server]:
    env = server_env(
        RELAY_NATS_PASSWORD=f'"{RELAY_PASSWORD}"',
        LIBRARY_NATS_PASSWORD=f'"{LIBRARY_PASSWORD}"',
        PLATFORM_NATS_PASSWORD=f'"{PLATFORM_PASSWORD}"',
        AGENCY_TAX_PASSWORD=f'"{TAX_PASSWORD_BCRYPT}"',
        AGENCY_STATS_PASSWORD=f'"{STATS_PASSWORD}"',
    )
    with running_server(conf_dir, env) as server:
        yield server


@dataclass
class Connection:
    """A client and the asynchronous errors the server sent it."""

    nc: Client
    errors: list[str] = field(default_factory=list)

    async def permissions_violation(self, subject: str) -> str:
        def seen() -> str:
            wanted = f'{PERMISSIONS_VIOLATION} for .* to "{re.escape(subject)}"'
            return next((e for e in self.errors if re.search(wanted, e, re.IGNORECASE)), "")

        return await wait_until(seen, message=f"a permissions violation for {subject}")


async def connect(url: str, user: str, password: str) -> Connection:
    errors: list[str] = []

    async def on_error(error: Exception) -> None:
        errors.append(str(error))

    nc = await nats.connect(
        url,
        user=user,
        password=password,
        error_cb=on_error,
        allow_reconnect=False,
        connect_timeout=5,
    )
    return Connection(nc, errors)


def docs_example(defining: str) -> dict[str, Any]:
    """Run the Python block of docs/nats-access.md that defines `defining`; return its names."""
    text = DOCS.read_text()
    (code,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if f"def {defining}(" in b]
    names: dict[str, Any] = {"__name__": "docs_example"}
    exec(compile(code, str(DOCS), "exec"), names)
    return names


async def prepare_stream(relay: Connection, platform: Connection, *agencies: str) -> None:
    """COOP_ORG_V1 as the registry's relay creates it, empty, and each agency's consumer as
    docs/nats-access.md has the operator create it."""
    js = relay.nc.jetstream()
    with contextlib.suppress(NotFoundError):
        await js.delete_stream(STREAM)
    await ensure_stream(js, stream_config(max_age_days=30, duplicate_window_seconds=1200))
    create_agency_consumer = docs_example("create_agency_consumer")["create_agency_consumer"]
    for durable in agencies:
        await create_agency_consumer(platform.nc, durable)


@pytest.fixture
async def relay(server: Server) -> AsyncIterator[Connection]:
    """The registry's relay: the only user that may publish events."""
    connection = await connect(server.url, "relay", RELAY_PASSWORD)
    yield connection
    await connection.nc.close()


@pytest.fixture
async def platform(server: Server, relay: Connection) -> AsyncIterator[Connection]:
    """The projections' user (and the operator's, for agency consumers)."""
    connection = await connect(server.url, "platform", PLATFORM_PASSWORD)
    await prepare_stream(relay, connection, "agency_tax", "agency_stats")
    yield connection
    await connection.nc.close()


@pytest.fixture
async def tax(server: Server) -> AsyncIterator[Connection]:
    connection = await connect(server.url, "agency_tax", TAX_PASSWORD)
    yield connection
    await connection.nc.close()


def event(
    subject: str, version: int, organization_id: str = "o-1", **record: Any
) -> tuple[str, Event]:
    """A subject and an envelope with what agencies read: type, organisation, version, record."""
    name = subject.split(".")[3]
    return subject, {
        "event_type": f"organization.{name}",
        "organization_id": organization_id,
        "organization_version": version,
        "data": {"record": {"id": organization_id, **record}},
    }


async def publish_events(relay: Connection, *events: tuple[str, Event]) -> None:
    """Publish events as the relay does, each acknowledged by JetStream before the next."""
    js = relay.nc.jetstream()
    for subject, envelope in events:
        await js.publish(subject, json.dumps(envelope, ensure_ascii=False).encode())


async def interest_reached(
    server: Server, relay: Connection, agency: Connection, received: list[str]
) -> None:
    """Publish core probes on coop.v1.org.probe.96 until the agency's subscription receives one.

    Core NATS delivers to the subscriptions the publisher's account knows of when it publishes.
    An agency's subscription reaches the PLATFORM account through the stream import; in one CI
    run events published right after subscribing never arrived, which no local run reproduced.
    The probe makes the test start from interest that is shown to be there, and its failure
    says whether the import carried anything at all."""

    async def probed() -> bool:
        await relay.nc.publish("coop.v1.org.probe.96", b"{}")
        await relay.nc.flush()
        await asyncio.sleep(0.05)
        return "coop.v1.org.probe.96" in received

    try:
        await wait_until(probed, message="no core message reached the agency's subscription")
    except AssertionError as error:
        state = f"agency connected: {agency.nc.is_connected}, its errors: {agency.errors}"
        raise AssertionError(
            f"{error}; {state}; nats-server log:\n{log_tail(server.log)}"
        ) from None


async def test_agency_receives_live_events_on_a_core_subscription(
    relay: Connection, server: Server, platform: Connection, tax: Connection
) -> None:
    received: list[str] = []

    async def on_message(msg: Msg) -> None:
        received.append(msg.subject)

    await tax.nc.subscribe("coop.v1.org.*.96", cb=on_message)
    await tax.nc.flush()
    await interest_reached(server, relay, tax, received)
    received.clear()
    await publish_events(
        relay, event("coop.v1.org.registered.96", 1), event("coop.v1.org.updated.01", 2)
    )
    await publish_events(relay, event("coop.v1.org.updated.96", 2))

    await wait_until(
        lambda: len(received) == 2, message=f"two events for province 96, received {received}"
    )
    assert received == ["coop.v1.org.registered.96", "coop.v1.org.updated.96"]
    assert tax.errors == []


async def test_agency_reads_the_stream_from_its_durable_consumer_and_keeps_its_place(
    relay: Connection, server: Server, platform: Connection, tax: Connection
) -> None:
    await publish_events(
        relay,
        event("coop.v1.org.registered.96", 1),
        event("coop.v1.org.updated.96", 2),
        event("coop.v1.org.status_changed.96", 3),
    )
    js = tax.nc.jetstream(prefix=AGENCY_JS_API)
    sub = await js.pull_subscribe_bind(durable="agency_tax", stream=STREAM)
    first = await sub.fetch(2, timeout=5)
    assert [json.loads(m.data)["organization_version"] for m in first] == [1, 2]
    for msg in first:
        await msg.ack_sync()
    await tax.nc.close()

    # Events published while the agency is away wait in its consumer.
    await publish_events(relay, event("coop.v1.org.removed.96", 4))
    again = await connect(server.url, "agency_tax", TAX_PASSWORD)
    try:
        js = again.nc.jetstream(prefix=AGENCY_JS_API)
        sub = await js.pull_subscribe_bind(durable="agency_tax", stream=STREAM)
        rest = await sub.fetch(10, timeout=5)
        assert [m.subject for m in rest] == [
            "coop.v1.org.status_changed.96",
            "coop.v1.org.removed.96",
        ]
        for msg in rest:
            await msg.ack_sync()
        info = await sub.consumer_info()
        assert info.ack_floor is not None
        assert (info.num_pending, info.num_ack_pending, info.ack_floor.stream_seq) == (0, 0, 4)
        assert again.errors == []
    finally:
        await again.nc.close()


@pytest.mark.parametrize("subject", ["coop.v1.org.registered.96", "coop.v1.anything"])
async def test_agency_cannot_publish_events(
    relay: Connection, platform: Connection, tax: Connection, subject: str
) -> None:
    received: list[bytes] = []

    async def on_message(msg: Msg) -> None:
        received.append(msg.data)

    await platform.nc.subscribe("coop.v1.>", cb=on_message)
    await platform.nc.flush()

    await tax.nc.publish(subject, b'{"forged": true}')
    await tax.nc.flush()

    await tax.permissions_violation(subject)
    await publish_events(relay, event("coop.v1.org.updated.96", 1))  # a marker behind it
    await wait_until(lambda: received)
    assert [json.loads(data).get("forged") for data in received] == [None]
    assert (await platform.nc.jetstream().stream_info(STREAM)).state.messages == 1


@pytest.mark.parametrize(
    "subject",
    [
        "coop.v1.org.registered.96",
        f"$JS.API.STREAM.DELETE.{STREAM}",
        f"$JS.API.STREAM.PURGE.{STREAM}",
        f"$JS.API.STREAM.UPDATE.{STREAM}",
    ],
)
async def test_only_the_relay_publishes_events_or_changes_the_stream(
    relay: Connection, platform: Connection, subject: str
) -> None:
    await publish_events(relay, event("coop.v1.org.registered.96", 1))
    await platform.nc.publish(subject, b'{"forged": true}')
    await platform.nc.flush()
    await platform.permissions_violation(subject)
    assert (await relay.nc.jetstream().stream_info(STREAM)).state.messages == 1


async def test_the_library_publishes_its_events_and_nothing_else(
    server: Server, relay: Connection, platform: Connection
) -> None:
    library = await connect(server.url, "library", LIBRARY_PASSWORD)
    try:
        js = library.nc.jetstream()
        await ensure_stream(js, library_stream_config(max_age_days=30, replicas=1))
        assert (await js.publish("library.v1.document.added", b"{}")).stream == LIBRARY_STREAM
        for subject in ("coop.v1.org.registered.96", f"$JS.API.STREAM.PURGE.{STREAM}"):
            await library.nc.publish(subject, b'{"forged": true}')
            await library.nc.flush()
            await library.permissions_violation(subject)
        await platform.nc.publish("library.v1.document.added", b'{"forged": true}')
        await platform.nc.flush()
        await platform.permissions_violation("library.v1.document.added")
        assert (await js.stream_info(LIBRARY_STREAM)).state.messages == 1
        assert (await relay.nc.jetstream().stream_info(STREAM)).state.messages == 0
    finally:
        await relay.nc.jetstream().delete_stream(LIBRARY_STREAM)
        await library.nc.close()


@pytest.mark.parametrize(
    "subject",
    [
        "hoptac.dead_letter.>",
        "hoptac.>",
        "$JS.API.>",
        "$JS.ACK.COOP_ORG_V1.agency_stats.>",
        ">",
        "coop.v2.>",
    ],
)
async def test_agency_cannot_subscribe_to_other_subjects(tax: Connection, subject: str) -> None:
    await tax.nc.subscribe(subject)
    await tax.nc.flush()
    await tax.permissions_violation(subject)


@pytest.mark.parametrize(
    "subject",
    [
        f"$JS.API.STREAM.DELETE.{STREAM}",
        f"$JS.API.STREAM.PURGE.{STREAM}",
        f"$JS.API.STREAM.UPDATE.{STREAM}",
        "$JS.API.STREAM.CREATE.AGENCY_COPY",
        f"$JS.API.STREAM.MSG.DELETE.{STREAM}",
        f"$JS.API.CONSUMER.DELETE.{STREAM}.agency_tax",
        f"$JS.API.CONSUMER.CREATE.{STREAM}.agency_tax",
        f"$JS.API.CONSUMER.DURABLE.CREATE.{STREAM}.agency_tax",
        f"$JS.API.STREAM.INFO.{STREAM}",
        f"{AGENCY_JS_API}.STREAM.DELETE.{STREAM}",
        f"{AGENCY_JS_API}.STREAM.PURGE.{STREAM}",
        f"{AGENCY_JS_API}.CONSUMER.DELETE.{STREAM}.agency_tax",
    ],
)
async def test_agency_cannot_change_or_inspect_the_stream(
    relay: Connection, platform: Connection, tax: Connection, subject: str
) -> None:
    await publish_events(relay, event("coop.v1.org.registered.96", 1))

    with pytest.raises((NatsTimeoutError, NoRespondersError)):
        await tax.nc.request(subject, b"{}", timeout=1)
    await tax.permissions_violation(subject)

    js = platform.nc.jetstream()
    assert (await js.stream_info(STREAM)).state.messages == 1
    assert (await js.consumer_info(STREAM, "agency_tax")).config.durable_name == "agency_tax"


@pytest.mark.parametrize(
    "subject",
    [
        f"{AGENCY_JS_API}.CONSUMER.INFO.{STREAM}.agency_stats",
        f"{AGENCY_JS_API}.CONSUMER.MSG.NEXT.{STREAM}.agency_stats",
        f"$JS.API.CONSUMER.INFO.{STREAM}.agency_stats",
        f"$JS.API.CONSUMER.MSG.NEXT.{STREAM}.agency_stats",
        f"$JS.API.CONSUMER.LIST.{STREAM}",
        f"$JS.API.CONSUMER.NAMES.{STREAM}",
    ],
)
async def test_agency_cannot_see_or_read_another_agencys_consumer(
    relay: Connection, platform: Connection, tax: Connection, subject: str
) -> None:
    await publish_events(relay, event("coop.v1.org.registered.96", 1))

    with pytest.raises((NatsTimeoutError, NoRespondersError)):
        await tax.nc.request(subject, b"{}", timeout=1)
    await tax.permissions_violation(subject)

    stats = await platform.nc.jetstream().consumer_info(STREAM, "agency_stats")
    assert stats.delivered is not None
    assert (stats.num_pending, stats.num_ack_pending, stats.delivered.stream_seq) == (1, 0, 0)


async def test_each_agency_reads_its_own_consumer(
    relay: Connection, server: Server, platform: Connection
) -> None:
    await publish_events(relay, event("coop.v1.org.registered.96", 1))
    stats = await connect(server.url, "agency_stats", STATS_PASSWORD)
    try:
        js = stats.nc.jetstream(prefix=AGENCY_JS_API)
        sub = await js.pull_subscribe_bind(durable="agency_stats", stream=STREAM)
        (msg,) = await sub.fetch(1, timeout=5)
        await msg.ack_sync()
    finally:
        await stats.nc.close()
    tax_consumer = await platform.nc.jetstream().consumer_info(STREAM, "agency_tax")
    assert tax_consumer.num_pending == 1  # untouched by the other agency's reading


async def refused(url: str, user: str | None = None, password: str | None = None) -> str:
    """Connect, expecting the server to refuse; return what it said."""
    nc = Client()
    try:
        await nc.connect(
            url, user=user, password=password, allow_reconnect=False, connect_timeout=5
        )
    except (nats.errors.Error, OSError) as error:  # the server may close the socket first
        return str(error)
    finally:
        await nc.close()  # a refused client still holds its socket
    raise AssertionError(f"the server let {user or 'an anonymous client'} in")


@pytest.mark.parametrize(
    ("user", "password"),
    [
        ("agency_tax", "wrong"),
        ("agency_tax", TAX_PASSWORD_BCRYPT),  # the hash itself is not a password
        ("platform", TAX_PASSWORD),
        ("nobody", "nothing"),
    ],
)
async def test_wrong_credentials_are_refused(server: Server, user: str, password: str) -> None:
    assert "authorization" in (await refused(server.url, user=user, password=password)).lower()


async def test_anonymous_clients_are_refused(server: Server) -> None:
    assert "authorization" in (await refused(server.url)).lower()


def test_server_refuses_to_start_without_an_agency_password(tmp_path: Path) -> None:
    shutil.copytree(DEPLOY_NATS, tmp_path, dirs_exist_ok=True)
    config = server_config(tmp_path, free_port(), free_port(), tmp_path / "store")
    result = check_config(
        config,
        server_env(
            RELAY_NATS_PASSWORD='"r"', LIBRARY_NATS_PASSWORD='"l"', PLATFORM_NATS_PASSWORD='"p"'
        ),
    )
    assert result.returncode != 0
    assert "AGENCY_TAX_PASSWORD" in result.stdout + result.stderr


def test_committed_configuration_is_valid(tmp_path: Path) -> None:
    shutil.copytree(DEPLOY_NATS, tmp_path, dirs_exist_ok=True)
    config = server_config(tmp_path, free_port(), free_port(), tmp_path / "store")
    env = server_env(
        RELAY_NATS_PASSWORD='"r"',
        LIBRARY_NATS_PASSWORD='"l"',
        PLATFORM_NATS_PASSWORD='"p"',
        AGENCY_TAX_PASSWORD='"t"',
    )
    result = check_config(config, env)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_the_agency_program_in_the_docs_keeps_the_newest_state_of_each_organisation(
    relay: Connection, platform: Connection, tax: Connection
) -> None:
    example = docs_example("apply_batch")
    assert (example["API_PREFIX"], example["DURABLE"]) == (AGENCY_JS_API, "agency_tax")
    first, renamed = "HTX Nông nghiệp Tân Hưng", "HTX Dịch vụ Nông nghiệp Tân Hưng"
    await publish_events(
        relay,
        event("coop.v1.org.registered.96", 1, name=first),
        event("coop.v1.org.updated.96", 2, name=renamed),
        event("coop.v1.org.updated.96", 2, name="a repeat"),
        event("coop.v1.org.registered.96", 1, name=first),
        event("coop.v1.org.registered.32", 1, "o-2", name="THT"),
        event("coop.v1.org.removed.32", 2, "o-2", name="THT"),
    )
    db = sqlite3.connect(":memory:")
    try:
        db.execute(example["SCHEMA"])
        sub = await example["subscribe"](tax.nc)
        assert await example["apply_batch"](sub, db) == 6
        rows = db.execute("SELECT id, version, record FROM organizations ORDER BY id").fetchall()
    finally:
        db.close()
    assert [(i, v, json.loads(r)["name"] if r else None) for i, v, r in rows] == [
        ("o-1", 2, renamed),
        ("o-2", 2, None),
    ]

    async def all_acknowledged() -> ConsumerInfo | None:
        info = await sub.consumer_info()
        return info if (info.num_pending, info.num_ack_pending) == (0, 0) else None

    acknowledged: ConsumerInfo | None = await wait_until(all_acknowledged)
    assert acknowledged is not None


async def test_an_agency_added_to_the_configuration_reads_after_a_restart(tmp_path: Path) -> None:
    shutil.copytree(DEPLOY_NATS, tmp_path, dirs_exist_ok=True)
    env = server_env(
        RELAY_NATS_PASSWORD=f'"{RELAY_PASSWORD}"',
        LIBRARY_NATS_PASSWORD=f'"{LIBRARY_PASSWORD}"',
        PLATFORM_NATS_PASSWORD=f'"{PLATFORM_PASSWORD}"',
        AGENCY_TAX_PASSWORD=f'"{TAX_PASSWORD_BCRYPT}"',
    )
    with running_server(tmp_path, env) as server:
        relay = await connect(server.url, "relay", RELAY_PASSWORD)
        platform = await connect(server.url, "platform", PLATFORM_PASSWORD)
        await prepare_stream(relay, platform, "agency_tax")
        await publish_events(relay, event("coop.v1.org.registered.96", 1))
        await platform.nc.close()
        await relay.nc.close()

    add_agency(tmp_path, "AGENCY_AGRI", "agency_agri")
    env["AGENCY_AGRI_PASSWORD"] = f'"{TAX_PASSWORD_BCRYPT}"'  # the same password, for brevity
    with running_server(tmp_path, env) as server:  # the same JetStream store
        platform = await connect(server.url, "platform", PLATFORM_PASSWORD)
        agri = await connect(server.url, "agency_agri", TAX_PASSWORD)
        try:
            create_agency_consumer = docs_example("create_agency_consumer")
            await create_agency_consumer["create_agency_consumer"](platform.nc, "agency_agri")
            js = agri.nc.jetstream(prefix=AGENCY_JS_API)
            sub = await js.pull_subscribe_bind(durable="agency_agri", stream=STREAM)
            (msg,) = await sub.fetch(1, timeout=5)
            assert msg.subject == "coop.v1.org.registered.96"
            tax = await platform.nc.jetstream().consumer_info(STREAM, "agency_tax")
            assert tax.num_pending == 1  # kept across the restart, untouched by the newcomer
        finally:
            await agri.nc.close()
            await platform.nc.close()


def test_an_agency_importing_another_agencys_consumer_stops_the_server_at_start(
    tmp_path: Path,
) -> None:
    shutil.copytree(DEPLOY_NATS, tmp_path, dirs_exist_ok=True)
    add_agency(tmp_path, "AGENCY_STATS", "agency_stats")
    stats_file = tmp_path / "agencies" / "agency_stats.conf"
    mistake = 'subject: "$JS.API.CONSUMER.MSG.NEXT.COOP_ORG_V1.agency_tax"'
    text = stats_file.read_text()
    assert mistake.replace("tax", "stats") in text
    stats_file.write_text(text.replace(mistake.replace("tax", "stats"), mistake))
    config = server_config(tmp_path, free_port(), free_port(), tmp_path / "store")
    env = server_env(
        RELAY_NATS_PASSWORD='"r"',
        LIBRARY_NATS_PASSWORD='"l"',
        PLATFORM_NATS_PASSWORD='"p"',
        AGENCY_TAX_PASSWORD='"t"',
        AGENCY_STATS_PASSWORD='"s"',
    )

    result = check_config(config, env)

    assert result.returncode != 0
    assert 'agency_tax": service import not authorized' in result.stdout + result.stderr


async def test_the_agency_program_in_the_docs_follows_the_local_stack_with_its_own_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nats-server configured as `make run` configures it (no agency accounts, no prefix): the
    program logs in as the projections' user and makes its own durable, as the page says."""
    monkeypatch.setenv("HOPTAC_NATS_API_PREFIX", "")
    monkeypatch.setenv("HOPTAC_NATS_DURABLE", "my-test")
    example = docs_example("apply_batch")
    account = PlatformAccount()
    with EmbeddedNats(tmp_path / "nats", free_port(), account=account) as server:
        relay = await nats.connect(account.relay_url(server.url))
        reader = await nats.connect(account.services_url(server.url))
        db = sqlite3.connect(":memory:")
        try:
            await ensure_stream(relay.jetstream(), stream_config(30, 1200))
            await publish_events(
                Connection(relay),
                event("coop.v1.org.registered.96", 1, name="HTX Tân Hưng"),
                event("coop.v1.org.updated.96", 2, name="HTX Dịch vụ Tân Hưng"),
            )
            db.execute(example["SCHEMA"])
            sub = await example["subscribe"](reader)
            assert await example["apply_batch"](sub, db) == 2
            await example["subscribe"](reader)  # a second run keeps the same durable
            again = await reader.jetstream().consumer_info(STREAM, "my-test")
            assert (again.num_pending, again.config.durable_name) == (0, "my-test")
            rows = db.execute("SELECT id, version FROM organizations").fetchall()
        finally:
            db.close()
            await reader.close()
            await relay.close()
    assert rows == [("o-1", 2)]
