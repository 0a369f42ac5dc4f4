"""The map's outlines: Viet Nam from Natural Earth, its 34 provinces from where their communes lie,
and Hoàng Sa and Trường Sa drawn as Viet Nam's island groups."""

from __future__ import annotations

import re

import pytest

from hoptac.portal.adapters.outlines import load_outlines
from hoptac.portal.domain.map_layout import HEIGHT, WIDTH
from hoptac.portal.settings import PortalSettings

pytestmark = pytest.mark.unit

POINT = re.compile(r"(-?\d+\.\d),(-?\d+\.\d)")


def points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in POINT.findall(path)]


def test_the_country_and_each_of_the_34_provinces_have_an_outline_inside_the_frame() -> None:
    outlines = load_outlines(PortalSettings().node_modules)
    assert len(outlines.provinces) == 34
    assert {province.code for province in outlines.provinces} >= {"01", "79", "96"}
    for path in [outlines.country, *(province.path for province in outlines.provinces)]:
        drawn = points(path)
        assert drawn
        assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in drawn)


def test_hoang_sa_and_truong_sa_are_drawn_as_viet_nams_island_groups() -> None:
    outlines = load_outlines(PortalSettings().node_modules)
    islands = {group.name: (group.x, group.y) for group in outlines.archipelagos}
    assert set(islands) == {"Hoàng Sa", "Trường Sa"}
    for x, y in islands.values():
        assert 0 <= x <= WIDTH
        assert 0 <= y <= HEIGHT
