"""The metric names the services export, and those a PromQL expression names: alert rules and
dashboards are checked against what the code really serves."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What prometheus-client adds to a counter's or a histogram's name in what it serves.
SERVED_SUFFIXES = ("_total", "_count", "_sum", "_bucket", "_created")


def exported_metric_names() -> set[str]:
    """Every metric name given to a prometheus-client constructor in the services' code."""
    names = set()
    for source in [*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("libs/*/src/**/*.py")]:
        names |= set(re.findall(r'"(hoptac_[a-z_]+)"', source.read_text()))
    return names


def unknown_metrics(expr: str, exported: set[str]) -> list[str]:
    """The hoptac metrics `expr` names that no service exports, under any served suffix."""
    unknown = []
    for name in re.findall(r"hoptac_[a-z_]+", expr):
        bases = {name} | {name.removesuffix(suffix) for suffix in SERVED_SUFFIXES}
        if not bases & exported:
            unknown.append(name)
    return unknown
