"""The whole platform as real processes on its own PostgreSQL and NATS, any part of which a test
can kill with SIGKILL and start again, as a crash and a restart would.

Each service is started the way `hoptac run` starts it (its `ServiceSpec`, the launcher's
environment, uvicorn for its API and `python -m` for its workers); NATS runs with the
platform's accounts, so the relay alone may publish events.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import nats
import nats.errors
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.cli.launcher import service_environment, uvicorn_command
from hoptac.cli.plugins import service_specs
from hoptac.platform.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from hoptac.platform.embedded.databases import database_url, ensure_database
from hoptac.platform.embedded.nats import ClusterNode
from hoptac.platform.embedded.nats_accounts import PlatformAccount
from hoptac.platform.embedded.processes import log_tail, stop_child
from hoptac.platform.service import ServiceSpec
from hoptac.platform.testing import wait_until
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role

SERVICES = ("registry", "search", "reporting", "notifications")

# Knobs that make a crash test quick without changing what it proves: deliveries retried within
# seconds, not hours; the relay's readiness port chosen freely.
QUICK = {
    "HOPTAC_NOTIFICATIONS_RETRY_FIRST_DELAY_SECONDS": "0.2",
    "HOPTAC_NOTIFICATIONS_RETRY_MULTIPLIER": "1.5",
    "HOPTAC_NOTIFICATIONS_RETRY_MAX_DELAY_SECONDS": "2",
    "HOPTAC_NOTIFICATIONS_DELIVERY_PER_SUBSCRIPTION": "4",
}


@dataclass
class Part:
    """One process of the platform, started again with the same command after a kill."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    ready_url: str | None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop_child(self.process, 10.0)

    def check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited; its log ends with:\n{log_tail(self.log)}")


class Platform:
    """With `nats_nodes` 3, NATS is a JetStream cluster on loopback and the stream has three
    replicas, as in production; the services get every node's address. With `standby`,
    PostgreSQL has a synchronous streaming standby, and the services get both addresses and
    take the one that accepts writes."""

    def __init__(
        self,
        workdir: Path,
        nats_nodes: int = 1,
        *,
        standby: bool = False,
        archive: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        workdir.chmod(0o755)  # as root, PostgreSQL runs as another user who must reach it
        self.workdir = workdir
        self.var_dir = workdir / "var"
        self.var_dir.mkdir()
        self.account = PlatformAccount()
        self.postgres = EmbeddedPostgres(workdir / "pg", free_port(), fast=True)
        self.wal_archive = workdir / "wal-archive"
        if archive:
            self.postgres.archive_wal_to(self.wal_archive)
        self.standby = (
            EmbeddedPostgres(workdir / "standby", free_port(), fast=True) if standby else None
        )
        self.nats_nodes = _nats_nodes(workdir, nats_nodes, self.account)
        self.nats = self.nats_nodes[0]
        self.specs = [spec for spec in service_specs() if spec.name in SERVICES]
        self.urls = {spec.name: f"http://127.0.0.1:{free_port()}" for spec in self.specs}
        self.parts: dict[str, Part] = {}
        self.extra_env = env or {}
        self.admin_token = ""
        self.worker_metrics_port = 0
        self.service_token = ""

    def url(self, service: str) -> str:
        return self.urls[service]

    @property
    def nats_urls(self) -> str:
        return ",".join(node.url for node in self.nats_nodes)

    async def start(self) -> None:
        self.postgres.start()
        for node in self.nats_nodes:
            node.start()
        await self._jetstream_ready()
        databases = {}
        for spec in self.specs:
            if spec.database is not None:
                await ensure_database(self.postgres.server_url, spec.database)
                databases[spec.name] = database_url(self.postgres.server_url, spec.database)
                assert spec.migrate is not None
                await asyncio.to_thread(spec.migrate, databases[spec.name])
        if self.standby is not None:
            self.standby.start(standby_of=self.postgres)
            await self._commit_on_both()
            databases = {name: self._either_server(url) for name, url in databases.items()}
        await self._make_tokens(databases["registry"])
        for spec in self.specs:
            self._add_parts(spec, databases.get(spec.name))
        for part in self.parts.values():
            part.start()
        for part in self.parts.values():
            await self.wait_ready(part)

    def _either_server(self, url: str) -> str:
        """A database URL naming the primary and the standby: connections take the one that
        accepts writes, so after a promotion the services find the new primary by themselves."""
        assert self.standby is not None
        database = url.rsplit("/", 1)[1]
        hosts = "&".join(
            f"host=127.0.0.1:{server.port}" for server in (self.postgres, self.standby)
        )
        return f"postgresql+asyncpg://postgres@/{database}?{hosts}&target_session_attrs=read-write"

    async def _commit_on_both(self) -> None:
        """From now on a commit is acknowledged once the standby has it too, so promoting the
        standby loses nothing (set after the standby exists: until then a commit would wait)."""
        conn = await asyncpg.connect(self.postgres.dsn())
        try:
            await conn.execute("ALTER SYSTEM SET synchronous_standby_names = 'standby'")
            await conn.execute("SELECT pg_reload_conf()")
        finally:
            await conn.close()

    def stop_services(self) -> None:
        for part in reversed(list(self.parts.values())):
            part.stop()

    async def start_services(self) -> None:
        for part in self.parts.values():
            part.start()
        for part in self.parts.values():
            await self.wait_ready(part)

    async def fail_over(self) -> None:
        """SIGKILL the primary and promote the standby, as an operator (or Patroni) would."""
        assert self.standby is not None
        self.postgres.kill()
        self.standby.promote()

    async def _jetstream_ready(self) -> None:
        """A cluster serves JetStream once its nodes have elected a meta leader."""

        async def answers() -> bool:
            nc = await nats.connect(self.account.services_url(self.nats.url))
            try:
                await nc.jetstream().account_info()
            except nats.errors.Error:
                return False
            finally:
                await nc.close()
            return True

        await wait_until(answers, timeout=60, message="JetStream on the NATS cluster")

    async def _make_tokens(self, registry_database: str) -> None:
        engine = create_async_engine(registry_database)
        context = WriteContext("faults", "pytest", None)
        async with engine.begin() as conn:
            self.admin_token = await tokens.create_token(
                conn, "faults-admin", Role.ADMIN, [], [], context, timedelta(days=1)
            )
            self.service_token = await tokens.create_token(
                conn, "faults-services", Role.AGENCY_READER, [], [], context, timedelta(days=1)
            )
        await engine.dispose()
        (self.var_dir / "service-token").write_text(self.service_token + "\n")

    def _add_parts(self, spec: ServiceSpec, database: str | None) -> None:
        port = int(self.urls[spec.name].rsplit(":", 1)[1])
        nats_url = ",".join(self.account.url(spec.nats_user, node.url) for node in self.nats_nodes)
        others = {name: url for name, url in self.urls.items() if name != spec.name}
        env = {
            **_inherited_env(),
            **service_environment(spec, port, nats_url, self.var_dir, database, others),
            **QUICK,
            "HOPTAC_REGISTRY_STREAM_REPLICAS": str(len(self.nats_nodes)),
            **self.extra_env,
        }
        self.parts[spec.name] = Part(
            spec.name,
            uvicorn_command(spec.asgi_app, port),
            env,
            self.workdir / f"{spec.name}.log",
            f"{self.urls[spec.name]}/readyz",
        )
        for module in spec.workers:
            worker_port = free_port()
            name = f"{spec.name}-{module.rsplit('.', 1)[-1]}"
            worker_env = {
                **env,
                "HOPTAC_REGISTRY_RELAY_PORT": str(worker_port),
                "HOPTAC_NOTIFICATIONS_WORKER_METRICS_PORT": str(worker_port),
            }
            if name == "notifications-worker":
                self.worker_metrics_port = worker_port
            ready = f"http://127.0.0.1:{worker_port}/readyz" if spec.name == "registry" else None
            self.parts[name] = Part(
                name,
                [sys.executable, "-m", module],
                worker_env,
                self.workdir / f"{name}.log",
                ready,
            )

    async def second_instance(self, name: str) -> str:
        """Start another instance of the reporting service or the notifications worker, on the
        same durable consumer; return the URL of its metrics."""
        first = self.parts[name]
        port = free_port()
        env = dict(first.env)
        if name == "notifications-worker":
            env["HOPTAC_NOTIFICATIONS_WORKER_METRICS_PORT"] = str(port)
            command = first.command
        else:
            spec = next(s for s in self.specs if s.name == name)
            env[f"{spec.env_prefix}PORT"] = str(port)
            command = uvicorn_command(spec.asgi_app, port)
        # The worker has no readiness endpoint; its metrics answer once it runs.
        ready = f"http://127.0.0.1:{port}/{'readyz' if first.ready_url else 'metrics'}"
        part = Part(f"{name}-2", command, env, self.workdir / f"{name}-2.log", ready)
        self.parts[part.name] = part
        part.start()
        await self.wait_ready(part)
        return f"http://127.0.0.1:{port}/metrics"

    async def wait_ready(self, part: Part) -> None:
        part.check_alive()
        if part.ready_url is None:
            return
        async with httpx.AsyncClient(timeout=2) as http:

            async def ready() -> bool:
                part.check_alive()
                with contextlib.suppress(httpx.HTTPError):
                    return (await http.get(part.ready_url or "")).status_code == 200
                return False

            await wait_until(ready, timeout=60, message=f"{part.name} ready (log {part.log})")

    async def crash(self, name: str, down_seconds: float) -> None:
        """SIGKILL one part (a process, "nats", "nats-<n>" for a node of a cluster, or
        "postgres"), leave it down, start it again."""
        if name.startswith("nats"):
            node = self.nats_nodes[int(name.removeprefix("nats").removeprefix("-") or 0)]
            node.kill()
            await asyncio.sleep(down_seconds)
            node.start()
        elif name == "postgres":
            self.postgres.kill()
            await asyncio.sleep(down_seconds)
            self.postgres.start()
        else:
            part = self.parts[name]
            part.kill()
            await asyncio.sleep(down_seconds)
            part.start()
            await self.wait_ready(part)

    def check_alive(self) -> None:
        for part in self.parts.values():
            part.check_alive()

    def stop(self) -> None:
        self.stop_services()
        for node in self.nats_nodes:
            node.stop()
        if self.standby is not None:
            self.standby.stop()
        self.postgres.stop()


# What the `started` fixture gives a test: `await started(name, **options)`, a running platform.
StartPlatform = Callable[..., Awaitable[Platform]]


def _nats_nodes(workdir: Path, count: int, account: PlatformAccount) -> list[EmbeddedNats]:
    if count == 1:
        return [EmbeddedNats(workdir / "nats", free_port(), account=account)]
    routes = [free_port() for _ in range(count)]
    return [
        EmbeddedNats(
            workdir / f"nats-{index}",
            free_port(),
            account=account,
            cluster=ClusterNode(
                f"n{index}", routes[index], tuple(p for p in routes if p != routes[index])
            ),
        )
        for index in range(count)
    ]


def _inherited_env() -> dict[str, str]:
    """This environment without settings of ours, which would override the platform's."""
    return {key: value for key, value in os.environ.items() if not key.startswith("HOPTAC_")}
