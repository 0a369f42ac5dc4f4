"""The library's settings, read once at start from HOPTAC_LIBRARY_* variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hoptac.platform.settings import ServiceSettings

MiB = 1024 * 1024


class LibrarySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOPTAC_LIBRARY_", extra="ignore", frozen=True)

    port: int = 8006
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/hoptac_library"
    database_pool_size: int = Field(default=5, gt=0)
    var_dir: Path = Field(default=Path("var"), description="The launcher's var/ directory.")
    registry_url: str = Field(
        default="http://127.0.0.1:8001", description="Asked who holds a token (/v1/whoami)."
    )
    max_file_bytes: int = Field(
        default=20 * MiB,
        gt=0,
        le=100 * MiB,
        description="The largest file accepted; a law with its annexes runs to a few MiB.",
    )
    max_body_bytes: int = Field(default=21 * MiB, gt=0, description="Above max_file_bytes.")
    max_unpacked_bytes: int = Field(
        default=100 * MiB,
        gt=0,
        description="A DOCX (a ZIP) whose parts unpack to more is refused: a ZIP bomb.",
    )
    relay_batch_size: int = Field(default=64, gt=0)
    relay_poll_seconds: float = Field(default=1.0, gt=0)
    stream_max_age_days: int = Field(default=3650, gt=0)
    stream_replicas: int = Field(default=1, ge=1, le=5)
    outbox_max_age_seconds: float = Field(
        default=60.0, gt=0, description="An older unpublished event turns readiness red."
    )
    load_starting_set: bool = Field(
        default=True, description="Enter the national documents on a new, empty database."
    )
