"""`hoptac run`'s launcher, run for real in a subprocess with the tiny service of dummy_service.py:
real PostgreSQL, real NATS, a real uvicorn and a worker process."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from hoptac.platform.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from hoptac.platform.embedded.processes import is_alive
from hoptac.platform.testing import wait_until

pytestmark = pytest.mark.e2e

TESTS_DIR = Path(__file__).parent
LAUNCH = (
    "import sys, dummy_service\n"
    "from hoptac.cli.launcher import run_stack\n"
    "spec = dummy_service.spec(\n"
    "    int(sys.argv[1]), broken=sys.argv[2] == 'broken', http_processes=int(sys.argv[3])\n"
    ")\n"
    "sys.exit(run_stack([spec]))\n"
)


@dataclass
class Ports:
    service: int
    postgres: int
    nats: int


@dataclass
class Launch:
    process: subprocess.Popen[bytes]
    output: Path

    def text(self) -> str:
        return self.output.read_text()

    async def wait_ready(self) -> None:
        await wait_until(
            lambda: "Press Ctrl-C" in self.text() or self.process.poll() is not None,
            timeout=60,
            message="the launcher did not report a running stack",
        )
        assert self.process.poll() is None, self.text()

    async def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        await wait_until(lambda: self.process.poll() is not None, timeout=60)
        return self.process.returncode

    def pids(self) -> list[int]:
        """Everything the launcher started: services, workers, nats-server, the postmaster and
        its backends."""
        return [p.pid for p in psutil.Process(self.process.pid).children(recursive=True)]

    def postmaster(self, var_dir: Path) -> int:
        return int((var_dir / "postgres" / "postmaster.pid").read_text().split()[0])


StartLaunch = Callable[..., Launch]


@pytest.fixture
def var_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="hoptac-launcher-"))
    base.chmod(0o755)  # the PostgreSQL server runs as another user when we are root
    yield base / "var"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def ports() -> Ports:
    return Ports(service=free_port(), postgres=free_port(), nats=free_port())


@pytest.fixture
def launch(var_dir: Path, ports: Ports) -> Iterator[StartLaunch]:
    launches: list[Launch] = []

    def start(
        *, broken: bool = False, processes: int = 2, extra_env: dict[str, str] | None = None
    ) -> Launch:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")]),
            "HOPTAC_VAR_DIR": str(var_dir),
            "HOPTAC_PG_PORT": str(ports.postgres),
            "HOPTAC_NATS_PORT": str(ports.nats),
            "HOPTAC_DUMMY_PORT": str(ports.service),
            **(extra_env or {}),
        }
        output = var_dir.parent / f"launcher-{len(launches)}.out"
        with output.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-c", LAUNCH, "0", "broken" if broken else "ok", str(processes)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        launches.append(Launch(process, output))
        return launches[-1]

    yield start
    for leftover in launches:  # a failed test must not leave a stack running
        if leftover.process.poll() is None:
            leftover.process.send_signal(signal.SIGTERM)
            leftover.process.wait(60)


async def count_runs(ports: Ports) -> int:
    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{ports.postgres}/dummy")
    try:
        return int(await conn.fetchval("select count(*) from runs"))
    finally:
        await conn.close()


async def test_run_serves_the_service_and_sigterm_leaves_no_process_behind(
    launch: StartLaunch, var_dir: Path, ports: Ports
) -> None:
    stack = launch()
    await stack.wait_ready()

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.service}") as client:
        env = (await client.get("/env")).json()
    # NATS runs with the platform's account: a service logs in as `platform`, which may not
    # publish events (only the registry's relay may), and the password is never printed.
    nats_login = re.fullmatch(
        rf"nats://platform:(?P<password>[0-9a-f]{{48}})@127\.0\.0\.1:{ports.nats}",
        env.pop("HOPTAC_DUMMY_NATS_URL"),
    )
    assert nats_login is not None
    assert nats_login["password"] not in stack.text()
    assert env == {
        "HOPTAC_DUMMY_HOST": "127.0.0.1",
        "HOPTAC_DUMMY_PORT": str(ports.service),
        "HOPTAC_DUMMY_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{ports.postgres}/dummy",
        "HOPTAC_DUMMY_VAR_DIR": str(var_dir),
        "HOPTAC_DUMMY_GREETING": "xin chào",
    }
    assert f"dummy answers at http://127.0.0.1:{ports.service}" in stack.text()
    # What it does between the servers' start and "running" is said as it happens.
    progress = [
        "PostgreSQL ready",
        "migrating the dummy database…",
        "starting dummy…",
        f"dummy ready at http://127.0.0.1:{ports.service}",
        "running the after-start step of dummy…",
        "hoptac is running",
    ]
    positions = [stack.text().find(line) for line in progress]
    assert -1 not in positions, stack.text()
    assert positions == sorted(positions), stack.text()
    assert await count_runs(ports) == 1  # migrate ran before the service started
    pids = stack.pids()
    assert len(pids) >= 6  # uvicorn and its 2 processes, the worker, nats-server, the postmaster
    uvicorn = next(
        p for p in psutil.Process(stack.process.pid).children() if "uvicorn" in p.cmdline()
    )
    assert len([p for p in uvicorn.children() if "--multiprocessing-fork" in p.cmdline()]) == 2
    assert stack.postmaster(var_dir) in pids  # in the launcher's tree, not left to init

    assert await stack.stop(signal.SIGTERM) == 0
    assert [pid for pid in pids if is_alive(pid)] == []
    assert (var_dir / "postgres" / "PG_VERSION").exists()
    assert (var_dir / "nats" / "jetstream").is_dir()
    assert (var_dir / "log" / "dummy.log").exists()
    assert (var_dir / "log" / "dummy-dummy_service.log").exists()


async def test_a_killed_launcher_leaves_nothing_running(launch: StartLaunch, var_dir: Path) -> None:
    stack = launch()
    await stack.wait_ready()
    pids = stack.pids()
    assert stack.postmaster(var_dir) in pids

    assert await stack.stop(signal.SIGKILL) == -signal.SIGKILL
    # The kernel tells each child that its parent died: PostgreSQL shuts down fast, the rest
    # stop; none keeps a port for the next run.
    await wait_until(
        lambda: [pid for pid in pids if is_alive(pid)] == [],
        timeout=30,
        message="the launcher's children to stop after it was killed",
    )


async def test_a_second_run_finds_the_data_of_the_first(launch: StartLaunch, ports: Ports) -> None:
    first = launch()
    await first.wait_ready()
    assert await first.stop(signal.SIGINT) == 0  # Ctrl-C

    second = launch()
    await second.wait_ready()
    assert await count_runs(ports) == 2
    assert await second.stop() == 0


async def test_a_port_in_use_is_named_with_the_variable_that_moves_it(
    launch: StartLaunch, ports: Ports
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports.service))
        squatter.listen()
        stack = launch()
        await wait_until(lambda: stack.process.poll() is not None, timeout=30)
    output = stack.text()
    assert stack.process.returncode == 1
    assert f"port {ports.service} on 127.0.0.1 (dummy) is already in use" in output
    assert "HOPTAC_DUMMY_PORT" in output
    assert "Traceback" not in output


async def test_a_service_that_dies_at_start_stops_the_stack_and_shows_its_log(
    launch: StartLaunch, var_dir: Path
) -> None:
    stack = launch(broken=True, processes=1)
    await wait_until(lambda: stack.process.poll() is not None, timeout=60)
    output = stack.text()
    assert stack.process.returncode == 1, output
    assert "dummy exited with code" in output
    assert "the dummy service cannot start" in output  # the tail of its log
    assert not (var_dir / "postgres" / "postmaster.pid").exists()  # PostgreSQL was stopped


async def test_a_service_in_two_processes_whose_app_cannot_be_made_stops_the_stack_at_once(
    launch: StartLaunch, var_dir: Path
) -> None:
    # uvicorn's supervisor would restart a process whose app cannot be made until the start
    # timeout: the app is made once first, and its failure stops the stack with its log.
    stack = launch(broken=True)
    await wait_until(lambda: stack.process.poll() is not None, timeout=60)
    output = stack.text()
    assert stack.process.returncode == 1, output
    assert "dummy cannot start: its app cannot be made" in output
    assert "the dummy service cannot start" in output  # the tail of its log
    assert not (var_dir / "postgres" / "postmaster.pid").exists()  # PostgreSQL was stopped


async def test_external_servers_are_used_instead_of_starting_them(
    launch: StartLaunch,
    var_dir: Path,
    ports: Ports,
    pg_server: EmbeddedPostgres,
    nats_server: EmbeddedNats,
) -> None:
    stack = launch(
        extra_env={"HOPTAC_DATABASE_URL": pg_server.server_url, "HOPTAC_NATS_URL": nats_server.url}
    )
    await stack.wait_ready()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.service}") as client:
        env = (await client.get("/env")).json()
    assert env["HOPTAC_DUMMY_NATS_URL"] == nats_server.url
    assert env["HOPTAC_DUMMY_DATABASE_URL"] == pg_server.url("dummy")
    assert await stack.stop(signal.SIGTERM) == 0
    assert not (var_dir / "postgres").exists()
    assert not (var_dir / "nats").exists()
    assert pg_server.pid is not None  # external servers are not ours to stop
    assert nats_server.pid is not None


async def test_a_crashed_service_is_restarted_and_the_stack_goes_on(
    launch: StartLaunch, ports: Ports
) -> None:
    stack = launch()
    await stack.wait_ready()
    children = psutil.Process(stack.process.pid).children()
    (api,) = [c for c in children if "uvicorn" in " ".join(c.cmdline())]
    # Its two processes (and multiprocessing's resource tracker), which the kill leaves running.
    serving = api.children()
    assert len([p for p in serving if "--multiprocessing-fork" in p.cmdline()]) == 2
    api.kill()

    async def answers_again() -> bool:
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.service}") as client:
                return (await client.get("/env")).status_code == 200
        except httpx.TransportError:
            return False

    await wait_until(lambda: "dummy exited with code -9; restarting it in 1 s" in stack.text())
    await wait_until(
        lambda: [p.pid for p in serving if is_alive(p.pid)] == [],
        message="what the killed uvicorn left behind to end before its restart",
    )
    await wait_until(answers_again, timeout=60, message="the dummy service did not come back")
    assert stack.process.poll() is None
    assert await stack.stop() == 0


async def test_commands_find_the_running_stack_and_hoptac_stop_stops_it(
    launch: StartLaunch, var_dir: Path, ports: Ports
) -> None:
    stack = launch()
    await stack.wait_ready()
    stack_file = json.loads((var_dir / "stack.json").read_text())
    assert stack_file["launcher_pid"] == stack.process.pid
    service = stack_file["services"]["dummy"]
    assert service["url"] == f"http://127.0.0.1:{ports.service}"
    assert service["database_url"].endswith(f":{ports.postgres}/dummy")

    env = {**os.environ, "HOPTAC_VAR_DIR": str(var_dir)}
    # The reader's NATS login, for following docs/nats-access.md against this stack.
    nats_url = await asyncio.to_thread(hoptac, env, "nats-url")
    assert re.fullmatch(
        rf"nats://platform:[0-9a-f]{{48}}@127\.0\.0\.1:{ports.nats}\n", nats_url.stdout
    )
    stopped = await asyncio.to_thread(hoptac, env, "stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert await asyncio.to_thread(stack.process.wait, 10) == 0
    assert not (var_dir / "stack.json").exists()
    again = await asyncio.to_thread(hoptac, env, "stop")
    assert again.returncode == 1
    assert "no stack is running" in again.stdout
    gone = await asyncio.to_thread(hoptac, env, "nats-url")
    assert (gone.returncode, gone.stdout) == (1, "")


def hoptac(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "hoptac.cli.main", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)
