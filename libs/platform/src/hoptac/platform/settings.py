"""The settings every service shares. Each service subclasses `ServiceSettings` once, with its own
env prefix (`HOPTAC_REGISTRY_`, …); nothing else in a service reads the environment."""

from __future__ import annotations

from pathlib import Path

from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from hoptac.platform.changelog import read_token_file
from hoptac.platform.guard import HttpGuard, RateLimits
from hoptac.platform.stack_file import StackFileSource


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then the stack `hoptac run` started (so that a
        command works against it), then the defaults."""
        return (
            init_settings,
            env_settings,
            StackFileSource(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )

    host: str = "127.0.0.1"
    port: int
    nats_url: str = "nats://127.0.0.1:4222"
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    # Per client (its token, else its address), per process; generous for the local default.
    rate_limit_reads: str = Field(default="6000/minute", description="e.g. 600/minute")
    rate_limit_writes: str = Field(default="1200/minute")
    rate_limit_auth_failures: str = Field(
        default="30/minute", description="failed authentications per address"
    )
    rate_limit_exempt: list[str] = Field(
        default_factory=list,
        description='Addresses not rate-limited, as JSON: ["10.0.3.7"], the portal\'s (it serves '
        "many readers from one address and limits them itself).",
    )
    metrics_token: str | None = Field(
        default=None, description="When set, GET /metrics needs Authorization: Bearer <it>."
    )

    @field_validator("rate_limit_reads", "rate_limit_writes", "rate_limit_auth_failures")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse(value)  # raises ValueError with the reason
        return value

    def http_guard(self) -> HttpGuard:
        limits = RateLimits(
            self.rate_limit_reads,
            self.rate_limit_writes,
            self.rate_limit_auth_failures,
            frozenset(self.rate_limit_exempt),
        )
        return HttpGuard(rate_limits=limits, metrics_token=self.metrics_token)


class ProjectionSettings(ServiceSettings):
    """What every projection of the registry (search, reporting, notifications) also needs:
    the registry's change log, to rebuild and backfill, and the shared stream consumer."""

    var_dir: Path = Field(default=Path("var"), description="The launcher's var/ directory.")
    registry_url: str = "http://127.0.0.1:8001"
    registry_token: str | None = Field(
        default=None,
        description="A registry token for GET /v1/changes; default: <var_dir>/service-token, "
        "which `hoptac run` writes.",
    )
    consumer_batch_size: int = Field(default=256, gt=0)
    consumer_max_tries: int = Field(
        default=5, gt=0, description="Deliveries of a failing message before it is dead-lettered."
    )
    consumer_ack_wait: float = Field(default=30.0, gt=0)

    def change_log_token(self) -> str | None:
        return self.registry_token or read_token_file(self.var_dir / "service-token")
