"""Real PostgreSQL and NATS servers from pip wheels, for `hoptac run` and the test fixtures."""

from hoptac.platform.embedded.databases import database_url, ensure_database
from hoptac.platform.embedded.nats import EmbeddedNats
from hoptac.platform.embedded.ports import PortInUseError, free_port, port_is_free
from hoptac.platform.embedded.postgres import EmbeddedPostgres

__all__ = [
    "EmbeddedNats",
    "EmbeddedPostgres",
    "PortInUseError",
    "database_url",
    "ensure_database",
    "free_port",
    "port_is_free",
]
