"""How `hoptac run` starts the reporting service (entry point `hoptac.services: reporting`).

The event consumer runs inside the HTTP process (see entrypoints/consumer.py), so its metrics
are on the same /metrics and its health on the same /readyz.
"""

from __future__ import annotations

from hoptac.platform.service import ServiceSpec
from hoptac.reporting.adapters.migrations import migrate

SERVICE = ServiceSpec(
    name="reporting",
    port=8003,
    env_prefix="HOPTAC_REPORTING_",
    asgi_app="hoptac.reporting.entrypoints.http.app:create_app",
    database="hoptac_reporting",
    migrate=migrate,
)
