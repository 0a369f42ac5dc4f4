"""A document's text split into its articles, and staff recording which article a rule of the
register rests on: authorised, audited, announced, and bad input refused field by field."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
import nats
import pytest

from hoptac.contracts.library import LIBRARY_STREAM, parse_document_event
from hoptac.platform.testing import wait_until

from ..samples import docx_with_text
from .conftest import LAW, OFFICER, REVIEWER, bearer
from .test_documents import add, upload

pytestmark = pytest.mark.integration

TEXT = (
    "LUẬT HỢP TÁC XÃ",
    "Chương I",
    "NHỮNG QUY ĐỊNH CHUNG",
    "Điều 1. Phạm vi điều chỉnh",
    "Luật này quy định về hợp tác xã.",
    "Điều 2: Giải thể",
    "1. Hợp tác xã giải thể khi…",
    "Phụ lục I",
    "Mẫu đơn",
)


async def with_articles(client: httpx.AsyncClient) -> dict[str, Any]:
    added = await add(client)
    attached = await upload(client, added["id"], docx_with_text(*TEXT), "luat.docx")
    assert attached.status_code == 200, attached.text
    body: dict[str, Any] = attached.json()
    return body


async def record(
    client: httpx.AsyncClient,
    document: dict[str, Any],
    provisions: list[dict[str, str]],
    token: str = REVIEWER,
    language: str = "vi",
) -> httpx.Response:
    return await client.put(
        f"/v1/documents/{document['id']}/provisions",
        json={"provisions": provisions, "reason": "Đối chiếu văn bản gốc"},
        headers={
            **bearer(token),
            "If-Match": f'"{document["version"]}"',
            "Accept-Language": language,
        },
    )


async def test_the_articles_of_a_file_are_listed_in_order_with_their_anchors(
    client: httpx.AsyncClient,
) -> None:
    document = await with_articles(client)
    items = (await client.get(f"/v1/documents/{document['id']}/articles")).json()["items"]
    assert [(a["anchor"], a["label"], a["heading"]) for a in items] == [
        ("dieu-1", "Điều 1", "Phạm vi điều chỉnh"),
        ("dieu-2", "Điều 2", "Giải thể"),
        ("phu-luc-i", "Phụ lục I", "Mẫu đơn"),
    ]
    assert items[0]["part"] == "Chương I NHỮNG QUY ĐỊNH CHUNG"
    assert items[1]["text"] == "1. Hợp tác xã giải thể khi…"
    without_file = await add(client, number="23/2012/QH13", replaces=[])
    assert (await client.get(f"/v1/documents/{without_file['id']}/articles")).json() == {
        "items": []
    }


async def test_a_reviewer_records_the_article_a_rule_rests_on_audited_and_announced(
    client: httpx.AsyncClient, nats_url: str
) -> None:
    document = await with_articles(client)
    url = f"/v1/documents/{document['id']}"
    rules = (await client.get(f"{url}/rules")).json()["items"]
    assert rules == [  # the rules that cite this law, none recorded yet
        {"rule": "field.name", "article": None},
        {"rule": "status.bankrupt", "article": None},
        {"rule": "status.dissolved", "article": None},
    ]
    provisions = [
        {"rule": "status.dissolved", "article": "dieu-2"},
        {"rule": "field.name", "article": "dieu-1"},
    ]
    response = await record(client, document, provisions)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == document["version"] + 1
    assert response.json()["provisions"] == sorted(provisions, key=lambda p: p["rule"])
    cited = (await client.get("/v1/provisions", params={"rule": "status.dissolved"})).json()
    assert cited["items"] == [
        {
            "rule": "status.dissolved",
            "document_id": document["id"],
            "number": "17/2023/QH15",
            "article": {
                "kind": "article",
                "number": "2",
                "anchor": "dieu-2",
                "label": "Điều 2",
                "heading": "Giải thể",
            },
        }
    ]
    history = (await client.get(f"{url}/history", headers=bearer(REVIEWER))).json()["items"]
    assert history[-1]["event_type"] == "document.provisions_recorded"
    assert history[-1]["actor"] == "Nguyễn Thị Duyệt"
    assert history[-1]["reason"] == "Đối chiếu văn bản gốc"
    assert history[-1]["changed_fields"][0]["field"] == "provisions"
    nc = await nats.connect(nats_url)
    try:
        subscription = await nc.jetstream().pull_subscribe(
            "library.v1.document.provisions_recorded", stream=LIBRARY_STREAM
        )
        messages: list[Any] = []

        async def arrived() -> bool:
            with contextlib.suppress(TimeoutError):
                messages.extend(await subscription.fetch(1, timeout=0.2))
            return len(messages) == 1

        await wait_until(arrived)
    finally:
        await nc.close()
    event = parse_document_event(messages[0].data)
    assert event.event_type == "document.provisions_recorded"
    assert [p.article for p in event.data.record.provisions] == ["dieu-1", "dieu-2"]
    assert "Phạm vi điều chỉnh" in event.data.text  # the search index keeps the text


async def test_only_reviewers_and_admins_record_and_a_stale_version_is_refused(
    client: httpx.AsyncClient,
) -> None:
    document = await with_articles(client)
    provisions = [{"rule": "status.dissolved", "article": "dieu-2"}]
    anonymous = await client.put(
        f"/v1/documents/{document['id']}/provisions",
        json={"provisions": provisions},
        headers={"If-Match": f'"{document["version"]}"'},
    )
    assert anonymous.status_code == 401
    assert (await record(client, document, provisions, OFFICER)).status_code == 403
    stale = await record(client, {**document, "version": 1}, provisions)
    assert stale.status_code == 412
    assert (await client.get("/v1/provisions")).json() == {"items": []}


@pytest.mark.parametrize(
    ("language", "words"),
    [("vi", ("không có quy tắc", "không dẫn văn bản", "hai lần", "không có điều")),
     ("en", ("has no rule", "does not cite", "twice", "has no article"))],
)  # fmt: skip
async def test_bad_provisions_are_refused_each_beside_its_field_in_either_language(
    client: httpx.AsyncClient, language: str, words: tuple[str, ...]
) -> None:
    document = await with_articles(client)
    response = await record(
        client,
        document,
        [
            {"rule": "status.merged", "article": "dieu-1"},
            {"rule": "status.suspended", "article": "dieu-1"},
            {"rule": "status.dissolved", "article": "dieu-2"},
            {"rule": "status.dissolved", "article": "dieu-99"},
        ],
        language=language,
    )
    assert response.status_code == 422, response.text
    assert response.headers["Content-Language"] == language
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert words[0] in errors["body.provisions.0.rule"]
    assert words[1] in errors["body.provisions.1.rule"]
    assert LAW["number"] in errors["body.provisions.1.rule"]
    assert words[2] in errors["body.provisions.3.rule"]
    assert words[3] in errors["body.provisions.3.article"]
    unshaped = await record(client, document, [{"rule": "Giải thể", "article": "Điều 2"}])
    assert unshaped.status_code == 422
    read = (await client.get(f"/v1/documents/{document['id']}")).json()
    assert read["version"] == document["version"]
    assert read["provisions"] == []


async def test_without_articles_nothing_can_be_recorded_and_a_new_file_can_orphan_one(
    client: httpx.AsyncClient,
) -> None:
    bare = await add(client)
    refused = await record(client, bare, [{"rule": "status.dissolved", "article": "dieu-2"}])
    assert refused.status_code == 422
    assert "đính kèm tệp" in refused.json()["errors"][0]["message"]
    attached = (await upload(client, bare["id"], docx_with_text(*TEXT), "luat.docx")).json()
    recorded = await record(client, attached, [{"rule": "status.dissolved", "article": "dieu-2"}])
    assert recorded.status_code == 200
    await upload(client, bare["id"], docx_with_text("Điều 1. Chỉ một điều"), "khac.docx")
    cited = (await client.get("/v1/provisions")).json()["items"]
    assert [(c["rule"], c["article"]) for c in cited] == [("status.dissolved", None)]
