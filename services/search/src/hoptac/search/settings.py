"""The search service's settings, read once at start from HOPTAC_SEARCH_* variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hoptac.platform.settings import ProjectionSettings


class SearchSettings(ProjectionSettings):
    model_config = SettingsConfigDict(env_prefix="HOPTAC_SEARCH_", extra="ignore", frozen=True)

    port: int = 8002
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
    opensearch_library_index: str = Field(
        default="hoptac-library",
        pattern=r"^[a-z0-9_-]+$",
        description="OpenSearch: the policy library's documents' index.",
    )
    consume: bool = Field(default=True, description="Run the stream consumer in this process.")
    search_processes: int = Field(
        default=2,
        ge=0,
        le=64,
        description="tantivy: answer searches in this many reader processes beside the one "
        "that serves HTTP and writes, so that more than one core answers (0: in that process; "
        "better where other work keeps the cores busy, measured in bench/README.md).",
    )
    access_log: bool = Field(
        default=False,
        description="A log line per HTTP request (uvicorn's access log). Off: at full load it "
        "cost 5 % of the service's CPU; /metrics counts requests by route and status.",
    )
    consumer_durable: str = "search"
    library_url: str = Field(
        default="http://127.0.0.1:8006", description="The policy library, read at start."
    )
    library_index_dir: Path | None = Field(
        default=None, description="The library's index (default <var_dir>/search-library)."
    )
    consumer_fetch_timeout: float = Field(default=1.0, gt=0)
    consumer_batch_size: int = Field(
        default=5000,
        gt=0,
        le=10_000,
        description="Events per batch at most, one commit each (a backlog comes in full ones). "
        "Above what a burst brings in `consumer_burst_spacing` (an import's approval: 1,100 to "
        "2,000 events a second), so that a burst's batch is not cut in two commits.",
    )
    consumer_burst_spacing: float = Field(
        default=2.0,
        ge=0,
        le=10,
        description="In a burst of events, seconds from one batch to the next at least, so that "
        "each commits more of them (domain/pacing.py): an event of a burst is searchable up to "
        "this much later, a write alone is not held back; 0: commit each batch as it comes.",
    )
    switch_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often to look for a generation a reindex switched to."
    )

    @property
    def engine(self) -> str:
        return self.backend or ("opensearch" if self.opensearch_url else "tantivy")

    @property
    def tantivy_dir(self) -> Path:
        return self.index_dir or self.var_dir / "search"
