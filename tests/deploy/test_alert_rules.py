"""The Prometheus alert rules watch metrics the services really export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"


def exported_metric_names() -> set[str]:
    """Every metric name given to a prometheus-client constructor in the services' code."""
    names = set()
    for source in [*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("libs/*/src/**/*.py")]:
        names |= set(re.findall(r'"(hoptac_[a-z_]+)"', source.read_text()))
    return names


def test_every_rule_names_an_exported_metric() -> None:
    exported = exported_metric_names()
    rules = [
        rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
    ]
    assert rules
    for rule in rules:
        for name in re.findall(r"hoptac_[a-z_]+", rule["expr"]):
            assert {name, name.removesuffix("_total")} & exported, f"{rule['alert']}: {name}"


def test_prometheus_loads_the_rules() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == [RULES.name]
