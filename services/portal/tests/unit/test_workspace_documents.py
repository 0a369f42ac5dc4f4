"""The workspace's library form on a registry and a library in memory: staff add a document
with its file and correct one, with their session; problems beside the fields; a file the
library refuses leaves the document saved and says so; anyone but a reviewer or an admin is
refused before the library hears of it."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.adapters.staff_library import StaffLibrary
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import FakeServices
from ..staff_fake import SESSION, FakeStaffRegistry
from .test_workspace import sign_in, token_of

pytestmark = pytest.mark.unit

DOC_ID = "6f1c2a3b-0000-4000-8000-000000000045"
DOCUMENT = {
    "id": DOC_ID,
    "version": 1,
    "number": "45/2025/QĐ-UBND",
    "title": "Quyết định hỗ trợ hợp tác xã",
    "type": "decision",
    "issuer": "Ủy ban nhân dân tỉnh Cà Mau",
    "signed_on": "2025-03-10",
    "in_force_from": None,
    "status": "in_force",
    "amends": [],
    "replaces": [],
    "kinds": ["cooperative"],
    "sectors": [],
    "topics": ["support"],
    "area": "96",
    "summary": "",
    "file": None,
}


class FakeLibrary:
    def __init__(self) -> None:
        self.document: dict[str, Any] = copy.deepcopy(DOCUMENT)
        self.requests: list[httpx.Request] = []
        self.file_answer = 200
        self.articles: list[dict[str, str]] = [
            {"kind": "article", "number": "1", "anchor": "dieu-1", "label": "Điều 1",
             "heading": "Phạm vi", "part": "", "text": ""},
            {"kind": "article", "number": "2", "anchor": "dieu-2", "label": "Điều 2",
             "heading": "Giải thể", "part": "", "text": ""},
        ]  # fmt: skip
        self.rules: list[dict[str, Any]] = [
            {"rule": "field.name", "article": None},
            {"rule": "status.dissolved", "article": "dieu-2"},
        ]
        self.provisions_answer: httpx.Response | None = None

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path, method = request.url.path, request.method
        if method == "GET" and path == "/v1/documents":
            return httpx.Response(200, json={"items": [self.document]})
        if method == "GET" and path == f"/v1/documents/{DOC_ID}":
            version = f'"{self.document["version"]}"'
            return httpx.Response(200, json=self.document, headers={"ETag": version})
        if method == "GET" and path == f"/v1/documents/{DOC_ID}/articles":
            return httpx.Response(200, json={"items": self.articles})
        if method == "GET" and path == f"/v1/documents/{DOC_ID}/rules":
            return httpx.Response(200, json={"items": self.rules})
        if request.headers.get("authorization") != f"Bearer {SESSION}":
            return httpx.Response(401, json={"error": "unauthenticated", "message": "who?"})
        if method == "POST" and path == "/v1/documents":
            self.document = {**DOCUMENT, **json.loads(request.content), "id": DOC_ID}
            return httpx.Response(201, json=self.document)
        if method == "PATCH" and path == f"/v1/documents/{DOC_ID}":
            if request.headers["if-match"] != f'"{self.document["version"]}"':
                return httpx.Response(412, json={"error": "stale_version", "message": "stale"})
            changes = json.loads(request.content)
            changes.pop("reason", None)
            self.document = {**self.document, **changes, "version": self.document["version"] + 1}
            return httpx.Response(200, json=self.document)
        if method == "PUT" and path == f"/v1/documents/{DOC_ID}/file":
            if self.file_answer != 200:
                return httpx.Response(self.file_answer, json={"error": "bad", "message": "no"})
            name = request.url.params["name"]
            self.document["file"] = {"name": name, "size_bytes": len(request.content)}
            return httpx.Response(200, json=self.document)
        if method == "PUT" and path == f"/v1/documents/{DOC_ID}/provisions":
            if self.provisions_answer is not None:
                return self.provisions_answer
            self.document["version"] += 1
            return httpx.Response(200, json=self.document)
        return httpx.Response(404, json={"error": "not_found", "message": path})

    def writes(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method != "GET"]


@pytest.fixture
def library() -> FakeLibrary:
    return FakeLibrary()


@pytest.fixture
def registry() -> FakeStaffRegistry:
    return FakeStaffRegistry()


@pytest.fixture
async def portal(
    registry: FakeStaffRegistry, library: FakeLibrary
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        PortalSettings(),
        FakeServices().backends(),
        today=lambda: date(2026, 1, 15),
        library=FakeServices().library(),
        staff=StaffRegistry(registry.client()),
        library_staff=StaffLibrary(
            httpx.AsyncClient(transport=httpx.MockTransport(library.handle), base_url="http://l")
        ),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        yield client


def filled(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "doc_number": "45/2025/QĐ-UBND",
        "doc_title": "Quyết định hỗ trợ hợp tác xã",
        "doc_type": "decision",
        "doc_issuer": "Ủy ban nhân dân tỉnh Cà Mau",
        "doc_signed_on": "10/03/2025",
        "doc_status": "in_force",
        "doc_area": "96",
        "doc_amends": "12/2020/QĐ-UBND, 7/2021/QĐ-UBND",
        **changes,
    }


async def test_staff_add_a_document_with_its_file_under_their_session(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    await sign_in(portal)
    token = await token_of(portal, "/quan-ly/thu-vien/moi")
    form = {**filled(token), "doc_kinds": ["cooperative"], "doc_topics": ["support", "credit"]}
    answer = await portal.post(
        "/quan-ly/thu-vien/moi",
        data=form,
        files={"doc_file": ("C:\\tai lieu\\qd-45.pdf", b"%PDF-1.4 ...", "application/pdf")},
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/quan-ly/thu-vien/{DOC_ID}?da-luu=1"
    added, attached = library.writes()
    body = json.loads(added.content)
    assert body["signed_on"] == "2025-03-10"
    assert body["amends"] == ["12/2020/QĐ-UBND", "7/2021/QĐ-UBND"]
    assert (body["kinds"], body["topics"], body["area"]) == (
        ["cooperative"],
        ["support", "credit"],
        "96",
    )
    assert attached.url.params["name"] == "qd-45.pdf"  # the name without the sender's folders
    assert attached.content == b"%PDF-1.4 ..."


async def test_missing_and_bad_values_are_shown_beside_their_fields_and_in_the_summary(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    await sign_in(portal)
    token = await token_of(portal, "/quan-ly/thu-vien/moi")
    form = filled(token, doc_title="", doc_signed_on="31/02/2025", doc_in_force_from="01/01/2020")
    answer = await portal.post("/quan-ly/thu-vien/moi", data=form)
    assert answer.status_code == 422
    assert 'href="#doc_title"' in answer.text  # the summary links each field
    assert 'id="doc_title-error"' in answer.text
    assert "Nhập tên văn bản." in answer.text
    assert 'id="doc_signed_on-error"' in answer.text
    assert library.writes() == []


async def test_a_file_the_library_refuses_leaves_the_document_saved_and_says_so(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    library.file_answer = 422
    await sign_in(portal)
    token = await token_of(portal, "/quan-ly/thu-vien/moi")
    answer = await portal.post(
        "/quan-ly/thu-vien/moi",
        data=filled(token),
        files={"doc_file": ("qd.pdf", b"not a pdf", "application/pdf")},
    )
    assert answer.status_code == 422
    assert "Văn bản đã được lưu nhưng tệp chưa được đính kèm" in answer.text
    assert 'id="doc_file-error"' in answer.text
    assert f'name="id" value="{DOC_ID}"' in answer.text  # the correction form, to send it again


async def test_a_correction_sends_only_what_changed_with_the_version_read(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    await sign_in(portal)
    page = await portal.get(f"/quan-ly/thu-vien/{DOC_ID}")
    assert 'value="10/03/2025"' in page.text
    token = await token_of(portal, f"/quan-ly/thu-vien/{DOC_ID}")
    form = filled(token, doc_status="partly_amended", doc_amends="", reason="Có văn bản sửa")
    sent = {
        **form,
        "id": DOC_ID,
        "version": "1",
        "doc_kinds": "cooperative",
        "doc_topics": "support",
    }
    answer = await portal.post("/quan-ly/thu-vien/sua", data=sent)
    assert answer.status_code == 303, answer.text
    (patch,) = library.writes()
    assert patch.headers["if-match"] == '"1"'
    assert json.loads(patch.content) == {"status": "partly_amended", "reason": "Có văn bản sửa"}
    stale = await portal.post("/quan-ly/thu-vien/sua", data=sent)  # still says version 1
    assert stale.status_code == 409
    assert "Văn bản vừa được người khác sửa" in stale.text
    assert len(library.writes()) == 1


async def test_only_reviewers_and_admins_edit_the_library(
    registry: FakeStaffRegistry, portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    registry.role = "area_officer"
    await sign_in(portal)
    assert (await portal.get("/quan-ly/thu-vien/moi")).status_code == 403
    assert (await portal.get("/quan-ly/thu-vien")).status_code == 403
    posted = await portal.post("/quan-ly/thu-vien/moi", data={"doc_number": "1/2025/QĐ-UBND"})
    assert posted.status_code == 403
    assert (await portal.post("/quan-ly/thu-vien/can-cu", data={"id": DOC_ID})).status_code == 403
    assert library.requests == []


async def test_staff_record_the_article_each_rule_citing_the_document_rests_on(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    await sign_in(portal)
    page = await portal.get(f"/quan-ly/thu-vien/{DOC_ID}")
    assert 'id="provisions-heading"' in page.text
    assert '<label class="label" for="rule-status.dissolved">' in page.text
    assert "Chuyển sang tình trạng: Đã giải thể" in page.text
    assert "Trường bắt buộc: Tên (name)" in page.text
    assert '<option value="dieu-2" selected>Điều 2. Giải thể</option>' in page.text
    token = await token_of(portal, f"/quan-ly/thu-vien/{DOC_ID}")
    form = {
        "csrf_token": token,
        "id": DOC_ID,
        "version": "1",
        "rule-field.name": "dieu-1",
        "rule-status.dissolved": "",  # none any more
        "rule-status.bankrupt": "dieu-1",  # not a rule citing this document: dropped
    }
    answer = await portal.post("/quan-ly/thu-vien/can-cu", data=form)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/quan-ly/thu-vien/{DOC_ID}?da-luu=1"
    sent = library.writes()[-1]
    assert sent.headers["authorization"] == f"Bearer {SESSION}"
    assert sent.headers["if-match"] == '"1"'
    assert json.loads(sent.content) == {"provisions": [{"rule": "field.name", "article": "dieu-1"}]}


async def test_a_provision_not_offered_or_refused_by_the_library_is_shown_beside_its_rule(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    await sign_in(portal)
    token = await token_of(portal, f"/quan-ly/thu-vien/{DOC_ID}")
    form = {"csrf_token": token, "id": DOC_ID, "version": "1", "rule-field.name": "dieu-9"}
    answer = await portal.post("/quan-ly/thu-vien/can-cu", data=form)
    assert answer.status_code == 422
    assert 'id="rule-field.name-error"' in answer.text
    assert library.writes() == []
    library.provisions_answer = httpx.Response(
        422,
        json={
            "error": "invalid_request",
            "message": "no",
            "errors": [{"field": "body.provisions.0.article", "message": "no"}],
        },
    )
    refused = await portal.post(
        "/quan-ly/thu-vien/can-cu", data={**form, "rule-field.name": "dieu-1"}
    )
    assert refused.status_code == 422
    assert 'id="rule-field.name-error"' in refused.text
    assert '<option value="dieu-1" selected>' in refused.text  # as chosen


async def test_without_articles_the_document_page_says_how_to_get_them(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    library.articles = []
    await sign_in(portal)
    page = await portal.get(f"/quan-ly/thu-vien/{DOC_ID}")
    assert "Chưa tách được điều nào" in page.text
    assert 'action="/quan-ly/thu-vien/can-cu"' not in page.text
