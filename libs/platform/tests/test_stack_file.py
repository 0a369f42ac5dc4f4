"""A command's settings find the stack `hoptac run` started: its own database, the others' URLs;
the environment still wins, and a stack whose launcher is gone is ignored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from hoptac.platform import stack_file
from hoptac.platform.settings import ProjectionSettings
from hoptac.platform.stack_file import RunningService, StackFile

pytestmark = pytest.mark.unit


class ReportingLike(ProjectionSettings):
    model_config = SettingsConfigDict(env_prefix="HOPTAC_REPORTING_", extra="ignore", frozen=True)

    port: int = 8003
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/hoptac_reporting"


@pytest.fixture
def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    services = {
        "registry": RunningService("HOPTAC_REGISTRY_", "http://127.0.0.1:58001", "pg://r"),
        "reporting": RunningService("HOPTAC_REPORTING_", "http://127.0.0.1:58003", "pg://x"),
    }
    StackFile(os.getpid(), services).write(tmp_path)
    monkeypatch.setenv("HOPTAC_VAR_DIR", str(tmp_path))
    monkeypatch.setattr(stack_file, "_is_launcher", lambda pid: pid == os.getpid())
    return tmp_path


def test_settings_take_their_database_and_the_others_urls_from_the_stack(running: Path) -> None:
    settings = ReportingLike()
    assert settings.database_url == "pg://x"
    assert settings.registry_url == "http://127.0.0.1:58001"


def test_the_environment_wins_over_the_stack(
    running: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOPTAC_REPORTING_DATABASE_URL", "pg://chosen")
    assert ReportingLike().database_url == "pg://chosen"


def test_a_stack_whose_launcher_is_gone_is_ignored(
    running: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stack_file, "_is_launcher", lambda pid: False)
    assert ReportingLike().database_url.endswith("/hoptac_reporting")
