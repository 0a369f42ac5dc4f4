"""The Grafana dashboards parse, and every panel queries metrics the services really export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from .metrics import ROOT, exported_metric_names, unknown_metrics

pytestmark = pytest.mark.unit

DASHBOARDS = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
PROVISIONING = ROOT / "deploy" / "grafana" / "provisioning"


def load(path: Path) -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(path.read_text())
    return dashboard


def test_there_are_dashboards_for_events_and_services() -> None:
    assert {path.name for path in DASHBOARDS} >= {"hoptac-events.json", "hoptac-services.json"}


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_every_panel_queries_exported_metrics(path: Path) -> None:
    exported = exported_metric_names()
    dashboard = load(path)
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert not unknown_metrics(target["expr"], exported), panel["title"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_every_panel_uses_the_provisioned_datasource(path: Path) -> None:
    datasources = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yml").read_text())
    uids = {source["uid"] for source in datasources["datasources"]}
    for panel in load(path)["panels"]:
        assert panel["datasource"]["uid"] in uids, panel["title"]


def test_dashboard_uids_are_unique() -> None:
    uids = [load(path)["uid"] for path in DASHBOARDS]
    assert len(uids) == len(set(uids))


def test_the_provider_loads_the_folder_compose_mounts() -> None:
    provider = yaml.safe_load((PROVISIONING / "dashboards" / "hoptac.yml").read_text())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    path = provider["providers"][0]["options"]["path"]
    assert f"./deploy/grafana/dashboards:{path}:ro" in mounts
