"""`hoptac check` names every way a projection can disagree with the registry."""

from __future__ import annotations

from collections import Counter

import pytest

from hoptac.cli.check import SHOWN, compare_counts, compare_organizations

pytestmark = pytest.mark.unit

REGISTRY = {"a": (1, "operating"), "b": (3, "dissolved"), "c": (2, "suspended")}


def test_identical_projections_have_no_difference() -> None:
    assert compare_organizations(REGISTRY, dict(REGISTRY)) == []
    counts = Counter(status for _, status in REGISTRY.values())
    assert compare_counts("search", "status", counts, Counter(counts)) == []


def test_a_missing_an_extra_and_a_stale_organisation_are_each_named() -> None:
    held = {"a": (1, "operating"), "b": (2, "operating"), "z": (1, "operating")}
    assert compare_organizations(REGISTRY, held) == [
        "missing: c",
        "not in the registry: z",
        "b: registry v3 dissolved, here v2 operating",
    ]


def test_counts_that_differ_are_named_by_key() -> None:
    found = compare_counts(
        "reporting", "status", Counter(operating=2, dissolved=1), Counter(operating=3)
    )
    assert found == [
        "status dissolved: registry 1, reporting 0",
        "status operating: registry 2, reporting 3",
    ]


def test_many_differences_are_counted_beyond_the_first_few() -> None:
    registry = {str(n): (1, "operating") for n in range(SHOWN + 5)}
    found = compare_organizations(registry, {})
    assert len(found) == SHOWN + 1
    assert found[-1] == "missing: 5 more"
