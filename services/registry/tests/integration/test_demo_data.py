"""The demo province loads through the real API, every record accepted, and twice is harmless."""

from __future__ import annotations

import httpx
import pytest

from hoptac.registry.adapters.admin_units import official_units
from hoptac.registry.demo.generator import generate_province
from hoptac.registry.demo.loader import load_demo

from .conftest import Tokens

pytestmark = pytest.mark.integration


async def test_the_demo_province_loads_without_a_single_refusal(
    client: httpx.AsyncClient, transport: httpx.ASGITransport, issued: Tokens
) -> None:
    organizations = generate_province(official_units(), "96", 60, seed=7)
    first = await load_demo(
        "http://registry", issued.admin, organizations, progress=False, transport=transport
    )
    assert (first.created, first.failures) == (60, 0), first.errors
    assert first.status_changes > 0
    again = await load_demo(
        "http://registry", issued.admin, organizations, progress=False, transport=transport
    )
    assert (again.created, again.already_present, again.failures) == (0, 60, 0)
    listed = (await client.get("/v1/organizations", params={"limit": 200})).json()["items"]
    assert {item["kind"] for item in listed} >= {"cooperative", "cooperative_group"}
