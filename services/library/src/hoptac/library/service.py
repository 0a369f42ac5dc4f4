"""How `hoptac run` starts the library (entry point `hoptac.services: library`)."""

from __future__ import annotations

from hoptac.library.adapters.migrations import migrate
from hoptac.platform.service import ServiceSpec

SERVICE = ServiceSpec(
    name="library",
    port=8006,
    env_prefix="HOPTAC_LIBRARY_",
    asgi_app="hoptac.library.entrypoints.http.app:create_app",
    database="hoptac_library",
    migrate=migrate,
    nats_user="library",  # publishes on library.v1.> and nothing else
)
