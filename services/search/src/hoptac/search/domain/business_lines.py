"""The names of VSIC 2018 business lines, by division (the first two digits of any VSIC code).

The search service keeps its own copy of the names it needs (data/vsic2018_divisions.csv, from
the published VSIC 2018 list of divisions), so that an organisation is found by what it does
("nuôi trồng thủy sản") as well as by its name.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache

from hoptac.search.domain.text import DATA

# What says nothing about what an organisation does: "(trừ ô tô, mô tô…)", "và hoạt động dịch vụ
# có liên quan". Left in, these words would match queries ("liên hệ" → "liên") and, in a relaxed
# search, count as words the organisation holds.
_FILLER = re.compile(r"\s*\([^)]*\)|\s*\bvà hoạt động dịch vụ có liên quan\b|\s*\bcó liên quan\b")


def _read_divisions() -> dict[str, str]:
    with (DATA / "vsic2018_divisions.csv").open(encoding="utf-8", newline="") as handle:
        return {row["division"]: _FILLER.sub("", row["name_vi"]) for row in csv.DictReader(handle)}


DIVISIONS = _read_divisions()


@lru_cache(maxsize=50_000)  # most records hold one of a few thousand combinations
def business_line_names(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The division names of VSIC codes, each once, in the order given; unknown codes none."""
    names = (DIVISIONS.get(str(code)[:2]) for code in codes)
    return tuple(dict.fromkeys(name for name in names if name))
