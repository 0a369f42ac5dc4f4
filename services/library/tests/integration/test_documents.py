"""Staff add and correct documents; every change is audited, published, and nothing half stored."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx
import nats
import pytest

from hoptac.contracts.library import LIBRARY_STREAM, parse_document_event
from hoptac.platform.testing import wait_until

from ..samples import DAMAGED_PDF, NOT_A_DOCUMENT, docx_with_text, encrypted_pdf, pdf_with_text
from .conftest import LAW, OFFICER, REVIEWER, bearer

pytestmark = pytest.mark.integration


async def add(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await client.post("/v1/documents", json={**LAW, **fields}, headers=bearer(REVIEWER))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def upload(
    client: httpx.AsyncClient, document_id: str, content: bytes, name: str = "van-ban.pdf"
) -> httpx.Response:
    return await client.put(
        f"/v1/documents/{document_id}/file",
        params={"name": name},
        content=content,
        headers={**bearer(REVIEWER), "Content-Type": "application/pdf"},
    )


async def test_a_reviewer_adds_a_document_and_anyone_reads_it(client: httpx.AsyncClient) -> None:
    added = await add(client, number=" 17/2023/ QH15 ")
    assert added["number"] == "17/2023/QH15"
    assert added["version"] == 1
    read = await client.get(f"/v1/documents/{added['id']}")
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert read.json()["replaces_links"] == [{"number": "23/2012/QH13", "id": None, "title": None}]


async def test_without_a_token_or_with_another_role_nothing_is_written(
    client: httpx.AsyncClient,
) -> None:
    anonymous = await client.post("/v1/documents", json=LAW)
    assert anonymous.status_code == 401
    officer = await client.post("/v1/documents", json=LAW, headers=bearer(OFFICER))
    assert officer.status_code == 403
    assert (await client.get("/v1/documents")).json()["items"] == []


async def test_the_same_number_twice_is_refused(client: httpx.AsyncClient) -> None:
    await add(client)
    again = await client.post(
        "/v1/documents", json={**LAW, "number": "17/2023/qh15"}, headers=bearer(REVIEWER)
    )
    assert again.status_code == 409
    assert "17/2023/QH15" in again.json()["message"]


async def test_bad_metadata_names_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/documents",
        json={
            **LAW,
            "number": "luật mới",
            "in_force_from": "2020-01-01",
            "amends": ["17/2023/QH15"],
        },
        headers=bearer(REVIEWER),
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"body.number", "body.in_force_from"}


async def test_relations_are_read_both_ways(client: httpx.AsyncClient) -> None:
    old = await add(client, number="23/2012/QH13", status="replaced", replaces=[])
    new = await add(client)
    old_page = (await client.get(f"/v1/documents/{old['id']}")).json()
    assert old_page["replaced_by"] == [
        {"number": "17/2023/QH15", "id": new["id"], "title": "Luật Hợp tác xã"}
    ]
    new_page = (await client.get(f"/v1/documents/{new['id']}")).json()
    assert new_page["replaces_links"][0]["id"] == old["id"]


async def test_a_correction_needs_the_current_version_and_is_audited(
    client: httpx.AsyncClient,
) -> None:
    added = await add(client)
    url = f"/v1/documents/{added['id']}"
    stale = await client.patch(
        url, json={"status": "partly_amended"}, headers={**bearer(REVIEWER), "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    corrected = await client.patch(
        url,
        json={"status": "partly_amended", "reason": "Sửa đổi bởi luật mới"},
        headers={**bearer(REVIEWER), "If-Match": '"1"'},
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["version"] == 2
    history = (await client.get(f"{url}/history", headers=bearer(REVIEWER))).json()["items"]
    assert [entry["event_type"] for entry in history] == ["document.added", "document.corrected"]
    assert history[1]["actor"] == "Nguyễn Thị Duyệt"
    assert history[1]["changed_fields"] == [
        {"field": "status", "before": "in_force", "after": "partly_amended"}
    ]
    assert (await client.get(f"{url}/history")).status_code == 401


async def test_a_pdf_is_kept_with_its_checksum_and_its_text(client: httpx.AsyncClient) -> None:
    added = await add(client)
    content = pdf_with_text("Hop tac xa tu nguyen thanh lap")
    response = await upload(client, added["id"], content, "luat-htx.pdf")
    assert response.status_code == 200, response.text
    file = response.json()["file"]
    assert file["media_type"] == "application/pdf"
    assert file["text_status"] == "extracted"
    assert file["size_bytes"] == len(content)
    download = await client.get(f"/v1/documents/{added['id']}/file")
    assert download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert file["sha256"] in download.headers["digest"]


async def test_a_docx_is_known_by_its_bytes_whatever_its_name(client: httpx.AsyncClient) -> None:
    added = await add(client)
    response = await upload(client, added["id"], docx_with_text("Điều 1."), "scan.pdf")
    assert response.json()["file"]["media_type"].endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    "content", [encrypted_pdf("Bi mat"), DAMAGED_PDF], ids=["encrypted", "damaged"]
)
async def test_an_unreadable_pdf_is_kept_and_marked(
    client: httpx.AsyncClient, content: bytes
) -> None:
    added = await add(client)
    response = await upload(client, added["id"], content)
    assert response.status_code == 200
    assert response.json()["file"]["text_status"] == "not_extracted"


@pytest.mark.parametrize(
    ("content", "status", "key_word"),
    [
        (NOT_A_DOCUMENT, 422, "PDF"),
        (b"", 422, "empty"),
        (b"%PDF-" + b"0" * 300_000, 413, "200,000"),
    ],
    ids=["not-a-document", "empty", "too-large"],
)
async def test_a_bad_file_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, content: bytes, status: int, key_word: str
) -> None:
    added = await add(client)
    response = await upload(client, added["id"], content)
    assert response.status_code == status
    assert key_word in response.json()["message"]
    page = (await client.get(f"/v1/documents/{added['id']}")).json()
    assert (page["file"], page["version"]) == (None, 1)


async def test_the_same_file_twice_is_refused_with_the_document_holding_it(
    client: httpx.AsyncClient,
) -> None:
    first = await add(client)
    second = await add(client, number="92/2024/NĐ-CP", type="decree", replaces=[])
    content = pdf_with_text("Nghi dinh")
    assert (await upload(client, first["id"], content)).status_code == 200
    again = await upload(client, second["id"], content)
    assert again.status_code == 409
    assert "17/2023/QH15" in again.json()["message"]
    page = (await client.get(f"/v1/documents/{second['id']}")).json()
    assert (page["file"], page["version"]) == (None, 1)
    history = (
        await client.get(f"/v1/documents/{second['id']}/history", headers=bearer(REVIEWER))
    ).json()["items"]
    assert len(history) == 1


async def test_every_change_reaches_the_stream_in_order_with_its_text(
    client: httpx.AsyncClient, nats_url: str
) -> None:
    added = await add(client)
    await upload(client, added["id"], docx_with_text("Hợp tác xã là tổ chức kinh tế"))
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        subscription = await js.pull_subscribe("library.v1.document.>", stream=LIBRARY_STREAM)

        messages: list[Any] = []

        async def both_arrived() -> bool:
            with contextlib.suppress(TimeoutError):
                messages.extend(await subscription.fetch(2, timeout=0.2))
            return len(messages) == 2

        await wait_until(both_arrived)
    finally:
        await nc.close()
    events = [parse_document_event(message.data) for message in messages]
    assert [e.event_type for e in events] == ["document.added", "document.file_attached"]
    assert [e.sequence for e in events] == sorted(e.sequence for e in events)
    assert events[1].document_version == 2
    assert "tổ chức kinh tế" in events[1].data.text
    assert events[0].actor.startswith("staff:")
    assert "Duyệt" not in json.dumps([m.data.decode() for m in messages])


async def test_the_change_log_holds_every_event(client: httpx.AsyncClient) -> None:
    await add(client)
    log = (await client.get("/v1/changes", params={"after": 0})).json()
    assert [event["event_type"] for event in log["events"]] == ["document.added"]
    assert log["next"] == log["events"][0]["sequence"]
