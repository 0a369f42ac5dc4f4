"""The settings every service shares. Each service subclasses `ServiceSettings` once, with its own
env prefix (`HOPTAC_REGISTRY_`, …); nothing else in a service reads the environment."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int
    nats_url: str = "nats://127.0.0.1:4222"
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1_000_000, gt=0)
