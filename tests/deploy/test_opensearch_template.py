"""deploy/k8s carries the search service's own OpenSearch index template."""

from __future__ import annotations

import json

import pytest

from hoptac.search.adapters.opensearch_index import index_template
from hoptac.search.settings import SearchSettings

from .metrics import ROOT

pytestmark = pytest.mark.unit

TEMPLATE = ROOT / "deploy" / "k8s" / "base" / "opensearch" / "index-template.json"


def test_the_committed_template_is_the_one_search_puts() -> None:
    alias = SearchSettings.model_fields["opensearch_index"].default
    assert json.loads(TEMPLATE.read_text()) == index_template(alias), (
        "the search index's mapping changed: write its template to deploy/k8s again "
        "(deploy/README.md, OpenSearch)"
    )
