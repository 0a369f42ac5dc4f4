"""The import page on a registry and a collection service in memory: the template offered, a
file checked with its problems summarised and listed by row and column, a file bounded before
it is forwarded, an import that leads to its batch and proposals, all with the person's session
and the page's language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.adapters.staff_collection import StaffCollection
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import FakeServices
from ..staff_fake import SESSION, FakeStaffRegistry
from .test_workspace import sign_in, token_of

pytestmark = pytest.mark.unit

BATCH = "5b0c9f3e-2f55-4c1e-9d0a-1f7c6e3b2a10"
PAGE = "/quan-ly/nhap-du-lieu"
PROBLEM = {
    "row": 2,
    "column": "J",
    "field": "members_count",
    "code": "type_error",
    "message": "Giá trị “nhiều” không phải là số nguyên (ví dụ: 4.497 hoặc 4497).",
}
SUMMARY = {"rows_total": 1, "rows_valid": 0, "rows_refused": 1, "warnings": []}


@dataclass
class FakeCollection:
    """Collection's import API in memory, recording what it was sent."""

    sent: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        path = request.url.path
        if path == "/v1/imports/template.xlsx":
            return httpx.Response(200, content=b"PK\x03\x04template")
        assert request.headers["authorization"] == f"Bearer {SESSION}"
        if path == "/v1/imports" and request.method == "GET":
            return httpx.Response(200, json=[self._batch()])
        if path == "/v1/imports" and request.method == "POST":
            return self._upload(request)
        if path == f"/v1/imports/{BATCH}":
            return httpx.Response(200, json={**self._batch(), "problems": []})
        if path == "/v1/proposals":
            assert request.url.params["batch"] == BATCH
            change = {"record": {"name": "HTX Nông nghiệp Tân Hưng"}}
            proposal = {"id": "p-1", "row": 2, "organization_id": None, "change": change}
            return httpx.Response(200, json=[{**proposal, "state": "draft"}])
        return httpx.Response(404, json={"error": "not_found", "message": path})

    def _batch(self) -> dict[str, Any]:
        return {
            "batch_id": BATCH,
            "filename": "khao-sat.csv",
            "uploaded_by": "lan",
            "uploaded_at": "2026-01-15T03:00:00+00:00",
            "valid": True,
            "rows_total": 1,
            "rows_valid": 1,
            "rows_refused": 0,
        }

    def _upload(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("report") == "xlsx":
            return httpx.Response(200, content=b"PK\x03\x04annotated")
        if request.url.params["dry_run"] == "true":
            report = {**SUMMARY, "valid": False, "problems": [PROBLEM], "dry_run": True}
            return httpx.Response(200, json=report)
        imported = {**SUMMARY, "valid": True, "problems": [], "batch_id": BATCH}
        return httpx.Response(200, json={**imported, "already_imported": False})

    def uploads(self) -> list[httpx.Request]:
        return [r for r in self.sent if r.method == "POST"]


@pytest.fixture
def collection() -> FakeCollection:
    return FakeCollection()


@pytest.fixture
async def portal(collection: FakeCollection) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        PortalSettings(import_max_bytes=1000),
        FakeServices().backends(),
        today=lambda: date(2026, 1, 15),
        library=FakeServices().library(),
        staff=StaffRegistry(FakeStaffRegistry(role="area_officer", provinces=["96"]).client()),
        collection=StaffCollection(
            httpx.AsyncClient(transport=httpx.MockTransport(collection.handle), base_url="http://c")
        ),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        await sign_in(client)
        yield client


async def send(
    portal: httpx.AsyncClient, action: str, content: bytes = b"name\nHTX", name: str = "a.csv"
) -> httpx.Response:
    token = await token_of(portal, PAGE)
    return await portal.post(
        PAGE,
        data={"csrf_token": token, "action": action},
        files={"file": (name, content, "text/csv")},
    )


async def test_the_page_offers_the_template_a_multipart_form_and_the_latest_batches(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get(PAGE)
    template = await portal.get(f"{PAGE}/mau-khao-sat-hoptac.xlsx")

    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert f'href="{PAGE}/{BATCH}"' in page.text
    assert "khao-sat.csv" in page.text
    assert template.content.startswith(b"PK")
    assert "attachment" in template.headers["content-disposition"]


async def test_a_checked_file_shows_its_problems_summarised_and_by_row_and_column(
    portal: httpx.AsyncClient, collection: FakeCollection
) -> None:
    answer = await send(portal, "check")

    (sent,) = collection.uploads()
    assert sent.url.params["dry_run"] == "true"
    assert sent.headers["accept-language"] == "vi"
    assert answer.status_code == 200
    assert 'class="error-summary"' in answer.text
    assert 'href="#problem-1"' in answer.text
    assert 'id="problem-1"' in answer.text
    assert "Hàng 2, cột J:" in answer.text
    assert PROBLEM["message"] in answer.text


async def test_a_file_over_the_limit_or_of_another_kind_is_refused_here_and_never_sent(
    portal: httpx.AsyncClient, collection: FakeCollection
) -> None:
    too_large = await send(portal, "check", b"x" * 1001)
    other_kind = await send(portal, "check", name="a.pdf")

    assert (too_large.status_code, other_kind.status_code) == (422, 422)
    assert 'id="file-error"' in too_large.text
    assert "Tệp quá lớn" in too_large.text
    assert "Tệp phải là .xlsx hoặc .csv." in other_kind.text
    assert collection.uploads() == []


async def test_an_import_leads_to_its_batch_and_the_proposals_it_made(
    portal: httpx.AsyncClient, collection: FakeCollection
) -> None:
    answer = await send(portal, "import")
    batch = await portal.get(answer.headers["location"])

    assert answer.status_code == 303
    assert collection.uploads()[0].url.params["dry_run"] == "false"
    assert batch.status_code == 200
    assert "Đã nhập: 1 đề xuất" in batch.text
    assert "HTX Nông nghiệp Tân Hưng" in batch.text
    assert "Bản nháp" in batch.text
    assert f"{PAGE}/{BATCH}/bao-cao.xlsx" in batch.text


async def test_the_annotated_workbook_of_a_check_is_a_download(
    portal: httpx.AsyncClient, collection: FakeCollection
) -> None:
    answer = await send(portal, "workbook")

    assert collection.uploads()[0].url.params["report"] == "xlsx"
    assert answer.content == b"PK\x03\x04annotated"
    assert "attachment" in answer.headers["content-disposition"]


async def test_an_upload_without_its_form_token_is_refused_before_it_is_sent(
    portal: httpx.AsyncClient, collection: FakeCollection
) -> None:
    answer = await portal.post(PAGE, files={"file": ("a.csv", b"x")}, data={"action": "check"})

    assert answer.status_code == 403
    assert collection.uploads() == []
