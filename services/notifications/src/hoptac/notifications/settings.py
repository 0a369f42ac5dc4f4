"""Settings of the notifications service, read once at start from HOPTAC_NOTIFICATIONS_*."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from hoptac.platform.settings import ProjectionSettings


class NotificationsSettings(ProjectionSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOPTAC_NOTIFICATIONS_", extra="ignore", frozen=True
    )

    port: int = 8004
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/hoptac_notifications"
    database_pool_size: int = Field(default=10, gt=0)
    # The registry (registry_url) also says who a token belongs to, remembered this long: a
    # revoked token keeps working here at most this long.
    token_cache_seconds: float = Field(default=0.5, ge=0)

    # Limits per agency (the token's name). Generous defaults; lower them in production.
    max_subscriptions_per_agency: int = Field(
        default=500, gt=0, description="Subscriptions one agency may own."
    )
    replays_per_hour: int = Field(
        default=120, gt=0, description="Replay requests (one delivery or a range) per agency."
    )
    replay_max_events: int = Field(
        default=100_000,
        gt=0,
        description="Events one range replay queues at most; the answer says where to go on.",
    )
    owner_check_seconds: float = Field(
        default=1.0,
        ge=0,
        description="The worker asks the registry whether a subscription's owner still holds "
        "its token at most this often per owner.",
    )

    # Webhook delivery.
    allow_loopback_targets: bool = Field(
        default=True,
        description="Accept webhook URLs on 127.0.0.0/8, ::1 and localhost (embedded default).",
    )
    allow_private_targets: bool = Field(
        default=False,
        description="Accept webhook URLs on private, link-local and other non-public addresses.",
    )
    delivery_timeout_seconds: float = Field(default=10.0, gt=0)
    delivery_concurrency: int = Field(default=64, gt=0, description="Requests in flight, total.")
    delivery_per_subscription: int = Field(
        default=4, gt=0, description="Requests in flight to one subscription at most."
    )
    delivery_poll_seconds: float = Field(default=0.5, gt=0)
    delivery_lease_seconds: float = Field(
        default=60.0, gt=0, description="A claimed delivery whose worker died is retried after."
    )
    retry_first_delay_seconds: float = Field(default=5.0, gt=0)
    retry_multiplier: float = Field(default=2.0, ge=1)
    retry_max_delay_seconds: float = Field(default=8 * 3600.0, gt=0)
    retry_attempts: int = Field(
        default=25, gt=0, description="Attempts in all; the default schedule spans > 3 days."
    )
    retry_jitter: float = Field(default=0.2, ge=0, lt=1)
    retry_after_max_seconds: float = Field(
        default=24 * 3600.0, gt=0, description="A longer Retry-After is cut to this."
    )
    delivered_retention_days: int = Field(
        default=90,
        gt=0,
        description="Delivered deliveries and their attempts older than this are removed "
        "(hourly, by the worker); failed ones and the events stay.",
    )
    secret_keys: SecretStr | None = Field(
        default=None,
        description="Keys sealing the signing secrets at rest, comma-separated: the first seals, "
        "every one opens (docs/notifications.md). Default: <var_dir>/notifications-secret-key, "
        "made on first use.",
    )
    secret_overlap_seconds: float = Field(
        default=24 * 3600.0, ge=0, description="How long the old secret still signs after rotation."
    )

    # Staff e-mail. No smtp_host: e-mail is off (the digest is logged instead).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    mail_from: str = "hoptac <no-reply@hoptac.local>"
    digest_hour: int = Field(default=7, ge=0, le=23, description="Local hour (Asia/Ho_Chi_Minh).")
    reminder_interval_days: int = Field(default=7, gt=0)
    stale_after_months: int = Field(default=12, gt=0)
    staff_portal_url: str = "http://127.0.0.1:8000"

    worker_metrics_port: int = Field(
        default=8104, ge=0, description="The worker's /healthz, /readyz, /metrics; 0: off."
    )

    @model_validator(mode="after")
    def _lease_outlasts_a_request(self) -> Self:
        # A delivery whose request outlives its lease is taken back and sent by another worker
        # while the first is still waiting: a duplicate beyond the documented bound.
        if self.delivery_lease_seconds <= self.delivery_timeout_seconds:
            raise ValueError(
                "delivery_lease_seconds must be longer than delivery_timeout_seconds "
                f"({self.delivery_lease_seconds} <= {self.delivery_timeout_seconds})"
            )
        return self
