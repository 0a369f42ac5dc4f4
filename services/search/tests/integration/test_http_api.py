"""The HTTP API over ASGI, on a real tantivy index: answers, and clear errors for bad input."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.tantivy_index import TantivyIndex
from hoptac.search.domain.changes import Upsert
from hoptac.search.domain.documents import document_from_record
from hoptac.search.domain.query import SearchQuery
from hoptac.search.entrypoints.http.app import create_app
from hoptac.search.entrypoints.http.fast import FastPaths
from hoptac.search.settings import SearchSettings

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(tmp_path: Path, record) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    index = TantivyIndex(tmp_path / "search")
    names = ["Hợp tác xã Nông nghiệp Tân Hưng", "Hợp tác xã Hoà Bình", "Tổ hợp tác Rau sạch"]
    records = [record(name=n, registration_number=f"600100000{i}") for i, n in enumerate(names)]
    records[2]["kind"] = "cooperative_group"
    await index.apply(
        [Upsert(document_from_record(r, official_areas())) for r in records], last_sequence=3
    )
    settings = SearchSettings(consume=False, var_dir=tmp_path, registry_token="unused")
    app = create_app(settings, index)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://search") as c,
    ):
        yield c


async def test_search_answers_with_total_items_and_facets(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/search", params={"q": "hoa binh"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert {"id", "name", "kind", "status", "version"} <= set(item)
    assert item["name"] == "Hợp tác xã Hoà Bình"
    assert body["facets"]["kind"] == {"cooperative": 1}
    assert body["next_cursor"] is None


async def test_filters_repeat_or_take_commas(client: httpx.AsyncClient) -> None:
    both = "cooperative,cooperative_group"
    assert (await client.get("/v1/search", params={"kind": both})).json()["total"] == 3
    repeated = [("kind", "cooperative_group"), ("kind", "peoples_credit_fund")]
    assert (await client.get("/v1/search", params=repeated)).json()["total"] == 1


async def test_a_map_of_a_search_counts_its_matches_by_current_commune(
    client: httpx.AsyncClient,
) -> None:
    params = {"q": "hop tac xa", "kind": "cooperative"}
    answer = (await client.get("/v1/search/communes", params=params)).json()
    assert answer == {"total": 2, "communes": {"31825": 2}}
    assert (await client.get("/v1/search", params=params)).json()["total"] == 2
    refused = await client.get("/v1/search/communes", params={"kind": "farm"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "query.kind"


async def test_pages_follow_the_cursor(client: httpx.AsyncClient) -> None:
    first = (await client.get("/v1/search", params={"limit": 2, "sort": "name"})).json()
    assert len(first["items"]) == 2
    params = {"limit": 2, "sort": "name", "cursor": first["next_cursor"]}
    second = (await client.get("/v1/search", params=params)).json()
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None


async def test_suggest_completes_a_name(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/suggest", params={"q": "htx tân h"})
    assert response.status_code == 200
    assert response.json()["items"][0]["name"] == "Hợp tác xã Nông nghiệp Tân Hưng"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/search", {"limit": "0"}, "limit"),
        ("/v1/search", {"limit": "many"}, "limit"),
        ("/v1/search", {"q": "x" * 201}, "q"),
        ("/v1/search", {"kind": "farm"}, "kind"),
        ("/v1/search", {"province": "1"}, "province"),
        ("/v1/search", {"cursor": "garbage"}, "cursor"),
        ("/v1/search", {"bbox": "north"}, "bbox"),
        ("/v1/search", {"sort": "size"}, "sort"),
        ("/v1/suggest", {}, "q"),
        ("/v1/suggest", {"q": "a", "limit": "500"}, "limit"),
    ],
)
async def test_bad_input_gets_a_clear_422(
    client: httpx.AsyncClient, path: str, params: dict[str, str], field: str
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert f"query.{field}" in [e["field"] for e in body["errors"]]
    assert body["message"]


def crafted_cursor(position: object) -> str:
    body = json.dumps({"f": SearchQuery("").fingerprint(), "p": position}).encode()
    return base64.urlsafe_b64encode(body).decode().rstrip("=")


CRAFTED = [
    ("/v1/search", {"cursor": crafted_cursor({"o": 2**40})}),
    ("/v1/search", {"cursor": crafted_cursor({"o": "abc"})}),
    ("/v1/search", {"cursor": crafted_cursor({"o": -5})}),
    ("/v1/search", {"cursor": crafted_cursor({"o": [1]})}),
    ("/v1/search", {"cursor": crafted_cursor({"a": [1]})}),
    ("/v1/search", {"cursor": crafted_cursor([1])}),
    ("/v1/search", {"cursor": crafted_cursor("p")}),
    ("/v1/search", {"cursor": "\x00"}),
    ("/v1/search", {"limit": "9" * 5000}),
    ("/v1/search", {"limit": "²"}),
    ("/v1/search", {"limit": "١٢"}),
    ("/v1/search", {"province": "٩٦"}),
    ("/v1/search", {"q": "x" * 20_000}),
    ("/v1/search", {"q": "hợp tác xã\x00"}),
    ("/v1/search", {"bbox": "1e999,0,1e999,1"}),
    ("/v1/suggest", {"q": "tân\x00"}),
    ("/v1/suggest", {"q": "tân", "limit": "9" * 5000}),
    ("/v1/suggest", {"q": "x" * 20_000}),
]


@pytest.mark.parametrize(("path", "params"), CRAFTED)
async def test_crafted_input_is_a_422_never_a_500(
    client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422, response.text[:200]
    body = response.json()
    assert body["error"] == "invalid_request"
    assert len(response.content) < 1000


async def test_operations_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    assert (await client.get("/readyz")).status_code == 200
    await client.get("/v1/search", params={"q": "tân"})
    metrics = (await client.get("/metrics")).text
    assert "hoptac_search_documents 3.0" in metrics
    assert "hoptac_search_last_sequence 3.0" in metrics
    assert 'hoptac_search_query_seconds_count{endpoint="search"} 1.0' in metrics
    index = (await client.get("/v1/index")).json()
    assert index["documents"] == 3
    assert index["last_sequence"] == 3


async def test_the_fast_path_is_measured_under_its_route(client: httpx.AsyncClient) -> None:
    await client.get("/v1/search", params={"q": "tân"})
    await client.get("/v1/suggest", params={"q": "hoà"})
    metrics = (await client.get("/metrics")).text
    for route in ("/v1/search", "/v1/suggest"):
        assert f'route="{route}",service="search",status="200"' in metrics


async def test_the_fast_path_answers_as_the_fastapi_routes(tmp_path: Path, record) -> None:  # type: ignore[no-untyped-def]
    """The same requests, with and without FastPaths: the same statuses, types and bodies."""
    index = TantivyIndex(tmp_path / "search")
    names = ["Hợp tác xã Nông nghiệp Tân Hưng", "Hợp tác xã Hoà Bình", "Tổ hợp tác Rau sạch"]
    records = [record(name=n, registration_number=f"600100000{i}") for i, n in enumerate(names)]
    await index.apply([Upsert(document_from_record(r)) for r in records], last_sequence=3)
    settings = SearchSettings(consume=False, var_dir=tmp_path, registry_token="unused")
    fast, plain = create_app(settings, index), create_app(settings, index)
    plain.user_middleware = [m for m in plain.user_middleware if m.cls is not FastPaths]
    requests: list[tuple[str, list[tuple[str, str]]]] = [
        ("/v1/search", [("q", "hoa binh")]),
        ("/v1/search", [("kind", "cooperative"), ("kind", "cooperative_group"), ("limit", "1")]),
        ("/v1/search", [("q", "tân"), ("q", "rau"), ("sort", "name")]),
        ("/v1/search", [("limit", "0"), ("kind", "farm")]),
        ("/v1/suggest", [("q", "htx tân h")]),
        ("/v1/suggest", [("q", "a"), ("limit", "500")]),
    ]
    answers = []
    for app in (fast, plain):
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://search") as c,
        ):
            responses = [await c.get(path, params=params) for path, params in requests]
        answers.append([(r.status_code, r.headers["content-type"], r.content) for r in responses])
    assert answers[0] == answers[1]


async def test_suggestions_offer_the_places_named_as_filters(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/suggest", params={"q": "htx huyện cái nước"})
    assert response.status_code == 200
    places = response.json()["places"]
    assert places[0] == {
        "filter": "district",
        "code": "969",
        "name": "Huyện Cái Nước",
        "within": "Tỉnh Cà Mau",
        "former": True,
    }
    assert ("commune", "32128", "Xã Cái Nước") in [
        (p["filter"], p["code"], p["name"]) for p in places
    ]


async def test_hits_name_their_units(client: httpx.AsyncClient) -> None:
    item = (await client.get("/v1/search", params={"q": "hoa binh"})).json()["items"][0]
    assert item["commune_name"] == "Phường Bạc Liêu"
    assert item["legacy_district_name"] == "Thành phố Bạc Liêu"


@pytest.mark.parametrize(
    ("accept_language", "language", "said"),
    [
        ("vi-VN,vi;q=0.9,en;q=0.5", "vi", "'farm' không thuộc các giá trị cooperative"),
        ("en", "en", "'farm' is not one of cooperative"),
    ],
)
async def test_the_same_bad_query_is_answered_in_the_language_asked_for(
    client: httpx.AsyncClient, accept_language: str, language: str, said: str
) -> None:
    response = await client.get(
        "/v1/search", params={"kind": "farm"}, headers={"Accept-Language": accept_language}
    )
    assert response.status_code == 422
    assert response.headers["Content-Language"] == language
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["errors"] == [{"field": "query.kind", "message": body["errors"][0]["message"]}]
    assert body["errors"][0]["message"].startswith(said)
    assert said in body["message"]
