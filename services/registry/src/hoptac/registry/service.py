"""How `hoptac run` starts the registry (entry point `hoptac.services: registry`)."""

from __future__ import annotations

from hoptac.platform.service import ServiceSpec, Stack
from hoptac.registry.adapters.migrations import migrate


def after_start(stack: Stack) -> list[str]:
    from hoptac.registry.entrypoints.cli import prepare_local_stack

    return prepare_local_stack(stack)


SERVICE = ServiceSpec(
    name="registry",
    port=8001,
    env_prefix="HOPTAC_REGISTRY_",
    asgi_app="hoptac.registry.entrypoints.http.app:create_app",
    # Two processes: one bounds an import's dry run (docs/operations.md, "The registry in two
    # processes", says why two answer as one).
    http_processes=2,
    database="hoptac_registry",
    workers=("hoptac.registry.entrypoints.relay",),
    migrate=migrate,
    after_start=after_start,
    nats_user="relay",  # its relay publishes the events
)
