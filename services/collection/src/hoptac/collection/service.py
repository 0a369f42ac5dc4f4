"""How `hoptac run` starts collection (entry point `hoptac.services: collection`)."""

from __future__ import annotations

from hoptac.collection.adapters.migrations import migrate
from hoptac.platform.service import ServiceSpec

SERVICE = ServiceSpec(
    name="collection",
    port=8005,
    env_prefix="HOPTAC_COLLECTION_",
    asgi_app="hoptac.collection.entrypoints.http.app:create_app",
    database="hoptac_collection",
    migrate=migrate,
)
