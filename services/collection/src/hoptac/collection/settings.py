"""The collection service's settings, read once at start from HOPTAC_COLLECTION_* variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hoptac.collection.adapters.spreadsheet import Limits
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
    token_cache_seconds: float = Field(
        default=0.5, ge=0, description="How long the registry's answer about a token is kept."
    )
    registry_batch_rows: int = Field(
        default=500, gt=0, description="Rows per request to the registry's batch write."
    )
    registry_batches_in_flight: int = Field(
        default=4,
        gt=0,
        description="Batch requests sent to the registry side by side (for a real run, only "
        "when no two of its rows touch one record).",
    )
    dry_run_reuse_seconds: float = Field(
        default=1800,
        ge=0,
        description="How long after a dry run the import of the same file by the same person "
        "reuses the registry's answers to it instead of asking again (0: never).",
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

    def limits(self) -> Limits:
        return Limits(
            max_bytes=self.max_upload_bytes,
            max_unzipped_bytes=self.max_unzipped_bytes,
            max_rows=self.max_rows,
            max_cell_chars=self.max_cell_chars,
        )
