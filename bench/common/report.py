"""Plain-text output: headings and aligned tables that read the same in a terminal, a CI log or
a file (no colours, no terminal width guessing)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def heading(title: str) -> None:
    print(f"\n== {title} ", "=" * max(0, 96 - len(title)), sep="", flush=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Columns left-aligned for text, right-aligned for numbers (already formatted or not)."""
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [
        all(_looks_numeric(row[i]) for row in cells if i < len(row)) for i in range(len(headers))
    ]
    widths = [
        max([len(headers[i]), *(len(row[i]) for row in cells if i < len(row))])
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=False)
        ]
        return "  ".join(parts).rstrip()

    print(line(headers))
    print("  ".join("-" * width for width in widths))
    for row in cells:
        print(line(row))
    print(flush=True)


def facts(pairs: Sequence[tuple[str, object]]) -> None:
    """`name: value` lines with the values aligned."""
    width = max((len(name) for name, _ in pairs), default=0)
    for name, value in pairs:
        print(f"  {name.ljust(width)}  {value}")
    print(flush=True)


def number(value: float, decimals: int = 0) -> str:
    """`12 345` style thousands (a thin space would be nicer but not every log viewer has it)."""
    if math.isnan(value):
        return "n/a"
    return f"{value:,.{decimals}f}".replace(",", " ")


def percent(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1f} %"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return number(value, 1 if abs(value) < 100 else 0)
    if isinstance(value, int):
        return number(value)
    return str(value)


def _looks_numeric(text: str) -> bool:
    stripped = text.replace(" ", "").replace("%", "").replace(".", "").replace("-", "")
    return stripped.isdigit() or text in ("n/a", "")
