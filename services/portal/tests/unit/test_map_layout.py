"""The map's frame holds every commune, Hoàng Sa and Trường Sa included; close communes group."""

from __future__ import annotations

import pytest

from hoptac.portal.adapters.areas import load_area_names
from hoptac.portal.domain.map_layout import CELL, HEIGHT, WIDTH, groups, project, spot

pytestmark = pytest.mark.unit

HOANG_SA, TRUONG_SA = "20333", "22736"


def test_every_commune_centroid_falls_inside_the_frame() -> None:
    areas = load_area_names()
    assert {HOANG_SA, TRUONG_SA} <= areas.centroids.keys()
    assert len(areas.centroids) == 3321
    for lat, lon in areas.centroids.values():
        x, y = project(lat, lon)
        assert 0 <= x <= WIDTH
        assert 0 <= y <= HEIGHT


def test_communes_closer_than_a_cell_are_one_group_with_their_sum() -> None:
    centroids = {"a": (10.0, 105.0), "b": (10.01, 105.01), "c": (21.0, 105.8)}
    drawn = groups({"a": 5, "b": 3, "c": 1, "unknown": 4}, centroids)
    assert [(g.count, g.communes) for g in drawn] == [(8, ("a", "b")), (1, ("c",))]
    assert drawn[0].radius > drawn[1].radius
    assert CELL > 0


def test_a_profile_is_placed_by_its_own_coordinates_else_at_its_communes_centre() -> None:
    centroids = {"31825": (9.29, 105.72)}
    own = spot({"lat": 9.0, "lon": 105.1, "commune_code": "31825"}, centroids)
    assert own is not None
    assert own.own
    assert (own.x, own.y) != project(9.29, 105.72)
    at_commune = spot({"commune_code": "31825"}, centroids)
    assert at_commune is not None
    assert not at_commune.own
    assert spot({"commune_code": "99999"}, centroids) is None
