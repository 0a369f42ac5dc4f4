"""The policy library's documents, from its events, found the way people type Vietnamese."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from nats.aio.client import Client
from nats.js.api import StreamConfig

from hoptac.contracts.library import LIBRARY_STREAM, LIBRARY_SUBJECT_PREFIX
from hoptac.platform.consumer import (
    DEAD_LETTER_STREAM,
    Message,
    Poison,
    dead_letter_subject,
)
from hoptac.platform.testing import wait_until
from hoptac.search.entrypoints.http.app import create_app
from hoptac.search.entrypoints.library_feed import LibraryFeed
from hoptac.search.settings import SearchSettings

pytestmark = pytest.mark.integration

# Every test runs on both engines of the library's index.
BACKENDS = ["tantivy", pytest.param("opensearch", marks=pytest.mark.opensearch)]


def document_event(
    number: str,
    title: str,
    text: str = "",
    version: int = 1,
    document_id: str | None = None,
    sequence: int | None = None,
    **metadata: Any,
) -> bytes:
    record = {
        "id": document_id or str(uuid.uuid4()),
        "version": version,
        "number": number,
        "title": title,
        "type": "law",
        "issuer": "Quốc hội",
        "signed_on": "2023-06-20",
        "in_force_from": None,
        "status": "in_force",
        "amends": [],
        "replaces": [],
        "kinds": ["cooperative"],
        "sectors": [],
        "topics": ["organisation"],
        "area": "national",
        "summary": "",
        "file": None,
        "updated_at": datetime.now(UTC).isoformat(),
        **metadata,
    }
    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": "document.added" if version == 1 else "document.corrected",
        "schema_version": 1,
        "recorded_at": datetime.now(UTC).isoformat(),
        "sequence": sequence or version,
        "document_id": record["id"],
        "document_version": version,
        "actor": "staff:0000",
        "data": {"record": record, "changed_fields": [], "text": text, "reason": None},
    }
    return orjson.dumps(envelope)


def message(body: bytes) -> Message:
    return Message(data=body, subject="library.v1.document.added", stream_sequence=1, deliveries=1)


def engine_settings(backend: str) -> dict[str, Any]:
    """tantivy, or OpenSearch with index names of the test's own (skipped without a server)."""
    if backend == "tantivy":
        return {}
    url = os.environ.get("OPENSEARCH_URL")
    if not url:
        pytest.skip(
            "OpenSearch half of the library's index tests: set OPENSEARCH_URL (e.g. "
            "http://127.0.0.1:9200) to run it; no OpenSearch server is reachable here"
        )
    names = f"hoptac-test-{uuid.uuid4().hex[:12]}"
    return {
        "backend": "opensearch",
        "opensearch_url": url,
        "opensearch_index": names,
        "opensearch_library_index": f"{names}-library",
    }


@pytest.fixture(params=BACKENDS)
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = SearchSettings(
        consume=False,
        var_dir=tmp_path,
        search_processes=0,
        registry_token="unused",
        registry_url="http://127.0.0.1:9",
        library_url="http://127.0.0.1:9",  # nothing listens: the events come from the tests
        **engine_settings(request.param),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app
        for index in (app.state.library_index, app.state.index):
            drop = getattr(index, "drop", None)  # OpenSearch: the test's own indices
            if drop is not None:
                await drop()


async def feed(app: FastAPI, *bodies: bytes) -> None:
    settings = SearchSettings(consume=False, var_dir=Path("unused"), registry_token="unused")
    await LibraryFeed(settings, app.state.library_index).handle([message(b) for b in bodies])


async def search(app: FastAPI, **params: Any) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://search") as client:
        response = await client.get("/v1/documents/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_word_of_the_text_finds_the_document_with_or_without_diacritics(
    app: FastAPI,
) -> None:
    await feed(
        app,
        document_event("17/2023/QH15", "Luật Hợp tác xã", "Thành viên có quyền rút vốn góp"),
        document_event("148/QĐ-TTg", "Bộ tiêu chí OCOP", "phân hạng sản phẩm", type="decision"),
    )
    for q in ("rút vốn", "rut von", "RÚT VỐN"):
        found = await search(app, q=q)
        assert [item["number"] for item in found["items"]] == ["17/2023/QH15"], q
    assert (await search(app, q="phan hang"))["items"][0]["number"] == "148/QĐ-TTg"


async def test_a_document_is_found_by_its_number_and_symbol(app: FastAPI) -> None:
    await feed(app, document_event("92/2024/NĐ-CP", "Nghị định về đăng ký", type="decree"))
    for q in ("92/2024/NĐ-CP", "92/2024/nd-cp", "nđ-cp 92", "ndcp"):
        assert (await search(app, q=q))["total"] == 1, q


async def test_the_same_diacritics_rank_first(app: FastAPI) -> None:
    await feed(
        app,
        document_event("1/2024/QĐ-UBND", "Quyết định hỗ trợ hoa màu", area="96"),
        document_event("2/2024/QĐ-UBND", "Quyết định hỗ trợ Hòa Bình", area="96"),
    )
    assert (await search(app, q="hòa"))["items"][0]["number"] == "2/2024/QĐ-UBND"
    assert (await search(app, q="hoa"))["total"] == 2


async def test_facets_count_every_match_and_filters_narrow(app: FastAPI) -> None:
    await feed(
        app,
        document_event("17/2023/QH15", "Luật Hợp tác xã"),
        document_event(
            "23/2012/QH13", "Luật Hợp tác xã", status="replaced", signed_on="2012-11-20"
        ),
        document_event("919/QĐ-TTg", "Chương trình OCOP", type="decision", topics=["ocop"]),
    )
    everything = await search(app)
    assert everything["total"] == 3
    assert everything["facets"]["type"] == {"law": 2, "decision": 1}
    assert everything["facets"]["year"] == {"2023": 2, "2012": 1}
    laws_in_force = await search(app, q="hop tac xa", status="in_force")
    assert [item["number"] for item in laws_in_force["items"]] == ["17/2023/QH15"]
    # A facet counts under the other filters, so the values one could switch to still show.
    assert laws_in_force["facets"]["status"] == {"in_force": 1, "replaced": 1}
    assert (await search(app, topic="ocop"))["total"] == 1


async def test_a_newer_version_replaces_and_an_older_one_changes_nothing(app: FastAPI) -> None:
    document_id = str(uuid.uuid4())
    await feed(
        app,
        document_event(
            "17/2023/QH15",
            "Luật Hợp tác xã",
            version=2,
            document_id=document_id,
            status="partly_amended",
        ),
    )
    await feed(app, document_event("17/2023/QH15", "Luật", version=1, document_id=document_id))
    found = await search(app, q="17/2023/QH15")
    assert found["total"] == 1
    assert found["items"][0]["status"] == "partly_amended"


async def test_a_message_that_is_not_a_library_event_is_poison(app: FastAPI) -> None:
    with pytest.raises(Poison):
        await feed(app, b'{"event_type": "document.added"}')


async def test_bad_parameters_are_a_422_naming_them(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://search") as client:
        for params in ({"type": "novel"}, {"year": "20x4"}, {"limit": "0"}, {"q": "a\x00"}):
            response = await client.get("/v1/documents/search", params=params)
            assert response.status_code == 422, params


@pytest.fixture
async def consuming_app(nats_url: str, nc: Client, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The service as it runs: both consumers on the real nats-server (stream COOP_ORG_V1
    made by `nc`; LIBRARY_DOC_V1 left to each test, as the library would make it)."""
    settings = SearchSettings(
        nats_url=nats_url,
        var_dir=tmp_path,
        search_processes=0,
        consumer_fetch_timeout=0.2,
        consumer_max_tries=2,
        registry_token="unused",
        registry_url="http://127.0.0.1:9",
        library_url="http://127.0.0.1:9",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def library_stream(nc: Client) -> None:
    await nc.jetstream().add_stream(
        StreamConfig(name=LIBRARY_STREAM, subjects=[f"{LIBRARY_SUBJECT_PREFIX}.>"])
    )


async def ready(app: FastAPI) -> bool:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://search") as client:
        return (await client.get("/readyz")).status_code == 200


def consumer_ready(app: FastAPI, durable: str) -> float | None:
    registry = app.state.background.metrics
    return registry.get_sample_value("hoptac_consumer_ready", {"consumer": durable})  # type: ignore[no-any-return]


async def test_the_library_stream_is_consumed_by_the_platform_consumer_and_poison_set_aside(
    consuming_app: FastAPI, nc: Client
) -> None:
    await library_stream(nc)
    js = nc.jetstream()
    await js.publish(f"{LIBRARY_SUBJECT_PREFIX}.added", b'{"event_type": "document.added"}')
    await js.publish(
        f"{LIBRARY_SUBJECT_PREFIX}.added", document_event("17/2023/QH15", "Luật Hợp tác xã")
    )

    async def indexed() -> bool:
        return (await search(consuming_app, q="17/2023/QH15"))["total"] == 1

    await wait_until(indexed, 30, message="the document indexed from LIBRARY_DOC_V1")
    letter = await js.get_last_msg(DEAD_LETTER_STREAM, dead_letter_subject("search-library"))
    assert letter.data == b'{"event_type": "document.added"}'
    assert letter.headers is not None
    assert letter.headers["Hoptac-Original-Subject"] == f"{LIBRARY_SUBJECT_PREFIX}.added"
    await wait_until(lambda: ready(consuming_app), 30, message="search ready")
    # Both consumers report on the service's one registry, each under its own name.
    await wait_until(
        lambda: consumer_ready(consuming_app, "search-library") == 1, 10, message="metric"
    )
    assert consumer_ready(consuming_app, "search") == 1


async def test_search_is_ready_without_the_library_and_follows_its_stream_once_made(
    consuming_app: FastAPI, nc: Client
) -> None:
    await wait_until(lambda: ready(consuming_app), 30, message="ready with no LIBRARY_DOC_V1")
    await library_stream(nc)
    await nc.jetstream().publish(
        f"{LIBRARY_SUBJECT_PREFIX}.added", document_event("92/2024/NĐ-CP", "Nghị định")
    )

    async def indexed() -> bool:
        return (await search(consuming_app, q="92/2024/NĐ-CP"))["total"] == 1

    await wait_until(indexed, 30, message="the document indexed once the stream exists")
    assert await ready(consuming_app)
