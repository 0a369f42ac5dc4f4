"""Matching names within a commune, measured on a labelled set of pairs (matching_pairs.csv):
each pair written as provincial lists write one organisation twice (abbreviated, without
diacritics, a letter dropped, the words in another order, the commune's word added), or two
organisations that are alike (another place, another line of business, a neighbouring hamlet of
the same name, numbered groups, a credit fund of the same place). The figures are printed and
checked against a floor."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hoptac.collection.domain.matching import (
    POSSIBLE,
    PROBABLE,
    Known,
    by_name,
    core,
    name_score,
    prepared,
)

pytestmark = pytest.mark.unit

PAIRS = Path(__file__).with_name("matching_pairs.csv")
FLOORS = {PROBABLE: (0.97, 0.95), POSSIBLE: (0.80, 0.98)}  # threshold: (precision, recall)


def labelled() -> list[tuple[str, str, bool, str]]:
    with PAIRS.open(encoding="utf-8", newline="") as handle:
        return [
            (r["name_a"], r["name_b"], r["same"] == "1", r["why"]) for r in csv.DictReader(handle)
        ]


def test_the_labelled_set_holds_at_least_300_pairs_of_both_kinds() -> None:
    pairs = labelled()

    assert len(pairs) >= 300
    assert sum(same for _, _, same, _ in pairs) >= 150
    assert sum(not same for _, _, same, _ in pairs) >= 150


@pytest.mark.parametrize("threshold", sorted(FLOORS))
def test_precision_and_recall_on_the_labelled_set_stay_above_their_floor(threshold: float) -> None:
    outcomes = [(name_score(a, b) >= threshold, same) for a, b, same, _ in labelled()]
    true_positives = sum(1 for said, same in outcomes if said and same)
    precision = true_positives / max(1, sum(1 for said, _ in outcomes if said))
    recall = true_positives / sum(1 for _, same in outcomes if same)

    print(f"\nname matching at {threshold}: precision {precision:.3f}, recall {recall:.3f}")
    floor_precision, floor_recall = FLOORS[threshold]
    assert precision >= floor_precision
    assert recall >= floor_recall


def test_abbreviations_are_written_out_and_the_kind_left_out() -> None:
    assert core("HTX NN & DV Tân Hưng") == core("Hợp tác xã Nông nghiệp và Dịch vụ Tân Hưng")
    assert core("Hp tác xã Nông nghiệp Tân Hưng") == ["nong", "nghiep", "tan", "hung"]
    assert core("QTDND Khánh Bình") == ["khanh", "binh"]


def test_numbered_groups_never_match_each_other() -> None:
    assert name_score("Tổ hợp tác số 2 Tân Hưng", "Tổ hợp tác số 3 Tân Hưng") == 0.0


def test_a_candidate_is_looked_for_only_in_the_same_commune_and_says_why() -> None:
    known = [
        Known("a", "Hợp tác xã Nông nghiệp Tân Hưng", "31825", "6001000001"),
        Known("b", "Hợp tác xã Nông nghiệp Tân Hưng", "31826", "6001000002"),
        Known("c", "Hợp tác xã Vận tải Tân Hưng", "31825", "6001000003"),
    ]

    (found,) = by_name(prepared("HTX NN Tan Hung"), "31825", known)

    assert (found.id, found.score) == ("a", 100.0)
    assert "cùng xã 31825" in found.why
    assert by_name(prepared("HTX NN Tân Hưng"), None, known) == []
