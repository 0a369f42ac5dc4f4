"""How `hoptac run` starts the search service (entry point `hoptac.services: search`)."""

from __future__ import annotations

from hoptac.platform.service import ServiceSpec

SERVICE = ServiceSpec(
    name="search",
    port=8002,
    env_prefix="HOPTAC_SEARCH_",
    asgi_app="hoptac.search.entrypoints.http.app:create_app",
)
