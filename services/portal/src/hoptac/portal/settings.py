"""The portal's settings, read once at start from HOPTAC_PORTAL_* variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
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
    library_url: str = "http://127.0.0.1:8006"
    collection_url: str = "http://127.0.0.1:8005"
    backend_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for search, reporting or the registry."
    )
    search_cache_seconds: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="Seconds a search answer serves the same query again (0: never).",
    )
    library_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        description="Seconds the library's answers for a profile (the documents applying to a "
        "kind, sector and province; the articles recorded for the register's rules) serve again "
        "(0: never). The workspace's own changes to the library show at once.",
    )
    search_stale_seconds: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="Seconds more an older search answer still serves its query while one "
        "fresh call replaces it in the background (0: readers wait for the fresh call). No "
        "answer served is older than the two together.",
    )
    history_cache_size: int = Field(
        default=1000,
        ge=0,
        description="Organisations whose record, history and rendered profile (one per "
        "language, about 12 KB) are kept until their version changes (0: none).",
    )
    import_max_bytes: int = Field(
        default=20_000_000,
        gt=0,
        le=50_000_000,
        description="The largest survey file the workspace's import page takes and forwards to "
        "collection (whose own limit is HOPTAC_COLLECTION_MAX_UPLOAD_BYTES).",
    )
    download_max_rows: int = Field(
        default=200_000, gt=0, description="Rows at most in one CSV or XLSX of search results."
    )
    library_upload_max_bytes: int = Field(
        default=21 * 1024 * 1024,
        gt=0,
        description="The largest body of the workspace's library forms, which carry a file "
        "(the library takes files up to 20 MiB); every other body is bounded by max_body_bytes.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Send the workspace's cookies only over HTTPS. Off in the embedded default, "
        "which serves plain HTTP on 127.0.0.1; turn it on everywhere else.",
    )
    csrf_secret: SecretStr | None = Field(
        default=None,
        description="The key that signs the workspace's form tokens. Unset: a random key per "
        "process, so forms open across a restart, or served by another replica, are refused "
        "once; set one shared value when several portal processes serve the workspace.",
    )
    node_modules: Path = Field(
        default=_SOURCE_NODE_MODULES,
        description="Where `npm ci` installed the browser assets (htmx, the font).",
    )
