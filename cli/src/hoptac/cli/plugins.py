"""What installed packages add to hoptac: services to run and subcommands to offer.

Both come from entry points, so the CLI never imports a service's code by name.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import typer
from rich.console import Console

from hoptac.platform.service import SERVICES_ENTRY_POINT_GROUP, ServiceSpec

CLI_ENTRY_POINT_GROUP = "hoptac.cli"


def service_specs() -> list[ServiceSpec]:
    """Every installed service, in port order."""
    specs = []
    for entry_point in entry_points(group=SERVICES_ENTRY_POINT_GROUP):
        spec = entry_point.load()
        if not isinstance(spec, ServiceSpec):
            raise TypeError(
                f"entry point {entry_point.name} = {entry_point.value} in group "
                f"{SERVICES_ENTRY_POINT_GROUP} is a {type(spec).__name__}, not a ServiceSpec"
            )
        specs.append(spec)
    return sorted(specs, key=lambda spec: (spec.port, spec.name))


def add_plugin_commands(app: typer.Typer) -> None:
    """Add each installed package's typer app as a subcommand named after its entry point
    (`token` → `hoptac token …`). One that fails to load is reported and left out, so a broken
    package never takes `hoptac run` down with it."""
    for entry_point in sorted(entry_points(group=CLI_ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            sub_app = entry_point.load()
        except Exception as error:
            Console(stderr=True).print(
                f"hoptac: left out the '{entry_point.name}' commands "
                f"({entry_point.value}): {type(error).__name__}: {error}",
                style="yellow",
                markup=False,
            )
            continue
        app.add_typer(sub_app, name=entry_point.name)
