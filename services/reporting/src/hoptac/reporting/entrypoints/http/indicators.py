"""GET /v1/indicators: what each rate of the summary measures, in Vietnamese and English."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hoptac.reporting.domain.indicators import catalogue
from hoptac.reporting.entrypoints.http.answers import IndicatorCatalogue

router = APIRouter(prefix="/v1", tags=["statistics"])


@router.get(
    "/indicators",
    summary="The digital-transformation indicators (Directive 19/CT-TTg) and how each is counted",
    response_model=IndicatorCatalogue,
)
async def indicators() -> dict[str, Any]:
    """Each indicator's code, name and definition in Vietnamese and English, its numerator and
    denominator, and its legal basis. The summary report's `digital.rates` carry the same
    `flag`s, so a page can label and explain each rate."""
    return catalogue()
