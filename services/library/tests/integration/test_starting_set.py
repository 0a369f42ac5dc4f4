"""A new library starts with the national documents, once."""

from __future__ import annotations

import httpx
import pytest

from hoptac.library.entrypoints.http.app import create_app
from hoptac.library.seed.national import DOCUMENTS
from hoptac.platform.identity import StaticIdentity

from .conftest import make_settings

pytestmark = pytest.mark.integration


async def test_the_starting_set_is_entered_on_a_new_library_and_only_once(
    database_url: str, nats_url: str
) -> None:
    for _ in range(2):
        app = create_app(
            make_settings(database_url, nats_url, load_starting_set=True),
            identity=StaticIdentity({}),
        )
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://l") as client:
                items = (await client.get("/v1/documents")).json()["items"]
                cited = await client.get("/v1/documents", params={"number": "92/2024/nđ-cp "})
    assert len(items) == len(DOCUMENTS)
    law = next(item for item in items if item["number"] == "17/2023/QH15")
    assert (law["signed_on"], law["in_force_from"]) == ("2023-06-20", "2024-07-01")
    old = next(item for item in items if item["number"] == "23/2012/QH13")
    assert old["status"] == "replaced"
    # As other services cite it, case and spacing aside.
    assert [item["number"] for item in cited.json()["items"]] == ["92/2024/NĐ-CP"]
