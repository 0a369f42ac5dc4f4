"""Data quality of a record, in six dimensions each from 0 to 1, and one score: their
unweighted mean, as a percentage, in bands (red ≤ 90 %, orange ≤ 95 %, yellow ≤ 98 %, green
above).

- completeness: the share of the fields a good record has that are filled;
- validity: rules of form the register cannot enforce on each write (a current commune, not
  only a pre-2025 one; business lines; a cooperative's members at least the legal minimum);
- freshness: verified in practice, and updated, within the last year (the annual update);
- consistency: fields that contradict each other (operating with no members, operating on
  paper only, a suspension with no end);
- uniqueness: no probable duplicate in the same commune;
- evidence of operating: whether someone saw it operate (registered is not working).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from typing import Any

from hoptac.collection.domain.matching import PROBABLE, name_score

EXPECTED = (
    "registration_number",
    "name",
    "kind",
    "registered_on",
    "address.street",
    "address.commune_code",
    "sector.vsic",
    "members_count",
    "workers_count",
    "charter_capital",
    "legal_representative.name",
    "operating_in_practice",
    "last_verified_on",
)
MIN_COOPERATIVE_MEMBERS = 5  # Cooperative Law 17/2023/QH15, article 30
DIMENSIONS = ("completeness", "validity", "freshness", "consistency", "uniqueness", "evidence")
BANDS = ((90.0, "red"), (95.0, "orange"), (98.0, "yellow"))


@dataclass(frozen=True)
class Quality:
    dimensions: dict[str, float]

    @property
    def score(self) -> float:
        return 100 * fmean(self.dimensions.values())

    @property
    def band(self) -> str:
        return band(self.score)


def band(score: float) -> str:
    return next((name for ceiling, name in BANDS if score <= ceiling), "green")


def _value(record: dict[str, Any], path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {}, "unknown")


def _share(checks: Sequence[bool]) -> float:
    return sum(checks) / len(checks) if checks else 1.0


def _within_a_year(day: str | None, today: date) -> bool:
    return day is not None and date.fromisoformat(day[:10]) >= today - timedelta(days=365)


def quality(record: dict[str, Any], neighbours: Sequence[dict[str, Any]], today: date) -> Quality:
    """`neighbours`: the other records of the same commune (for uniqueness)."""
    operating = record.get("status") == "operating"
    practice = record.get("operating_in_practice", "unknown")
    members = record.get("members_count")
    address = record.get("address") or {}
    validity = [
        bool(address.get("commune_code")),
        bool((record.get("sector") or {}).get("vsic")),
        record.get("kind") != "cooperative" or (members or 0) >= MIN_COOPERATIVE_MEMBERS,
    ]
    consistency = [
        not (operating and not members),
        not (operating and practice in ("nominal", "not_at_address")),
        record.get("status") != "suspended" or bool(record.get("suspended_until")),
    ]
    duplicated = any(
        other["id"] != record["id"] and name_score(record["name"], other["name"]) >= PROBABLE
        for other in neighbours
    )
    evidence = {"yes": 1.0, "unknown": 0.5}.get(practice, 0.0) if operating else 1.0
    return Quality(
        {
            "completeness": _share([_filled(_value(record, path)) for path in EXPECTED]),
            "validity": _share(validity),
            "freshness": _share(
                [
                    _within_a_year(record.get("last_verified_on"), today),
                    _within_a_year(record.get("updated_at"), today),
                ]
            ),
            "consistency": _share(consistency),
            "uniqueness": 0.0 if duplicated else 1.0,
            "evidence": evidence,
        }
    )
