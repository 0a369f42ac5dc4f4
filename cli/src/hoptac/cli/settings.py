"""What `hoptac run` reads from the environment: one settings object, read once at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hoptac.platform.service import ServiceSpec


class LauncherSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOPTAC_", extra="ignore", frozen=True)

    var_dir: Path = Field(
        default=Path("var"), description="databases, streams, logs and the admin token"
    )
    nats_url: str | None = Field(default=None, description="use this NATS instead of starting one")
    relay_nats_url: str | None = Field(
        default=None,
        description="with nats_url: the login of the registry's relay, the only user that may "
        "publish events (docs/nats-access.md); default nats_url",
    )
    library_nats_url: str | None = Field(
        default=None,
        description="with nats_url: the login of the library, the only user that may publish "
        "its events (docs/nats-access.md); default nats_url",
    )
    database_url: str | None = Field(
        default=None,
        description="use this PostgreSQL server instead of starting one, e.g. "
        "postgresql+asyncpg://user:password@host:5432 (each service's database name is appended)",
    )
    nats_port: int = 4222
    pg_port: int = 5432
    opensearch_url: str | None = Field(
        default=None, description="passed to the services as <PREFIX>OPENSEARCH_URL"
    )
    start_timeout: float = Field(default=60.0, gt=0, description="seconds to wait for /readyz")
    stop_timeout: float = Field(default=10.0, gt=0, description="seconds from SIGTERM to SIGKILL")


class _ServiceOverride(BaseSettings):
    """What the environment may change in how the launcher starts one service."""

    model_config = SettingsConfigDict(extra="ignore")

    port: int | None = None
    http_processes: int | None = Field(default=None, ge=1, le=16)


def _override(spec: ServiceSpec) -> _ServiceOverride:
    return _ServiceOverride(_env_prefix=spec.env_prefix)  # type: ignore[call-arg]


def service_port(spec: ServiceSpec) -> int:
    """The service's port: `<its env prefix>PORT` (e.g. HOPTAC_REGISTRY_PORT) or its default."""
    override = _override(spec).port
    return override if override is not None else spec.port


def service_http_processes(spec: ServiceSpec) -> int:
    """How many processes serve its HTTP API: `<its env prefix>HTTP_PROCESSES` (e.g.
    HOPTAC_REGISTRY_HTTP_PROCESSES=1) or its default."""
    override = _override(spec).http_processes
    return override if override is not None else spec.http_processes


def port_variable(spec: ServiceSpec) -> str:
    return f"{spec.env_prefix}PORT"
