"""The commune compared at once finds exactly the records that comparing every pair finds."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.collection.domain.matching import PROBABLE, name_score
from hoptac.collection.domain.uniqueness import Commune, duplicated

pytestmark = pytest.mark.unit

PAIRS = Path(__file__).with_name("matching_pairs.csv")
WORDS = ["HTX", "Hợp tác xã", "NN", "Nông nghiệp", "Tân", "Hưng", "Hung", "Đông", "số", "2", "3"]


def every_pair(records: list[dict[str, Any]]) -> set[str]:
    """The plain rule, as quality() applies it to each record and its neighbours."""
    return {
        record["id"]
        for record in records
        if any(
            other["id"] != record["id"] and name_score(record["name"], other["name"]) >= PROBABLE
            for other in records
        )
    }


def named(names: list[str]) -> list[dict[str, Any]]:
    return [{"id": f"r{i}", "name": name} for i, name in enumerate(names)]


def test_the_labelled_names_give_the_same_duplicates_both_ways() -> None:
    with PAIRS.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:121]  # 240 names: the oracle scores every pair
    names = sorted({name for row in rows for name in row[:2]})
    records = named(names)

    found = duplicated(records)

    assert set(found) == every_pair(records)
    for record_id, twin in found.items():
        (record,) = [r for r in records if r["id"] == record_id]
        assert name_score(record["name"], twin["name"]) >= PROBABLE


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5), max_size=12))
def test_generated_communes_give_the_same_duplicates_both_ways(names: list[list[str]]) -> None:
    records = named([" ".join(words) for words in names])
    assert set(duplicated(records)) == every_pair(records)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5), max_size=12))
def test_a_record_compared_alone_with_its_commune_finds_what_every_pair_finds(
    names: list[list[str]],
) -> None:
    records = named([" ".join(words) for words in names])
    commune = Commune(records)
    for record in records:
        near = commune.near(record)
        assert {other["id"] for other in near} == {
            other["id"]
            for other in records
            if other["id"] != record["id"] and name_score(record["name"], other["name"]) >= PROBABLE
        }
