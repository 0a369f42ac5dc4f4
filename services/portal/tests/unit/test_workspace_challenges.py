"""Resolving a public challenge from the area page, on a registry and a collection service in
memory: the resolution sent with the person's session and a notice once back on the page; the
text bounded here as collection bounds it and shown beside its form; a reader, or a form
without its token, refused before anything is sent; collection's refusal in the page's
language, and a plain notice when collection does not answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date

import httpx
import pytest

from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.adapters.staff_collection import StaffCollection
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import ORG_ID, FakeServices
from ..staff_fake import SESSION, FakeStaffRegistry
from .test_workspace import sign_in, token_of

pytestmark = pytest.mark.unit

CHALLENGE = "7d3e1a52-9c4b-4f0e-8a61-2b5c0d9e4f11"
RESOLVE = f"/quan-ly/bao-sai/{CHALLENGE}/giai-quyet"
RESOLUTION = "Đã gọi HTX và sửa số điện thoại trong hồ sơ."


@dataclass
class FakeChallenges:
    """Collection's area panels and challenge resolution in memory, recording what it was sent."""

    resolved: dict[str, str] = field(default_factory=dict)
    writes_down: bool = False  # reads answer, writes meet a closed connection
    sent: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        assert request.headers["authorization"] == f"Bearer {SESSION}"
        path = request.url.path
        if request.method == "GET":
            if path == "/v1/challenges":
                return httpx.Response(200, json=self._open())
            if path == "/v1/quality":
                return httpx.Response(200, json={"items": []})
            assert path == "/v1/proposals"
            return httpx.Response(200, json=[])
        if self.writes_down:
            raise httpx.ConnectError("connection refused", request=request)
        assert path == f"/v1/challenges/{CHALLENGE}/resolve"
        if CHALLENGE in self.resolved:
            english = request.headers.get("accept-language") == "en"
            message = "It was resolved already." if english else "Báo sai này đã được giải quyết."
            return httpx.Response(409, json={"error": "conflict", "message": message})
        self.resolved[CHALLENGE] = json.loads(request.content)["resolution"]
        return httpx.Response(200, json={"id": CHALLENGE, "status": "resolved"})

    def _open(self) -> list[dict[str, object]]:
        challenge = {
            "id": CHALLENGE,
            "organization_id": ORG_ID,
            "province_code": "96",
            "commune_code": "32025",
            "what": "Sai số điện thoại",
            "due_on": "2026-01-10",
            "late": True,
        }
        return [] if CHALLENGE in self.resolved else [challenge]

    def writes(self) -> list[httpx.Request]:
        return [r for r in self.sent if r.method == "POST"]


@pytest.fixture
def collection() -> FakeChallenges:
    return FakeChallenges()


@asynccontextmanager
async def portal_as(role: str, collection: FakeChallenges) -> AsyncIterator[httpx.AsyncClient]:
    """The portal with a person ("lan") of `role` in province 96 signed in."""
    app = create_app(
        PortalSettings(),
        FakeServices().backends(),
        today=lambda: date(2026, 1, 15),
        library=FakeServices().library(),
        staff=StaffRegistry(FakeStaffRegistry(role=role, provinces=["96"]).client()),
        collection=StaffCollection(
            httpx.AsyncClient(transport=httpx.MockTransport(collection.handle), base_url="http://c")
        ),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        await sign_in(client)
        yield client


@pytest.fixture
async def officer(collection: FakeChallenges) -> AsyncIterator[httpx.AsyncClient]:
    async with portal_as("area_officer", collection) as client:
        yield client


async def resolve(portal: httpx.AsyncClient, resolution: str) -> httpx.Response:
    token = await token_of(portal, "/quan-ly")
    return await portal.post(RESOLVE, data={"csrf_token": token, "resolution": resolution})


async def test_a_challenge_is_resolved_from_the_area_page_and_the_person_told(
    officer: httpx.AsyncClient, collection: FakeChallenges
) -> None:
    page = await officer.get("/quan-ly")
    resolved = await resolve(officer, f"  {RESOLUTION}  ")
    shown = await officer.get(resolved.headers["location"])

    assert f'action="{RESOLVE}"' in page.text
    assert (resolved.status_code, resolved.headers["location"]) == (303, "/quan-ly?da-giai-quyet=1")
    assert collection.resolved == {CHALLENGE: RESOLUTION}
    (sent,) = collection.writes()
    assert sent.headers["accept-language"] == "vi"
    assert "Đã ghi cách giải quyết." in shown.text
    assert RESOLVE not in shown.text  # no longer open


@pytest.mark.parametrize(
    ("resolution", "message"),
    [
        ("   ", "Nhập cách giải quyết, ít nhất 10 ký tự"),
        ("Đã sửa", "Nhập cách giải quyết, ít nhất 10 ký tự"),
        ("x" * 2001, "tối đa 2.000 ký tự"),
    ],
)
async def test_a_wrong_resolution_is_shown_beside_its_form_and_never_sent(
    officer: httpx.AsyncClient, collection: FakeChallenges, resolution: str, message: str
) -> None:
    answer = await resolve(officer, resolution)

    assert answer.status_code == 422
    assert f'href="#resolution-{CHALLENGE}"' in answer.text
    assert f'<p class="field-error" id="resolution-{CHALLENGE}-error">' in answer.text
    assert message in answer.text
    assert "<details open>" in answer.text
    assert collection.writes() == []


async def test_an_agency_reader_sees_no_form_and_may_not_resolve(
    collection: FakeChallenges,
) -> None:
    async with portal_as("agency_reader", collection) as reader:
        page = await reader.get("/quan-ly")
        answer = await resolve(reader, RESOLUTION)

    assert "Sai số điện thoại" in page.text
    assert RESOLVE not in page.text
    assert answer.status_code == 403
    assert collection.writes() == []


async def test_a_resolution_without_its_form_token_is_refused_before_it_is_sent(
    officer: httpx.AsyncClient, collection: FakeChallenges
) -> None:
    answer = await officer.post(RESOLVE, data={"resolution": RESOLUTION})

    assert answer.status_code == 403
    assert collection.writes() == []


async def test_a_challenge_resolved_already_is_refused_in_the_pages_language(
    officer: httpx.AsyncClient, collection: FakeChallenges
) -> None:
    collection.resolved[CHALLENGE] = "Someone else resolved it in the meantime."

    vietnamese = await resolve(officer, RESOLUTION)
    officer.cookies.set("lang", "en")
    english = await resolve(officer, RESOLUTION)

    assert (vietnamese.status_code, english.status_code) == (409, 409)
    assert 'class="error-summary"' in vietnamese.text
    assert f'href="#resolution-{CHALLENGE}">Báo sai này đã được giải quyết.' in vietnamese.text
    assert f'href="#resolution-{CHALLENGE}">It was resolved already.' in english.text


async def test_when_collection_does_not_answer_the_page_says_nothing_was_done(
    officer: httpx.AsyncClient, collection: FakeChallenges
) -> None:
    collection.writes_down = True

    answer = await resolve(officer, RESOLUTION)

    assert answer.status_code == 503
    assert "dịch vụ thu thập dữ liệu không trả lời" in answer.text
    assert collection.resolved == {}
