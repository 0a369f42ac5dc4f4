"""The geometry of the statistics page's bar charts, drawn as SVG by the server.

Horizontal bars, one per row, longest first as given; the template draws them with the
labels and numbers this computes, so the chart needs no script and the table holds the same
figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 260
PLOT_WIDTH = 360
VALUE_WIDTH = 80
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    value_text: str
    x: int
    y: int
    width: int
    height: int

    @property
    def text_y(self) -> int:
        return self.y + self.height // 2 + 5


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_x: int
    value_gap: int = 6


def bar_chart(rows: Sequence[tuple[str, int, str]]) -> BarChart:
    """Bars for (label, value, value as written) rows, scaled to the largest value."""
    largest = max((value for _, value, _ in rows), default=0)
    bars = []
    for index, (label, value, value_text) in enumerate(rows):
        width = round(PLOT_WIDTH * value / largest) if largest else 0
        y = TOP + index * (BAR_HEIGHT + BAR_GAP)
        bars.append(Bar(label, value, value_text, LABEL_WIDTH, y, max(width, 1), BAR_HEIGHT))
    height = TOP * 2 + len(rows) * (BAR_HEIGHT + BAR_GAP)
    return BarChart(tuple(bars), LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH, height, LABEL_WIDTH - 8)
