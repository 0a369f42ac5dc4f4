"""What the launcher tells each service about the others."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from rich.console import Console

from hoptac.cli.launcher import Launcher, uvicorn_command
from hoptac.cli.settings import LauncherSettings
from hoptac.library.service import SERVICE as LIBRARY
from hoptac.platform.service import ServiceSpec
from hoptac.registry.service import SERVICE as REGISTRY

pytestmark = pytest.mark.unit


def spec(name: str, port: int) -> ServiceSpec:
    return ServiceSpec(name, port, f"HOPTAC_{name.upper()}_", f"hoptac.{name}:create_app")


def test_each_service_learns_the_urls_of_the_others(tmp_path: Path) -> None:
    settings = LauncherSettings(var_dir=tmp_path)
    launcher = Launcher([spec("registry", 18001), spec("search", 18002)], settings, Console())
    registry, search = launcher.services

    env = launcher._service_env(search, "nats://127.0.0.1:4222")

    assert env["HOPTAC_SEARCH_REGISTRY_URL"] == "http://127.0.0.1:18001"
    assert "HOPTAC_SEARCH_SEARCH_URL" not in env
    assert launcher._service_env(registry, "nats://x")["HOPTAC_REGISTRY_SEARCH_URL"] == (
        "http://127.0.0.1:18002"
    )


def test_the_registry_and_the_library_get_the_logins_that_may_publish_their_events(
    tmp_path: Path,
) -> None:
    settings = LauncherSettings(
        var_dir=tmp_path,
        nats_url="nats://platform:p@127.0.0.1:4222",
        relay_nats_url="nats://relay:r@127.0.0.1:4222",
        library_nats_url="nats://library:l@127.0.0.1:4222",
    )
    logins = Launcher([], settings, Console())._start_nats()

    assert logins.url_for(REGISTRY.nats_user) == "nats://relay:r@127.0.0.1:4222"
    assert logins.url_for(LIBRARY.nats_user) == "nats://library:l@127.0.0.1:4222"
    assert logins.url_for(spec("search", 18002).nats_user) == "nats://platform:p@127.0.0.1:4222"


def test_the_registry_serves_its_api_in_two_processes_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = LauncherSettings(var_dir=tmp_path)
    registry, search = Launcher([REGISTRY, spec("search", 18002)], settings, Console()).services
    assert (registry.http_processes, search.http_processes) == (2, 1)
    two = uvicorn_command(REGISTRY.asgi_app, 8001, 2)
    assert two[two.index("--workers") + 1] == "2"
    assert "--workers" not in uvicorn_command(REGISTRY.asgi_app, 8001, 1)

    monkeypatch.setenv("HOPTAC_REGISTRY_HTTP_PROCESSES", "1")
    assert Launcher([REGISTRY], settings, Console()).services[0].http_processes == 1
    monkeypatch.setenv("HOPTAC_REGISTRY_HTTP_PROCESSES", "0")
    with pytest.raises(ValidationError):
        Launcher([REGISTRY], settings, Console())
