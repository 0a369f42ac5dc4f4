"""Names matched while the registry checks the rows: matched over every row sent, then kept for
the rows the registry accepts, the warnings and candidates are those of matching the accepted
rows alone (the plain way, written out below as the oracle)."""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.collection.domain.imports import alike, probable_duplicates
from hoptac.collection.domain.matching import PROBABLE, Known, by_name, prepared, prepared_score
from hoptac.collection.domain.problems import Problem
from hoptac.collection.domain.rows import RowChange
from hoptac.platform.text import Text

pytestmark = pytest.mark.unit

NAMES = [
    "Hợp tác xã Tân Hưng",
    "HTX Tân Hưng",
    "Hop tac xa Tan Hung",
    "Hợp tác xã Tân Hưng Đông",
    "HTX Nông nghiệp Bình Minh",
    "Hợp tác xã NN Bình Minh",
    "Tổ hợp tác số 2",
]
COMMUNES = ["31825", "31826"]
KNOWN = [Known("k1", "Hợp tác xã Tân Hưng", "31825", "6001000001")]
EXISTING = UUID("00000000-0000-4000-8000-000000000001")

rows = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(COMMUNES), st.booleans(), st.booleans()),
    max_size=14,
)


def plainly(
    kept: list[RowChange], known: list[Known]
) -> tuple[list[Problem], dict[int, list[object]]]:
    """Each kept new row against its commune's register and the earlier kept rows."""
    warnings: list[Problem] = []
    candidates: dict[int, list[object]] = {}
    earlier: dict[str, list[RowChange]] = defaultdict(list)
    for change in kept:
        if change.organization_id is not None:
            continue
        name = prepared(change.record["name"])
        commune = change.record["address"]["commune_code"]
        found = by_name(name, commune, [k for k in known if k.commune_code == commune])
        if found:
            candidates[change.row] = list(found)
            level = "probable" if found[0].score >= PROBABLE else "possible"
            message = Text(
                "collection.maybe_duplicate",
                name=found[0].name,
                score=f"{found[0].score:.0f}",
                commune=commune,
            )
            warnings.append(Problem(f"{level}_duplicate", message, change.row, "B", "name"))
        for other in earlier[commune]:
            if prepared_score(name, prepared(other.record["name"])) >= PROBABLE:
                message = Text("collection.duplicate_in_file", row=other.row)
                warnings.append(
                    Problem("probable_duplicate_in_file", message, change.row, "B", "name")
                )
                break
        earlier[commune].append(change)
    return warnings, candidates


@given(rows)
def test_matching_every_row_then_keeping_the_accepted_ones_is_matching_those_alone(
    drawn: list[tuple[str, str, bool, bool]],
) -> None:
    changes = [
        RowChange(
            3 + n,
            EXISTING if existing else None,
            {"name": name, "address": {"commune_code": commune}},
        )
        for n, (name, commune, existing, _) in enumerate(drawn)
    ]
    kept = [change for change, (*_, refused) in zip(changes, drawn, strict=True) if not refused]

    assert probable_duplicates(kept, alike(changes, KNOWN), "B") == plainly(kept, KNOWN)
