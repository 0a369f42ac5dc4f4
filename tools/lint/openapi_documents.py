"""Writes the OpenAPI document of every installed service into a folder, for `make lint`.

Each service's app is built the way `hoptac run` builds it (its ServiceSpec's ASGI factory);
building it opens no connection, so no server needs to run.
"""

from __future__ import annotations

import importlib
import json
import sys
from importlib.metadata import entry_points
from pathlib import Path

from hoptac.platform.service import ServiceSpec


def write_documents(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for entry in entry_points(group="hoptac.services"):
        spec: ServiceSpec = entry.load()
        module, factory = spec.asgi_app.split(":")
        app = getattr(importlib.import_module(module), factory)()
        path = folder / f"{spec.name}.json"
        path.write_text(json.dumps(app.openapi(), ensure_ascii=False, indent=1))
        written.append(path)
    return written


if __name__ == "__main__":
    for document in write_documents(Path(sys.argv[1])):
        print(document)
