"""The outline of Viet Nam and of its 34 provinces for the map page, drawn from openly licensed
data the project installs, so that no tile server or other host is needed.

- The country: Natural Earth's 1:50m land (public domain), as the npm package `world-atlas`
  ships it in TopoJSON (ISC licence).
- The provinces: approximated from where their communes lie. Each of the 3,321 communes gets the
  part of the country nearer its centroid than any other's (a Voronoi cell; the centroids come
  from the official units the platform installs), and a province is the union of its communes'
  cells. Borders are therefore approximate, drawn to place organisations, not to survey land.
- Hoàng Sa and Trường Sa, the special zones of Đà Nẵng and Khánh Hòa, lie beyond Natural Earth's
  land at this scale: they are drawn as Viet Nam's island groups at their official centroids,
  with their names, as Vietnamese law requires.

Computed once per process (about a second), then kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from hoptac.platform.admin_units import CurrentRow, current_rows
from hoptac.portal.domain.map_layout import project

VIET_NAM = "704"  # ISO 3166-1 numeric, the id Natural Earth's countries carry
ARCHIPELAGOS = {"20333": "Hoàng Sa", "22736": "Trường Sa"}  # commune code: name
SIMPLIFY = 0.02  # degrees (about 2 km): invisible at the map's scale, a small page


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    path: str  # SVG path data, in the map's frame


@dataclass(frozen=True)
class Archipelago:
    name: str
    x: float
    y: float


@dataclass(frozen=True)
class Outlines:
    country: str  # SVG path data
    provinces: tuple[Province, ...]
    archipelagos: tuple[Archipelago, ...]


@lru_cache(maxsize=2)
def load_outlines(node_modules: Path) -> Outlines:
    atlas = json.loads((node_modules / "world-atlas" / "countries-50m.json").read_text())
    land = country(atlas, VIET_NAM).simplify(SIMPLIFY)
    rows = [row for row in current_rows() if row.code not in ARCHIPELAGOS]
    shapes = provinces(rows, land)
    names = {row.province_code: row.province for row in rows}
    archipelagos = []
    for row in current_rows():
        if row.code in ARCHIPELAGOS:
            x, y = project(row.lat, row.lon)
            archipelagos.append(Archipelago(ARCHIPELAGOS[row.code], round(x, 1), round(y, 1)))
    return Outlines(
        country=svg_path(land, project),
        provinces=tuple(
            Province(code, names[code], svg_path(shape, project))
            for code, shape in sorted(shapes.items())
        ),
        archipelagos=tuple(archipelagos),
    )


def country(topology: dict[str, Any], country_id: str) -> BaseGeometry:
    """One country of a TopoJSON topology (quantized, delta-encoded arcs) as a geometry."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            part = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(part[1:] if points else part)
        return points

    (geometry,) = [
        g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == country_id
    ]
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return MultiPolygon(
        [Polygon(ring(rings[0]), [ring(hole) for hole in rings[1:]]) for rings in polygons]
    )


def provinces(rows: Iterable[CurrentRow], land: BaseGeometry) -> dict[str, BaseGeometry]:
    """Each province as the union of its communes' Voronoi cells, within `land`."""
    rows = list(rows)
    # lon, lat: x, y; two communes sharing a centroid would share a cell, which changes nothing.
    cells = shapely.voronoi_polygons(
        MultiPoint([Point(row.lon, row.lat) for row in rows]),
        extend_to=land.envelope.buffer(1.0),
        ordered=True,
    )
    members: dict[str, list[BaseGeometry]] = {}
    for row, cell in zip(rows, cells.geoms, strict=True):
        members.setdefault(row.province_code, []).append(cell)
    return {
        code: shapely.union_all(parts).intersection(land).simplify(SIMPLIFY / 2)
        for code, parts in members.items()
    }


def svg_path(geometry: BaseGeometry, to_xy: Callable[[float, float], tuple[float, float]]) -> str:
    """SVG path data of a polygon or multipolygon (lon, lat), projected by `to_xy(lat, lon)`."""
    parts = []
    for polygon in _polygons(geometry):
        for ring in [polygon.exterior, *polygon.interiors]:
            points = [to_xy(lat, lon) for lon, lat in ring.coords]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    return [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)]
