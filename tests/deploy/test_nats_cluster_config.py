"""deploy/nats/cluster.conf, as committed, makes a three-node JetStream cluster: three real
nats-servers on loopback (only their addresses, ports and stores changed) elect a leader, the
relay makes COOP_ORG_V1 at R3 on it, and an event published on one node is stored on all three."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
import pytest

from hoptac.contracts.events import STREAM
from hoptac.platform.embedded.nats import nats_server_binary
from hoptac.platform.embedded.ports import LOOPBACK, free_port
from hoptac.platform.embedded.processes import log_tail, poll, stop_child
from hoptac.platform.testing import wait_until
from hoptac.registry.adapters.jetstream import ensure_stream, stream_config

from .metrics import ROOT

pytestmark = pytest.mark.integration

NODES = 3
RELAY_PASSWORD = "relay-cluster-test"
PASSWORDS = {
    "RELAY_NATS_PASSWORD": f'"{RELAY_PASSWORD}"',
    "LIBRARY_NATS_PASSWORD": '"library-cluster-test"',
    "PLATFORM_NATS_PASSWORD": '"platform-cluster-test"',
    "AGENCY_TAX_PASSWORD": '"agency-tax-cluster-test"',
}


@dataclass(frozen=True)
class Node:
    name: str
    port: int
    http_port: int
    route_port: int


def substitute(text: str, replacements: dict[str, str], file: str) -> str:
    for pattern, replacement in replacements.items():
        text, count = re.subn(pattern, replacement, text)
        assert count == 1, f"deploy/nats/{file} no longer has one line matching {pattern}"
    return text


def node_config(conf_dir: Path, node: Node, nodes: list[Node]) -> None:
    """The committed files, moved to this node's loopback ports and store."""
    nats_conf = conf_dir / "nats.conf"
    nats_conf.write_text(
        substitute(
            nats_conf.read_text(),
            {
                r"(?m)^port: \d+": f"host: {LOOPBACK}\nport: {node.port}",
                r"(?m)^http_port: \d+": f"http_port: {node.http_port}",
                r"(?m)^(\s*)store_dir: \S+": rf"\g<1>store_dir: {conf_dir / 'store'}",
            },
            "nats.conf",
        )
    )
    cluster_conf = conf_dir / "cluster.conf"
    routes = {
        rf"nats-route://nats-{index}\.nats:6222": f"nats-route://{LOOPBACK}:{peer.route_port}"
        for index, peer in enumerate(nodes)
    }
    cluster_conf.write_text(
        substitute(
            cluster_conf.read_text(),
            {r"(?m)^  port: 6222$": f"  host: {LOOPBACK}\n  port: {node.route_port}", **routes},
            "cluster.conf",
        )
    )


def healthy(http_port: int) -> bool:
    try:
        url = f"http://{LOOPBACK}:{http_port}/healthz?js-enabled-only=true"
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def running_cluster(workdir: Path) -> Iterator[list[Node]]:
    nodes = [Node(f"nats-{index}", free_port(), free_port(), free_port()) for index in range(NODES)]
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for node in nodes:
            conf_dir = workdir / node.name
            shutil.copytree(ROOT / "deploy" / "nats", conf_dir)
            node_config(conf_dir, node, nodes)
            env = {key: value for key, value in os.environ.items() if "PASSWORD" not in key}
            log = conf_dir / "nats-server.log"
            with log.open("ab") as out:
                process = subprocess.Popen(
                    [str(nats_server_binary()), "-c", str(conf_dir / "cluster.conf")],
                    env={**env, **PASSWORDS, "NATS_SERVER_NAME": node.name},
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            processes.append((process, log))
        for node, (process, log) in zip(nodes, processes, strict=True):

            def exited(process: subprocess.Popen[bytes] = process, log: Path = log) -> None:
                if process.poll() is not None:
                    raise RuntimeError(f"nats-server exited; its log ends with:\n{log_tail(log)}")

            poll(
                lambda node=node: healthy(node.http_port), timeout=30, what=node.name, check=exited
            )
        yield nodes
    finally:
        for process, _ in processes:
            stop_child(process)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Node]]:
    with running_cluster(tmp_path_factory.mktemp("deploy-nats-cluster")) as nodes:
        yield nodes


@pytest.fixture
async def relay(cluster: list[Node]) -> AsyncIterator[nats.NATS]:
    servers = [f"nats://{LOOPBACK}:{node.port}" for node in cluster]
    nc = await nats.connect(servers, user="relay", password=RELAY_PASSWORD)
    yield nc
    await nc.drain()


async def test_the_committed_cluster_configuration_keeps_the_stream_on_three_nodes(
    cluster: list[Node], relay: nats.NATS
) -> None:
    js = relay.jetstream()

    async def stream_made() -> bool:
        try:
            await ensure_stream(js, stream_config(1, 120, replicas=NODES))
        except nats.errors.Error:
            return False  # no JetStream leader elected yet
        return True

    await wait_until(stream_made, timeout=30, message="COOP_ORG_V1 made at R3")
    ack = await js.publish("coop.v1.org.registered.96", b"{}", headers={"Nats-Msg-Id": "1"})
    assert ack.stream == STREAM

    async def on_every_node() -> bool:
        info = await js.stream_info(STREAM)
        assert info.cluster is not None
        peers = [info.cluster.leader, *(r.name for r in info.cluster.replicas or [] if r.current)]
        return info.config.num_replicas == NODES and sorted(peers) == [n.name for n in cluster]

    await wait_until(on_every_node, timeout=30, message="the stream current on all three nodes")
