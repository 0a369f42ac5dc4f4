"""The reporting service's settings, read once at start from HOPTAC_REPORTING_* variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hoptac.platform.settings import ProjectionSettings


class ReportingSettings(ProjectionSettings):
    model_config = SettingsConfigDict(env_prefix="HOPTAC_REPORTING_", extra="ignore", frozen=True)

    port: int = 8003
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/hoptac_reporting"
    database_pool_size: int = Field(default=10, gt=0)
    answer_cache_size: int = Field(
        default=256,
        ge=0,
        description="Answers kept while the projection is unchanged (exact); 0 turns it off.",
    )
    in_memory: bool = Field(
        default=True,
        description="Answer from an exact in-memory copy of the timeline while it is current.",
    )
    memory_refresh_seconds: float = Field(
        default=1.0,
        ge=0,
        description="At most one reload of the in-memory copy per this many seconds.",
    )
    consume: bool = Field(
        default=True, description="Run the event consumer inside the HTTP process."
    )
    consumer_durable: str = "reporting"
    # Deliveries before a message is dead-lettered: 10 rides out about three minutes of a
    # database outage (retry delays 0.5 s, 1 s, 2 s … capped at a minute).
    consumer_max_tries: int = Field(default=10, gt=0)
