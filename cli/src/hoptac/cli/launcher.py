"""`hoptac run`: the whole stack on one machine in one command.

It starts PostgreSQL and NATS (unless external ones are configured), creates and migrates each
service's database, runs each service's HTTP process and workers, waits until every service is
ready, and on Ctrl-C or SIGTERM stops everything it started, by PID, keeping the data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import asyncpg
import httpx
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hoptac.cli.children import Child, launch, stop_children
from hoptac.cli.settings import (
    LauncherSettings,
    port_variable,
    service_http_processes,
    service_port,
)
from hoptac.platform.embedded import EmbeddedNats, EmbeddedPostgres, PortInUseError, port_is_free
from hoptac.platform.embedded.databases import database_url, ensure_database, run_coroutine
from hoptac.platform.embedded.nats_accounts import LIBRARY_USER, RELAY_USER, PlatformAccount
from hoptac.platform.embedded.ports import LOOPBACK
from hoptac.platform.embedded.processes import poll
from hoptac.platform.nats import shown
from hoptac.platform.service import ServiceSpec, Stack
from hoptac.platform.stack_file import RunningService as StackService
from hoptac.platform.stack_file import StackFile

_SUPERVISE_INTERVAL = 0.5
_A = TypeVar("_A")
_R = TypeVar("_R")
_NATS_PORT_HINT = "set HOPTAC_NATS_PORT, or HOPTAC_NATS_URL to use a running NATS"
_PG_PORT_HINT = "set HOPTAC_PG_PORT, or HOPTAC_DATABASE_URL to use a running server"


class StackError(Exception):
    """A failure the operator can act on: printed as a message, never as a traceback."""


class _StopRequested(BaseException):
    """Raised by the SIGINT/SIGTERM handler to unwind whatever the launcher is doing."""


@dataclass(frozen=True)
class NatsLogins:
    """The NATS URLs, with their logins: a service that publishes events gets the one user
    allowed to publish them (ServiceSpec.nats_user), every other the projections' login."""

    services: str
    others: dict[str, str]  # user → URL with its login

    def url_for(self, user: str) -> str:
        return self.others.get(user, self.services)


@dataclass
class RunningService:
    spec: ServiceSpec
    port: int
    http_processes: int
    database_url: str | None = None

    @property
    def http_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


def run_stack(
    specs: Sequence[ServiceSpec],
    settings: LauncherSettings | None = None,
    console: Console | None = None,
) -> int:
    """Run the stack made of `specs` until a stop is requested; return the exit code."""
    launcher = Launcher(specs, settings or LauncherSettings(), console or Console())
    try:
        return launcher.run()
    except _StopRequested:  # arrived while an error was being reported; all is stopped anyway
        return 1


class Launcher:
    def __init__(
        self, specs: Sequence[ServiceSpec], settings: LauncherSettings, console: Console
    ) -> None:
        self.settings = settings
        self.console = console
        self.var_dir = settings.var_dir.absolute()
        self.log_dir = self.var_dir / "log"
        self.services = [
            RunningService(spec, service_port(spec), service_http_processes(spec)) for spec in specs
        ]
        self.postgres: EmbeddedPostgres | None = None
        self.nats: EmbeddedNats | None = None
        self.children: list[Child] = []

    def run(self) -> int:
        previous_handlers = _trap_stop_signals()
        try:
            return self._run_until_stopped()
        finally:
            _ignore_stop_signals()  # a second Ctrl-C must not cut the shutdown short
            self._stop_everything()
            _restore_signal_handlers(previous_handlers)

    def _run_until_stopped(self) -> int:
        try:
            self._start()
            self._supervise()
        except _StopRequested:
            return 0
        except StackError as error:
            self.console.print(f"[bold red]error:[/] {escape(str(error))}")
            return 1
        return 0

    # --- starting --------------------------------------------------------------------------

    def _start(self) -> None:
        self._check_ports()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        nats = self._start_nats()
        server_url = self._start_postgres()
        for service in self.services:
            self._prepare_database(service, server_url)
        if self.services:
            names = ", ".join(s.spec.name for s in self.services)
            self.console.print(f"starting {names}…")
        for service in self.services:
            self._spawn(service, nats)
        self._wait_until_ready()
        for service in self.services:
            self._run_after_start(service, nats.services)
        self._write_stack_file(nats.services)
        self._print_summary(nats.services, server_url)

    def _write_stack_file(self, nats_url: str) -> None:
        """What the other `hoptac` commands read to work against this stack."""
        services = {
            s.spec.name: StackService(s.spec.env_prefix, s.http_url, s.database_url)
            for s in self.services
        }
        StackFile(os.getpid(), services, nats_url).write(self.var_dir)

    def _wanted_ports(self) -> list[tuple[int, str, str]]:
        """(port, who wants it, how to choose another) for everything we are about to start."""
        wanted = []
        if self.settings.nats_url is None:
            wanted.append((self.settings.nats_port, "NATS", _NATS_PORT_HINT))
        if self.settings.database_url is None:
            wanted.append((self.settings.pg_port, "PostgreSQL", _PG_PORT_HINT))
        for service in self.services:
            wanted.append((service.port, service.spec.name, f"set {port_variable(service.spec)}"))
        return wanted

    def _check_ports(self) -> None:
        problems = []
        claimed: dict[int, str] = {}
        for port, who, hint in self._wanted_ports():
            if port in claimed:
                problems.append(f"port {port} is wanted by both {claimed[port]} and {who}: {hint}")
            elif not port_is_free(port):
                problems.append(
                    f"port {port} on {LOOPBACK} ({who}) is already in use: stop the program "
                    f"that uses it, or {hint} to another port"
                )
            claimed[port] = who
        if problems:
            raise StackError("\n".join(problems))

    def _start_nats(self) -> NatsLogins:
        if self.settings.nats_url is not None:
            given = {RELAY_USER: self.settings.relay_nats_url}
            given[LIBRARY_USER] = self.settings.library_nats_url
            logins = {user: url for user, url in given.items() if url is not None}
            return NatsLogins(services=self.settings.nats_url, others=logins)
        account = PlatformAccount()
        self.nats = EmbeddedNats(
            self.var_dir / "nats",
            self.settings.nats_port,
            log_file=self.log_dir / "nats.log",
            account=account,
        )
        self._start_server("NATS", self.nats, _NATS_PORT_HINT)
        return NatsLogins(
            services=account.services_url(self.nats.url),
            others={user: account.url(user, self.nats.url) for user in account.passwords},
        )

    def _start_postgres(self) -> str:
        if self.settings.database_url is not None:
            return self.settings.database_url.rstrip("/")
        self.postgres = EmbeddedPostgres(
            self.var_dir / "postgres",
            self.settings.pg_port,
            log_file=self.log_dir / "postgres.log",
        )
        self._start_server("PostgreSQL", self.postgres, _PG_PORT_HINT)
        return self.postgres.server_url

    def _start_server(
        self, what: str, server: EmbeddedNats | EmbeddedPostgres, port_hint: str
    ) -> None:
        started = time.monotonic()
        try:
            server.start()
        except PortInUseError as error:  # taken since _check_ports looked
            raise StackError(f"{error}: {port_hint} to another port") from error
        except (RuntimeError, TimeoutError) as error:
            raise StackError(f"{what} did not start: {error}") from error
        self.console.print(
            f"{what} ready on port {server.port} ({time.monotonic() - started:.2f} s)"
        )

    def _prepare_database(self, service: RunningService, server_url: str) -> None:
        spec = service.spec
        if spec.database is None:
            return
        try:
            run_coroutine(ensure_database(server_url, spec.database))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise StackError(f"cannot reach PostgreSQL at {server_url}: {error}") from error
        service.database_url = database_url(server_url, spec.database)
        if spec.migrate is not None:
            what = f"migrating the {spec.name} database"
            self.console.print(f"{what}…")
            self._call_hook(what, spec.migrate, service.database_url)

    def _spawn(self, service: RunningService, nats: NatsLogins) -> None:
        spec = service.spec
        nats_url = nats.url_for(spec.nats_user)
        env = self._service_env(service, nats_url)
        if service.http_processes > 1:
            self._make_app_once(service, env)
        uvicorn = uvicorn_command(spec.asgi_app, service.port, service.http_processes)
        self.children.append(launch(spec.name, uvicorn, env, self.log_dir))
        for module in spec.workers:
            label = f"{spec.name}-{module.rsplit('.', 1)[-1]}"
            self.children.append(launch(label, [sys.executable, "-m", module], env, self.log_dir))

    def _make_app_once(self, service: RunningService, env: dict[str, str]) -> None:
        """uvicorn's supervisor restarts a process whose app cannot be made instead of exiting,
        which the launcher would only notice at the start timeout. Before a service starts in
        several processes, its app is made once in a short process of its own, so that a bad
        setting stops the stack at once, with the end of the service's log."""
        label = service.spec.name
        check = launch(label, app_check_command(service.spec.asgi_app), env, self.log_dir)
        try:
            code = check.process.wait(timeout=self.settings.start_timeout)
        except subprocess.TimeoutExpired:
            stop_children([check], self.settings.stop_timeout)
            raise StackError(
                f"{label}'s app was not made within {self.settings.start_timeout:g} s; "
                f"see {check.log_file}"
            ) from None
        if code != 0:
            raise StackError(
                f"{label} cannot start: its app cannot be made, so the stack stops. "
                f"The end of {check.log_file}:\n{check.tail()}"
            )

    def _service_env(self, service: RunningService, nats_url: str) -> dict[str, str]:
        others = {s.spec.name: s.http_url for s in self.services if s is not service}
        return service_environment(
            service.spec,
            service.port,
            nats_url,
            self.var_dir,
            service.database_url,
            others,
            self.settings.opensearch_url,
        )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.settings.start_timeout
        with httpx.Client(timeout=2.0) as client:
            for service in self.services:
                try:
                    poll(
                        partial(_is_ready, client, service),
                        timeout=max(deadline - time.monotonic(), 0.0),
                        what=f"{service.spec.name} ({service.http_url}/readyz)",
                        check=self._raise_if_something_died,
                    )
                except TimeoutError as error:
                    child = next(c for c in self.children if c.label == service.spec.name)
                    raise StackError(
                        f"{error}; the end of {child.log_file}:\n{child.tail()}"
                    ) from error
                self.console.print(f"{service.spec.name} ready at {service.http_url}")

    def _run_after_start(self, service: RunningService, nats_url: str) -> None:
        hook = service.spec.after_start
        if hook is None:
            return
        stack = Stack(self.var_dir, nats_url, service.database_url, service.http_url)
        what = f"the after-start step of {service.spec.name}"
        self.console.print(f"running {what}…")
        lines = self._call_hook(what, hook, stack)
        for line in lines:
            self.console.print(escape(line), soft_wrap=True)  # tokens must stay copyable

    def _call_hook(self, what: str, hook: Callable[[_A], _R], argument: _A) -> _R:
        try:
            return hook(argument)
        except Exception as error:
            self.console.print_exception()
            raise StackError(f"{what} failed: {error}") from error

    def _print_summary(self, nats_url: str, server_url: str) -> None:
        table = Table(title="hoptac is running")
        table.add_column("service")
        table.add_column("URL")
        table.add_column("API docs")
        for service in self.services:
            docs = f"{service.http_url}/docs" if service.spec.api_docs else "-"
            table.add_row(service.spec.name, service.http_url, docs)
        if self.services:
            self.console.print(table)
        else:
            self.console.print("No service is installed (entry-point group hoptac.services).")
        databases = ", ".join(s.spec.database for s in self.services if s.spec.database)
        postgres = escape(_without_password(server_url))
        self.console.print(f"NATS        {escape(shown(nats_url))}", soft_wrap=True)
        self.console.print(f"PostgreSQL  {postgres}  databases: {databases or '-'}", soft_wrap=True)
        self.console.print(f"logs        {self.log_dir}", soft_wrap=True)
        self.console.print("Press Ctrl-C to stop (the data in var/ is kept).")

    # --- running and stopping --------------------------------------------------------------

    def _supervise(self) -> None:
        """Restart a service or worker that exits, with backoff; only the death of an embedded
        server (which every service needs) stops the stack."""
        due: dict[str, float] = {}  # label -> when to start it again
        while True:
            self._raise_if_a_server_died()
            now = time.monotonic()
            for index, child in enumerate(self.children):
                code = child.process.poll()
                if code is None:
                    continue
                if child.label not in due:
                    delay = _restart_delay(child, now)
                    due[child.label] = now + delay
                    self.console.print(
                        f"[yellow]{escape(child.label)} exited with code {code}; restarting it "
                        f"in {delay:.0f} s[/] (its log: {child.log_file})",
                        soft_wrap=True,
                    )
                elif now >= due[child.label]:
                    del due[child.label]
                    self.children[index] = child.relaunch()
            time.sleep(_SUPERVISE_INTERVAL)

    def _raise_if_something_died(self) -> None:
        """While starting: a service that cannot start stops the stack, with its log."""
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                raise StackError(
                    f"{child.label} exited with code {code}, so the stack stops. "
                    f"The end of {child.log_file}:\n{child.tail()}"
                )
        self._raise_if_a_server_died()

    def _raise_if_a_server_died(self) -> None:
        for what, server in (("nats-server", self.nats), ("PostgreSQL", self.postgres)):
            if server is not None and server.pid is None:
                raise StackError(f"{what} stopped; see {server.log_file}")

    def _stop_everything(self) -> None:
        StackFile.remove(self.var_dir)
        if not (self.children or self.nats or self.postgres):
            return
        self.console.print("stopping…")
        timeout = self.settings.stop_timeout
        self._attempt("the services", lambda: stop_children(self.children, timeout))
        if self.nats is not None:
            self._attempt("NATS", self.nats.stop)
        if self.postgres is not None:
            self._attempt("PostgreSQL", self.postgres.stop)
        self.console.print("stopped; the data stays in " + str(self.var_dir))

    def _attempt(self, what: str, stop: Callable[[], None]) -> None:
        try:
            stop()
        except Exception as error:  # keep going: stopping the rest matters more
            self.console.print(f"[red]could not stop {what}:[/] {escape(repr(error))}")


# A crashed child is started again after 1 s, then 2, 4 … up to a minute while it keeps
# crashing; one that ran a minute or more counts as healthy again.
_RESTART_FIRST, _RESTART_MAX, _HEALTHY_AFTER = 1.0, 60.0, 60.0


def _restart_delay(child: Child, now: float) -> float:
    if now - child.started >= _HEALTHY_AFTER:
        child.restarts = 0
    return min(_RESTART_FIRST * 2.0**child.restarts, _RESTART_MAX)


def service_environment(
    spec: ServiceSpec,
    port: int,
    nats_url: str,
    var_dir: Path,
    database_url: str | None,
    others: dict[str, str],
    opensearch_url: str | None = None,
) -> dict[str, str]:
    """The variables a service reads through its own settings (prefix HOPTAC_<NAME>_), among
    them the URL of every other service (`others`: name -> base URL), e.g.
    HOPTAC_SEARCH_REGISTRY_URL, for ports chosen at run time."""
    prefix = spec.env_prefix
    env = {
        **spec.extra_env,
        f"{prefix}HOST": LOOPBACK,
        f"{prefix}PORT": str(port),
        f"{prefix}NATS_URL": nats_url,
        f"{prefix}VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",  # logs appear as they are written
    }
    for name, url in others.items():
        env[f"{prefix}{name.upper()}_URL"] = url
    if database_url is not None:
        env[f"{prefix}DATABASE_URL"] = database_url
    if opensearch_url is not None:
        env[f"{prefix}OPENSEARCH_URL"] = opensearch_url
    return env


# Makes a service's app as uvicorn's --factory would, and exits.
_MAKE_APP = (
    "import importlib, sys; module, _, factory = sys.argv[1].partition(':'); "
    "getattr(importlib.import_module(module), factory)()"
)


def app_check_command(asgi_app: str) -> list[str]:
    return [sys.executable, "-c", _MAKE_APP, asgi_app]


def uvicorn_command(asgi_app: str, port: int, processes: int = 1) -> list[str]:
    options = ["--factory", asgi_app, "--host", LOOPBACK, "--port", str(port)]
    # Several processes share the port: uvicorn's supervisor starts them, restarts one that
    # dies and stops them all when the launcher stops it.
    if processes > 1:
        options += ["--workers", str(processes)]
    # Connections beyond the limit get a 503 rather than memory; idle ones close after 5 s.
    limits = ["--limit-concurrency", "1000", "--timeout-keep-alive", "5"]
    # Within the launcher's stop timeout, so open connections do not earn a SIGKILL.
    return [
        sys.executable,
        "-m",
        "uvicorn",
        *options,
        *limits,
        "--timeout-graceful-shutdown",
        "5",
    ]


def _is_ready(client: httpx.Client, service: RunningService) -> bool:
    try:
        return client.get(f"{service.http_url}/readyz").status_code == 200
    except httpx.HTTPError:
        return False


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


# --- signals ---------------------------------------------------------------------------------

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _request_stop(signum: int, frame: FrameType | None) -> None:
    raise _StopRequested


def _trap_stop_signals() -> dict[int, Any]:
    return {signum: signal.signal(signum, _request_stop) for signum in _STOP_SIGNALS}


def _ignore_stop_signals() -> None:
    for signum in _STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _restore_signal_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
