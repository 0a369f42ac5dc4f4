"""How a public challenge was resolved, as a person writes it on the area page: bounded here as
collection bounds it (10 to 2,000 characters once trimmed), so that a mistake is shown beside
its form; collection checks again and decides (the area, whether it is still open)."""

from __future__ import annotations

from hoptac.portal.domain.search_form import Problem

MIN_RESOLUTION = 10  # collection's bounds on a resolution
MAX_RESOLUTION = 2000


def read_resolution(text: str, control: str) -> tuple[str | None, list[Problem]]:
    """The resolution to send; its problems are shown at `control`."""
    resolution = text.strip()
    if len(resolution) < MIN_RESOLUTION:
        return None, [Problem(control, "error.resolution_required")]
    if len(resolution) > MAX_RESOLUTION:
        return None, [Problem(control, "error.resolution_too_long")]
    return resolution, []
