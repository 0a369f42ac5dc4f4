"""The registry's settings, read once at start from HOPTAC_REGISTRY_* variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hoptac.platform.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOPTAC_REGISTRY_", extra="ignore", frozen=True)

    port: int = 8001
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/hoptac_registry"
    database_pool_size: int = Field(default=10, gt=0)
    token_cache_seconds: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="How long a checked token is trusted before a new lookup; a revocation "
        "empties the cache at once, this bounds the delay when its notice is lost.",
    )
    token_expiry_warning_days: int = Field(
        default=30, ge=0, description="Answers carry Hoptac-Token-Expires this long before."
    )
    session_minutes: int = Field(
        default=480,
        ge=5,
        le=7 * 24 * 60,
        description="A signed-in person's session ends this long after sign-in.",
    )
    sign_in_free_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins in a row an account may make freely."
    )
    sign_in_first_delay_seconds: int = Field(
        default=5, ge=1, description="The wait after the last free failure, doubled each time."
    )
    sign_in_max_delay_seconds: int = Field(default=120, ge=1)
    sign_in_lock_after: int = Field(
        default=10, ge=1, description="Failures in a row that lock the account for a while."
    )
    sign_in_lock_minutes: int = Field(default=15, ge=1)
    sign_in_address_factor: int = Field(
        default=4,
        ge=1,
        description="An address (which several people may share) may fail this many times "
        "more often than one account before it waits.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1"],
        description="Addresses (the portal's) whose X-Forwarded-For names the person signing "
        'in, as JSON: ["10.0.3.7"]; failed sign-ins are counted per that address.',
    )
    similar_name_threshold: float = Field(default=0.6, gt=0, le=1)
    restricted_records_per_hour: int = Field(
        default=2000,
        gt=0,
        description="Records whose restricted fields (ID numbers, phones) one token may read in "
        "a list, per hour (one quota shared by all the registry's processes).",
    )
    max_event_bytes: int = Field(
        default=512 * 1024,
        gt=0,
        description="A change whose event body would be larger is refused (422); keep it well "
        "under NATS's max_payload (1 MiB by default).",
    )
    batch_max_rows: int = Field(
        default=1000,
        gt=0,
        le=100_000,
        description="Rows one POST /v1/organizations/batch may carry; they share one "
        "transaction, so more rows hold their records locked longer.",
    )
    batch_max_body_bytes: int = Field(
        default=16_000_000, gt=0, description="The largest body of a batch request."
    )
    # The relay, a separate process (`python -m hoptac.registry.entrypoints.relay`).
    relay_batch_size: int = Field(default=256, gt=0)
    relay_poll_seconds: float = Field(default=1.0, gt=0)
    relay_coalesce_seconds: float = Field(
        default=0.005,
        ge=0,
        description="Wait after a commit so commits close together share a batch.",
    )
    relay_port: int = Field(default=8101, description="The relay's /healthz, /readyz, /metrics.")
    outbox_max_age_seconds: float = Field(
        default=60.0,
        gt=0,
        description="An event waiting longer than this to be published turns the registry's and "
        "the relay's readiness red.",
    )
    stream_max_age_days: int = Field(default=365, gt=0)
    stream_duplicate_window_seconds: int = Field(default=1200, gt=0)
    stream_replicas: int = Field(
        default=1,
        ge=1,
        le=5,
        description="Copies of the stream on a NATS cluster: 3 in production (R3), 1 alone.",
    )
