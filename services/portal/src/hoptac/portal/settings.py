"""The portal's settings, read once at start from HOPTAC_PORTAL_* variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hoptac.platform.settings import ServiceSettings

# Installed by `make venv` (npm ci) next to this package's pyproject.toml.
_SOURCE_NODE_MODULES = Path(__file__).resolve().parents[3] / "node_modules"


class PortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOPTAC_PORTAL_", extra="ignore", frozen=True)

    port: int = 8000
    search_url: str = "http://127.0.0.1:8002"
    reporting_url: str = "http://127.0.0.1:8003"
    registry_url: str = "http://127.0.0.1:8001"
    backend_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for search, reporting or the registry."
    )
    download_max_rows: int = Field(
        default=200_000, gt=0, description="Rows at most in one CSV or XLSX of search results."
    )
    node_modules: Path = Field(
        default=_SOURCE_NODE_MODULES,
        description="Where `npm ci` installed the browser assets (htmx, the font).",
    )
