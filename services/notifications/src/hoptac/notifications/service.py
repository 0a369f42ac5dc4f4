"""How `hoptac run` starts notifications (entry point `hoptac.services: notifications`)."""

from __future__ import annotations

from hoptac.notifications.adapters.migrations import migrate
from hoptac.platform.service import ServiceSpec

SERVICE = ServiceSpec(
    name="notifications",
    port=8004,
    env_prefix="HOPTAC_NOTIFICATIONS_",
    asgi_app="hoptac.notifications.entrypoints.http.app:create_app",
    database="hoptac_notifications",
    workers=("hoptac.notifications.entrypoints.worker",),
    migrate=migrate,
)
