"""Where the map page draws organisations: commune centroids projected onto a fixed frame that
holds all of Viet Nam, Hoàng Sa and Trường Sa included, grouped where they would overlap.

Equirectangular, scaled by the cosine of the middle latitude: at this size and latitude the
distortion is below what a reader can see, and the arithmetic stays plain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The frame: every commune centroid lies inside (lat 8.6–23.3, lon 102.3–114.5), with a margin.
SOUTH, NORTH, WEST, EAST = 8.0, 23.8, 101.8, 115.2
WIDTH = 480
_SCALE = WIDTH / ((EAST - WEST) * math.cos(math.radians((SOUTH + NORTH) / 2)))
HEIGHT = round((NORTH - SOUTH) * _SCALE)
CELL = 16  # px: communes closer than this are drawn as one group
MIN_RADIUS, MAX_RADIUS = 3.0, 22.0


@dataclass(frozen=True)
class Group:
    x: float
    y: float
    radius: float
    count: int
    communes: tuple[str, ...]  # codes, the largest first


def project(lat: float, lon: float) -> tuple[float, float]:
    x = (lon - WEST) * math.cos(math.radians((SOUTH + NORTH) / 2)) * _SCALE
    return x, (NORTH - lat) * _SCALE


def groups(counts: Mapping[str, int], centroids: Mapping[str, tuple[float, float]]) -> list[Group]:
    """One group per occupied grid cell, at the count-weighted centre of its communes."""
    cells: dict[tuple[int, int], list[tuple[str, int, float, float]]] = {}
    for code, count in counts.items():
        if count <= 0 or code not in centroids:
            continue
        x, y = project(*centroids[code])
        cells.setdefault((int(x // CELL), int(y // CELL)), []).append((code, count, x, y))
    largest = max((sum(c for _, c, _, _ in members) for members in cells.values()), default=1)
    return sorted((_group(members, largest) for members in cells.values()), key=lambda g: -g.count)


def _group(members: Iterable[tuple[str, int, float, float]], largest: int) -> Group:
    ordered = sorted(members, key=lambda member: -member[1])
    total = sum(count for _, count, _, _ in ordered)
    x = sum(count * x for _, count, x, _ in ordered) / total
    y = sum(count * y for _, count, _, y in ordered) / total
    radius = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(total / largest)
    return Group(round(x, 1), round(y, 1), round(radius, 1), total, tuple(c for c, *_ in ordered))


@dataclass(frozen=True)
class Spot:
    x: float
    y: float
    own: bool  # the organisation's own coordinates; else its commune's centroid


def spot(
    address: Mapping[str, object], centroids: Mapping[str, tuple[float, float]]
) -> Spot | None:
    """Where a profile's small map puts the organisation: its own coordinates when the record has
    them, else its current commune's centroid, else nowhere."""
    lat, lon = address.get("lat"), address.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        x, y = project(float(lat), float(lon))
        return Spot(round(x, 1), round(y, 1), own=True)
    commune = address.get("commune_code")
    if isinstance(commune, str) and commune in centroids:
        x, y = project(*centroids[commune])
        return Spot(round(x, 1), round(y, 1), own=False)
    return None
