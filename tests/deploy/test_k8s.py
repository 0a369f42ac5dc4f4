"""deploy/k8s: each process reaches only what it calls, is probed and bounded, and takes its
secrets by reference to Secrets deploy/README.md documents."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from .metrics import ROOT

pytestmark = pytest.mark.unit

BASE = ROOT / "deploy" / "k8s" / "base"
# What each process calls, as the architecture has it (docs/architecture.md).
CALLS = {
    "portal": {"registry", "search", "reporting", "library"},
    "registry": {"postgresql"},
    "registry-relay": {"postgresql", "nats"},
    "search": {"nats", "registry", "opensearch", "library"},
    "reporting": {"nats", "postgresql", "registry"},
    "notifications": {"postgresql", "registry"},
    "notifications-worker": {"postgresql", "nats", "registry", "webhooks"},
    "collection": {"nats", "notifications", "postgresql", "registry"},
    "library": {"nats", "postgresql", "registry"},
}


def documents() -> list[dict[str, Any]]:
    return [
        document
        for path in sorted(BASE.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text())
    ]


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == kind}


def test_each_process_is_labelled_with_exactly_what_it_calls() -> None:
    deployments = of_kind("Deployment")
    assert set(deployments) == set(CALLS)
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        calls = {key.removeprefix("hoptac/calls-") for key in labels if key.startswith("hoptac/")}
        assert calls == CALLS[name], name


def test_every_call_has_its_egress_policy_and_everything_else_is_refused() -> None:
    policies = of_kind("NetworkPolicy")
    assert policies["default-deny"]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    for called in set().union(*CALLS.values()):
        selector = policies[f"calls-{called}"]["spec"]["podSelector"]
        assert selector == {"matchLabels": {f"hoptac/calls-{called}": "true"}}


def test_opensearch_admits_search_alone() -> None:
    (rule,) = of_kind("NetworkPolicy")["opensearch-from-search-only"]["spec"]["ingress"]
    (source,) = rule["from"]
    callers = {name for name, calls in CALLS.items() if "opensearch" in calls}
    assert callers == {"search"}
    assert source["podSelector"]["matchLabels"] == {"hoptac/calls-opensearch": "true"}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_process_is_probed_and_bounded(name: str) -> None:
    (container,) = of_kind("Deployment")[name]["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"]
    assert container["livenessProbe"]["httpGet"]["path"]
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_stateless_services_scale_and_every_process_keeps_one_through_disruptions() -> None:
    scaled = {
        hpa["spec"]["scaleTargetRef"]["name"] for hpa in of_kind("HorizontalPodAutoscaler").values()
    }
    assert scaled == {"portal", "registry", "search", "reporting", "notifications", "collection"}
    assert set(CALLS) | {"nats"} <= set(of_kind("PodDisruptionBudget"))


def test_secrets_are_referenced_by_documented_names_only() -> None:
    text = "\n".join(path.read_text() for path in BASE.glob("*.yaml"))
    assert "kind: Secret\n" not in text
    readme = (ROOT / "deploy" / "README.md").read_text()
    documented = set(re.findall(r"^\| `(hoptac-[a-z-]+)`", readme, re.MULTILINE))
    referenced = set(re.findall(r"name: (hoptac-[a-z-]+)\n\s+key:", text))
    referenced |= set(re.findall(r"secretKeyRef: \{name: (hoptac-[a-z-]+),", text))
    assert referenced
    assert referenced - {"hoptac-mail"} <= documented
