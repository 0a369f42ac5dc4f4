"""Real PostgreSQL (migrated), the app over ASGI, the delivery worker with a fast retry policy,
and real local HTTP receivers that can go down and come back."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.notifications.adapters.event_store import store, to_stored
from hoptac.notifications.adapters.migrations import migrate_async
from hoptac.notifications.adapters.resolver import Resolve, system_resolve
from hoptac.notifications.adapters.secret_box import new_key
from hoptac.notifications.adapters.webhooks import DeliveryMetrics
from hoptac.notifications.bootstrap import build_delivery_worker, build_notifications
from hoptac.notifications.delivering import DeliveryWorker
from hoptac.notifications.entrypoints.http.app import create_app
from hoptac.notifications.handlers import Notifications
from hoptac.notifications.settings import NotificationsSettings
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.identity import Caller, Identity, StaticIdentity
from hoptac.platform.testing import wait_until

SECRET_KEY = new_key()  # seals the signing secrets in these tests' databases
AGENCY_A = "token-so-tai-chinh"
AGENCY_B = "token-cuc-thong-ke"
ADMIN = "token-quan-tri"
CALLERS = {
    AGENCY_A: Caller("so-tai-chinh-ca-mau", "agency_reader"),
    AGENCY_B: Caller("cuc-thong-ke", "agency_reader"),
    ADMIN: Caller("quan-tri-lien-minh", "admin"),
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def database_url(fresh_database: str) -> str:
    await migrate_async(fresh_database)
    return fresh_database


@pytest.fixture
def settings(database_url: str) -> NotificationsSettings:
    return NotificationsSettings(
        database_url=database_url,
        secret_keys=SECRET_KEY,
        retry_first_delay_seconds=0.05,
        retry_max_delay_seconds=0.2,
        retry_attempts=4,
        retry_jitter=0.1,
        delivery_timeout_seconds=2.0,
        delivery_poll_seconds=0.05,
        delivery_lease_seconds=5.0,
        retry_after_max_seconds=3600,
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def service(settings: NotificationsSettings, engine: AsyncEngine) -> Notifications:
    return build_notifications(settings, StaticIdentity(CALLERS), engine)


@pytest.fixture
async def client(
    settings: NotificationsSettings, service: Notifications
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, service, stream_poll_seconds=0.05)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as http:
        yield http


@pytest.fixture
async def served(settings: NotificationsSettings, service: Notifications) -> AsyncIterator[str]:
    """The app on a real socket (for streaming responses): its base URL."""
    app = create_app(settings, service, stream_poll_seconds=0.05)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, message="notifications app serving")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


@pytest.fixture
def publish(engine: AsyncEngine) -> Callable[..., Awaitable[Any]]:
    """Store events as the consumer would (one transaction per call)."""

    async def put(*events: dict[str, Any]) -> Any:
        async with engine.begin() as conn:
            return await store(conn, [to_stored(e) for e in events])

    return put


@pytest.fixture
async def run_worker(
    settings: NotificationsSettings, engine: AsyncEngine
) -> AsyncIterator[Callable[..., DeliveryWorker]]:
    """Start the delivery worker in the test's loop; stopped after the test."""
    started: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    def start(
        resolve: Resolve | None = None,
        new_client: Callable[[], httpx.AsyncClient] | None = None,
        identity: Identity | None = None,
        **overrides: Any,
    ) -> DeliveryWorker:
        """`resolve`, `new_client` and `identity` replace the system resolver, the HTTP client
        and the registry (which knows the tokens in CALLERS)."""
        tuned = settings.model_copy(update=overrides)
        worker = build_delivery_worker(
            tuned,
            engine,
            DeliveryMetrics(None),
            random.Random(7),
            identity or StaticIdentity(dict(CALLERS)),
            resolve or system_resolve,
            new_client,
        )
        stop = asyncio.Event()
        started.append((stop, asyncio.create_task(worker.run(stop))))
        return worker

    yield start
    for stop, task in started:
        stop.set()
        await asyncio.wait_for(task, 10)


@dataclass(frozen=True)
class TlsFiles:
    authority: str  # the CA certificate to trust
    certificate: str  # the server's, for `host`
    key: str
    host: str


@pytest.fixture
def tls_files(tmp_path: Path) -> TlsFiles:
    """A certificate authority and a server certificate for one DNS name (no IP address)."""
    host = "hooks.so-tai-chinh.test"
    now = datetime.now(UTC)

    def issue(
        name: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signer: Any, ca: bool
    ) -> x509.Certificate:
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hoptac test CA")])
    authority = issue("hoptac test CA", ca_key, ca_name, ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = issue(host, server_key, authority.subject, ca_key, ca=False)
    paths = tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server-key.pem"
    paths[0].write_bytes(authority.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return TlsFiles(str(paths[0]), str(paths[1]), str(paths[2]), host)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


Responder = Callable[[Received], tuple[int, dict[str, str]]]


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it is sent."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    respond: Responder = lambda request: (204, {})
    gate: asyncio.Event | None = None  # when given, every answer waits until it is set
    tls: TlsFiles | None = None  # serve HTTPS with this certificate
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def url_as(self, host: str) -> str:
        """The same receiver named by `host` (which a fake resolver maps to 127.0.0.1)."""
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}/hook"

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = Received({k.decode(): v.decode() for k, v in scope["headers"]}, body)
        self.received.append(request)
        if self.gate is not None:
            await self.gate.wait()
        status, headers = self.respond(request)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def start(self) -> Receiver:
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            interface="asgi3",
            ssl_certfile=self.tls.certificate if self.tls else None,
            ssl_keyfile=self.tls.key if self.tls else None,
        )
        self._server = uvicorn.Server(config)
        # Several receivers share the test's thread: none of them may take over its signals.
        self._server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
        self._task = asyncio.create_task(self._server.serve())
        server = self._server
        await wait_until(lambda: server.started, message="receiver serving")
        return self

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 10)
        self._server = None

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


@pytest.fixture
async def receivers() -> AsyncIterator[Callable[..., Awaitable[Receiver]]]:
    made: list[Receiver] = []

    async def make(**options: Any) -> Receiver:
        receiver = Receiver(**options)
        made.append(receiver)
        return await receiver.start()

    yield make
    for receiver in made:
        await receiver.stop()


@pytest.fixture
def subscribe(client: httpx.AsyncClient) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def create(url: str, token: str = AGENCY_A, **filters: Any) -> dict[str, Any]:
        response = await client.post(
            "/v1/subscriptions", json={"url": url, **filters}, headers=bearer(token)
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return create
