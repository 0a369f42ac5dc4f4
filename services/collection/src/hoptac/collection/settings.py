"""The collection service's settings, read once at start from HOPTAC_COLLECTION_* variables."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hoptac.collection.adapters.spreadsheet import Limits
from hoptac.collection.domain.reminders import ReminderSchedule
from hoptac.platform.changelog import read_token_file
from hoptac.platform.settings import ProjectionSettings


class CollectionSettings(ProjectionSettings):
    model_config = SettingsConfigDict(env_prefix="HOPTAC_COLLECTION_", extra="ignore", frozen=True)

    port: int = 8005
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/hoptac_collection"
    database_pool_size: int = Field(default=5, gt=0)
    notifications_url: str = "http://127.0.0.1:8004"
    consume: bool = Field(
        default=True,
        description="Follow the registry's events (data-quality scores, campaigns) in the HTTP "
        "process.",
    )
    consumer_durable: str = "collection"
    housekeeping_seconds: float = Field(
        default=3600, gt=0, description="How often scores are renewed and campaigns due closed."
    )
    schedule_seconds: float = Field(
        default=300,
        gt=0,
        description="How often the scheduler looks for campaign reminders due and for a month "
        "ended whose quality report is not stored yet.",
    )
    reminder_days_before: tuple[Annotated[int, Field(ge=0, le=365)], ...] = Field(
        default=(30, 14, 7, 3, 1),
        max_length=30,
        description="Days before a campaign's deadline when its staff are reminded (JSON list).",
    )
    reminder_weeks_after: int = Field(
        default=8,
        ge=0,
        le=52,
        description="Weeks after the deadline during which staff are reminded once a week while "
        "records are lapsed (0: none).",
    )
    reminder_hour: int = Field(
        default=8, ge=0, le=23, description="The hour of the day (Viet Nam) reminders go out from."
    )
    reminder_token: str | None = Field(
        default=None,
        description="A reviewer's registry token that scheduled reminders are sent with (the "
        "notifications service e-mails staff for reviewers and admins only); default: "
        "<var_dir>/reminder-token, which `hoptac run` writes. Without one no reminder is sent "
        "by schedule.",
    )
    token_cache_seconds: float = Field(
        default=0.5, ge=0, description="How long the registry's answer about a token is kept."
    )
    registry_batch_rows: int = Field(
        default=500, gt=0, description="Rows per request to the registry's batch write."
    )
    registry_batches_in_flight: int = Field(
        default=2,
        gt=0,
        description="Batch requests sent to the registry side by side (for a real run, only "
        "when no two of its rows touch one record): one checked or applied while the next "
        "waits, so that the registry never waits for collection.",
    )
    dry_run_reuse_seconds: float = Field(
        default=1800,
        ge=0,
        description="How long after a dry run the import of the same file by the same person "
        "reuses it: its whole check, kept in the process's memory, while the register has not "
        "moved; otherwise the registry's answers to its rows, if the same rows are sent "
        "(0: never).",
    )
    challenges_per_hour: int = Field(
        default=5, gt=0, description="Public challenges one address may send in an hour."
    )
    max_upload_bytes: int = Field(default=50_000_000, gt=0, description="An uploaded file.")
    max_unzipped_bytes: int = Field(
        default=500_000_000, gt=0, description="What an uploaded workbook may expand to."
    )
    max_rows: int = Field(default=100_000, gt=0, description="Data rows of one file.")
    max_cell_chars: int = Field(default=5_000, gt=0, description="Characters of one cell.")

    def reminder_schedule(self) -> ReminderSchedule:
        return ReminderSchedule(
            self.reminder_days_before, self.reminder_weeks_after, self.reminder_hour
        )

    def scheduled_reminder_token(self) -> str | None:
        return self.reminder_token or read_token_file(self.var_dir / "reminder-token")

    def limits(self) -> Limits:
        return Limits(
            max_bytes=self.max_upload_bytes,
            max_unzipped_bytes=self.max_unzipped_bytes,
            max_rows=self.max_rows,
            max_cell_chars=self.max_cell_chars,
        )
