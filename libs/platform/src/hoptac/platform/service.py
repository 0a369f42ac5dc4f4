"""How a service tells the launcher what it needs and how to start it.

Each service package publishes one `ServiceSpec` under the entry-point group `hoptac.services`;
`hoptac run` starts every service it finds there, so a new service needs no launcher change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SERVICES_ENTRY_POINT_GROUP = "hoptac.services"


@dataclass(frozen=True)
class Stack:
    """What a running local stack offers to the hooks of one service."""

    var_dir: Path
    nats_url: str
    database_url: str | None  # the service's own database, as a SQLAlchemy asyncpg URL
    http_url: str  # base URL of the service itself, e.g. http://127.0.0.1:8001


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    env_prefix: str
    asgi_app: str  # "module:factory" for uvicorn --factory
    database: str | None = None  # name of the database the service owns, if any
    workers: tuple[str, ...] = ()  # modules run as `python -m <module>` beside the HTTP process
    migrate: Callable[[str], None] | None = (
        None  # brings the schema of this database URL up to date
    )
    after_start: Callable[[Stack], list[str]] | None = (
        None  # returns lines to print to the operator
    )
    extra_env: dict[str, str] = field(default_factory=dict)
    # The NATS login it gets (embedded/nats_accounts.py): "relay" for the registry's events,
    # "library" for the library's, "platform" (consume only) for every other.
    nats_user: str = "platform"
    api_docs: bool = True  # serves Swagger UI at /docs (the portal serves pages, not an API)
    # Processes serving the HTTP API (uvicorn's --workers); `<env_prefix>HTTP_PROCESSES` overrides.
    # More than one only where all the service's state is shared, not kept in a process.
    http_processes: int = 1
