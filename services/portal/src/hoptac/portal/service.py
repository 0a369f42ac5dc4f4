"""How `hoptac run` starts the portal (entry point `hoptac.services: portal`).

Port 8000 is the lowest of the stack, so the launcher lists the portal first.
"""

from __future__ import annotations

from hoptac.platform.service import ServiceSpec

SERVICE = ServiceSpec(
    name="portal",
    port=8000,
    env_prefix="HOPTAC_PORTAL_",
    asgi_app="hoptac.portal.entrypoints.http.app:create_app",
    api_docs=False,
)
