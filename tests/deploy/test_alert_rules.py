"""The Prometheus alert rules watch metrics the services really export."""

from __future__ import annotations

import pytest
import yaml

from .metrics import ROOT, exported_metric_names, unknown_metrics

pytestmark = pytest.mark.unit

RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"


def test_every_rule_names_an_exported_metric() -> None:
    exported = exported_metric_names()
    rules = [
        rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
    ]
    assert rules
    for rule in rules:
        assert not unknown_metrics(rule["expr"], exported), rule["alert"]


def test_prometheus_loads_the_rules() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == [RULES.name]
