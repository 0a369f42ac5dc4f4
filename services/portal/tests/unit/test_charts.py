"""Bars are scaled to the largest value and stacked without overlap."""

from __future__ import annotations

import pytest

from hoptac.portal.domain.charts import PLOT_WIDTH, bar_chart

pytestmark = pytest.mark.unit


def test_the_largest_bar_fills_the_plot_and_the_others_are_in_proportion() -> None:
    chart = bar_chart([("Hợp tác xã", 200, "200"), ("Tổ hợp tác", 50, "50")])
    assert [bar.width for bar in chart.bars] == [PLOT_WIDTH, PLOT_WIDTH // 4]
    first, second = chart.bars
    assert second.y >= first.y + first.height
    assert chart.height >= second.y + second.height


def test_no_rows_make_an_empty_chart_and_zero_still_shows_a_sliver() -> None:
    assert bar_chart([]).bars == ()
    assert bar_chart([("x", 0, "0")]).bars[0].width == 1
