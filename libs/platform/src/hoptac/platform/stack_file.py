"""`<var>/stack.json`: what `hoptac run` started, so that every `hoptac` command works against
that stack with the same settings (ports, external servers) without being told them again.

The launcher writes it once every service is ready and removes it when it stops. A command's
settings read it below its environment (`HOPTAC_<SERVICE>_…` variables still win); a file whose
launcher is gone is ignored.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

FILE_NAME = "stack.json"


@dataclass(frozen=True)
class RunningService:
    env_prefix: str
    url: str
    database_url: str | None


@dataclass(frozen=True)
class StackFile:
    launcher_pid: int
    services: dict[str, RunningService] = field(default_factory=dict)
    # The projections' NATS login (it may read the stream and make durables, not publish):
    # what `hoptac nats-url` gives someone following docs/nats-access.md locally.
    nats_url: str | None = None

    def write(self, var_dir: Path) -> None:
        path = var_dir / FILE_NAME
        path.write_text(json.dumps(asdict(self), indent=2))
        path.chmod(0o600)  # database and NATS URLs carry passwords

    @staticmethod
    def remove(var_dir: Path) -> None:
        (var_dir / FILE_NAME).unlink(missing_ok=True)

    @classmethod
    def read(cls, var_dir: Path) -> StackFile | None:
        """The running stack's file; None when there is none or its launcher is gone."""
        try:
            raw = json.loads((var_dir / FILE_NAME).read_text())
            stack = cls(
                int(raw["launcher_pid"]),
                {name: RunningService(**s) for name, s in raw["services"].items()},
                raw.get("nats_url"),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return stack if _is_launcher(stack.launcher_pid) else None

    def settings_for(self, env_prefix: str, fields: dict[str, FieldInfo]) -> dict[str, Any]:
        """What a settings object with `env_prefix` learns: its own database, the others' URLs."""
        values: dict[str, Any] = {}
        for name, service in self.services.items():
            if service.env_prefix == env_prefix:
                values["database_url"] = service.database_url
            else:
                values[f"{name}_url"] = service.url
        return {key: value for key, value in values.items() if key in fields and value}


def var_dir_of_launcher() -> Path:
    """The launcher's var directory, as `hoptac run` reads it (HOPTAC_VAR_DIR, default var)."""
    return Path(os.environ.get("HOPTAC_VAR_DIR", "var"))


def _is_launcher(pid: int) -> bool:
    try:
        command = " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return False
    return "hoptac" in command


class StackFileSource(PydanticBaseSettingsSource):
    """A pydantic-settings source over the running stack's file (below the environment)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        stack = StackFile.read(var_dir_of_launcher())
        prefix = str(settings_cls.model_config.get("env_prefix", ""))
        self.values = stack.settings_for(prefix, settings_cls.model_fields) if stack else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)
