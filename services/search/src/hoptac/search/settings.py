"""The search service's settings, read once at start from HOPTAC_SEARCH_* variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hoptac.platform.changelog import read_token_file
from hoptac.platform.settings import ServiceSettings


class SearchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOPTAC_SEARCH_", extra="ignore", frozen=True)

    port: int = 8002
    var_dir: Path = Path("var")
    backend: Literal["tantivy", "opensearch"] | None = Field(
        default=None,
        description="The index engine; by default OpenSearch when opensearch_url is set, "
        "else tantivy.",
    )
    index_dir: Path | None = Field(
        default=None, description="Where tantivy keeps its index (default <var_dir>/search)."
    )
    writer_heap_bytes: int = Field(default=64_000_000, ge=15_000_000)
    opensearch_url: str | None = None
    opensearch_index: str = Field(default="hoptac-organizations", pattern=r"^[a-z0-9_-]+$")
    registry_url: str = "http://127.0.0.1:8001"
    registry_token: str | None = Field(
        default=None,
        description="Reads the registry's change log; default: <var_dir>/service-token.",
    )
    consume: bool = Field(default=True, description="Run the stream consumer in this process.")
    consumer_durable: str = "search"
    consumer_batch_size: int = Field(default=256, gt=0)
    consumer_max_tries: int = Field(default=5, gt=0)
    consumer_ack_wait: float = Field(default=30.0, gt=0)
    consumer_fetch_timeout: float = Field(default=1.0, gt=0)
    switch_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often to look for a generation a reindex switched to."
    )

    @property
    def engine(self) -> str:
        return self.backend or ("opensearch" if self.opensearch_url else "tantivy")

    @property
    def tantivy_dir(self) -> Path:
        return self.index_dir or self.var_dir / "search"

    def token(self) -> str | None:
        return self.registry_token or read_token_file(self.var_dir / "service-token")
