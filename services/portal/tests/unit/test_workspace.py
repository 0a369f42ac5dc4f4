"""The workspace on a registry in memory: sign-in with its cookies, form tokens on every form,
problems beside fields with a summary, and a stale form shown as a conflict, never saved."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from fastapi.routing import APIRoute

from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.adapters.staff_collection import StaffCollection
from hoptac.portal.domain.record_form import shown
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.entrypoints.http.workspace.install import MODULES
from hoptac.portal.settings import PortalSettings

from ..fakes import ORG_ID, RECORD, FakeServices
from ..staff_fake import PASSWORD, SESSION, FakeStaffRegistry

pytestmark = pytest.mark.unit

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
def registry() -> FakeStaffRegistry:
    return FakeStaffRegistry()


def workspace_app(registry: FakeStaffRegistry, **settings: object) -> httpx.AsyncClient:
    app = create_app(
        PortalSettings(**settings),  # type: ignore[arg-type]
        FakeServices().backends(),
        today=lambda: date(2026, 1, 15),
        library=FakeServices().library(),
        staff=StaffRegistry(registry.client()),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://portal")


@pytest.fixture
async def portal(registry: FakeStaffRegistry) -> AsyncIterator[httpx.AsyncClient]:
    async with workspace_app(registry) as client:
        yield client


async def token_of(portal: httpx.AsyncClient, path: str) -> str:
    page = await portal.get(path)
    assert page.status_code == 200, page.text
    found = TOKEN.search(page.text)
    assert found is not None
    return found[1]


def opened() -> dict[str, str]:
    """The edit form as it was opened: each value, and the same again as what it showed."""
    values = shown(RECORD, creating=False)
    return {**values, **{f"was_{name}": value for name, value in values.items()}}


async def sign_in(portal: httpx.AsyncClient, password: str = PASSWORD) -> httpx.Response:
    token = await token_of(portal, "/quan-ly/dang-nhap")
    form = {"csrf_token": token, "username": "lan", "password": password, "next": "/quan-ly"}
    return await portal.post("/quan-ly/dang-nhap", data=form)


async def test_the_workspace_sends_a_person_without_a_session_to_sign_in(
    portal: httpx.AsyncClient,
) -> None:
    answer = await portal.get(f"/quan-ly/ho-so/{ORG_ID}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/quan-ly/dang-nhap?next=%2Fquan-ly%2Fho-so%2F{ORG_ID}"


async def test_signing_in_keeps_the_session_in_an_httponly_samesite_cookie(
    portal: httpx.AsyncClient, registry: FakeStaffRegistry
) -> None:
    answer = await sign_in(portal)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/quan-ly"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "hoptac_session" in c)
    assert SESSION in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/quan-ly" in cookie
    assert "Max-Age=" in cookie
    assert "Secure" not in cookie  # the embedded default serves plain HTTP
    sign_in_call = next(r for r in registry.requests if r.url.path == "/v1/sessions")
    assert sign_in_call.headers["x-forwarded-for"] == "127.0.0.1"
    area = await portal.get("/quan-ly")
    assert area.status_code == 200
    assert "Địa bàn của tôi" in area.text


async def test_cookies_are_secure_when_the_setting_says_so(registry: FakeStaffRegistry) -> None:
    async with workspace_app(registry, secure_cookies=True) as portal:
        answer = await sign_in(portal)
    assert all("Secure" in c for c in answer.headers.get_list("set-cookie"))


async def test_a_wrong_password_says_so_and_the_fifth_says_how_long_to_wait(
    portal: httpx.AsyncClient,
) -> None:
    for _ in range(4):
        refused = await sign_in(portal, "sai mật khẩu")
        assert refused.status_code == 403
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in refused.text
        assert "giây" not in refused.text
    fifth = await sign_in(portal, "sai mật khẩu")
    assert "Hãy chờ 5 giây trước khi thử lại" in fifth.text


async def test_a_form_without_its_token_is_refused_before_the_registry_hears_of_it(
    portal: httpx.AsyncClient, registry: FakeStaffRegistry
) -> None:
    await sign_in(portal)
    asked = len(registry.requests)
    forged = await portal.post(f"/quan-ly/ho-so/{ORG_ID}", data={"name": "Bị giả mạo"})
    assert forged.status_code == 403
    assert "Biểu mẫu đã hết hiệu lực" in forged.text
    wrong = await portal.post(
        f"/quan-ly/ho-so/{ORG_ID}", data={"name": "Bị giả mạo", "csrf_token": "0" * 64}
    )
    assert wrong.status_code == 403
    assert len(registry.requests) == asked
    assert registry.patches == []


async def test_every_workspace_form_checks_its_token(portal: httpx.AsyncClient) -> None:
    posts = [
        route.path.replace("{org_id}", ORG_ID).replace("{username}", "lan")
        for module in MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    ]
    assert len(posts) >= 7
    await sign_in(portal)
    for path in posts:
        assert (await portal.post(path, data={"x": "1"})).status_code == 403, path


async def test_a_token_of_another_session_is_refused(portal: httpx.AsyncClient) -> None:
    before = await token_of(portal, "/quan-ly/dang-nhap")  # bound to no session
    await sign_in(portal)
    replayed = await portal.post(
        f"/quan-ly/ho-so/{ORG_ID}", data={"csrf_token": before, "name": "X"}
    )
    assert replayed.status_code == 403


async def test_a_bad_value_is_shown_beside_its_field_and_in_the_summary(
    portal: httpx.AsyncClient, registry: FakeStaffRegistry
) -> None:
    await sign_in(portal)
    token = await token_of(portal, f"/quan-ly/ho-so/{ORG_ID}")
    form = {**opened(), "csrf_token": token, "version": "2", "members_count": "mười hai"}
    answer = await portal.post(f"/quan-ly/ho-so/{ORG_ID}", data=form)
    assert answer.status_code == 422
    message = "Hãy nhập một số nguyên không âm, ví dụ 25."
    assert 'class="error-summary"' in answer.text
    assert '<a href="#members_count">' + message in answer.text
    assert 'id="members_count-error"' in answer.text
    assert 'aria-describedby="members_count-error" aria-invalid="true"' in answer.text
    assert registry.patches == []

    fixed = await portal.post(f"/quan-ly/ho-so/{ORG_ID}", data={**form, "members_count": "14"})
    assert fixed.status_code == 303
    assert registry.patches == [('"2"', {"members_count": 14})]


async def test_a_form_opened_before_someone_else_saved_shows_their_change_not_a_save(
    portal: httpx.AsyncClient, registry: FakeStaffRegistry
) -> None:
    await sign_in(portal)
    token = await token_of(portal, f"/quan-ly/ho-so/{ORG_ID}")
    form = {**opened(), "csrf_token": token, "members_count": "14"}
    form["version"] = "1"  # the record is at version 2 now
    answer = await portal.post(f"/quan-ly/ho-so/{ORG_ID}", data=form)
    assert answer.status_code == 409
    assert "Hồ sơ đã được người khác thay đổi" in answer.text
    assert "Áp dụng lại thay đổi của tôi" in answer.text
    assert 'name="version" value="2"' in answer.text
    assert registry.patches == []
    reapplied = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', answer.text))
    reapplied_form = {**reapplied, "csrf_token": token}
    saved = await portal.post(f"/quan-ly/ho-so/{ORG_ID}", data=reapplied_form)
    assert saved.status_code == 303
    assert registry.patches == [('"2"', {"members_count": 14})]  # nothing else they saw


async def test_units_and_business_lines_are_chosen_from_lists(portal: httpx.AsyncClient) -> None:
    await sign_in(portal)
    form = await portal.get(f"/quan-ly/ho-so/{ORG_ID}")
    assert '<option value="96" selected>Tỉnh Cà Mau</option>' in form.text
    assert 'label="03 – Khai thác, nuôi trồng thủy sản"' in form.text
    assert 'hx-get="/quan-ly/don-vi"' in form.text
    hanoi = await portal.get("/quan-ly/don-vi", params={"province_code": "01"})
    assert '<option value="00004">Phường Ba Đình</option>' in hanoi.text
    assert "<html" not in hanoi.text
    districts = await portal.get("/quan-ly/don-vi", params={"legacy_province_code": "96"})
    assert 'id="legacy_district_code"' in districts.text
    assert 'hx-target="#legacy_commune_code-field"' in districts.text


async def test_a_former_commune_outside_its_former_district_is_a_problem_beside_it(
    portal: httpx.AsyncClient,
) -> None:
    await sign_in(portal)
    token = await token_of(portal, f"/quan-ly/ho-so/{ORG_ID}")
    form = {**opened(), "csrf_token": token, "version": "2", "legacy_commune_code": "00004"}
    answer = await portal.post(f"/quan-ly/ho-so/{ORG_ID}", data=form)
    assert answer.status_code == 422
    assert 'id="legacy_commune_code-error"' in answer.text


async def test_a_record_that_is_not_there_is_a_404_page_and_a_registry_down_a_503(
    portal: httpx.AsyncClient, registry: FakeStaffRegistry
) -> None:
    await sign_in(portal)
    missing = await portal.get("/quan-ly/ho-so/00000000-0000-0000-0000-000000000000/lich-su")
    assert missing.status_code == 404
    registry.down = True
    down = await portal.get(f"/quan-ly/ho-so/{ORG_ID}")
    assert down.status_code == 503
    assert "<html" in down.text


async def test_each_status_offered_cites_its_legal_basis_linked_to_the_library(
    portal: httpx.AsyncClient,
) -> None:
    await sign_in(portal)
    page = await portal.get(f"/quan-ly/ho-so/{ORG_ID}/trang-thai")
    assert page.status_code == 200, page.text
    assert 'id="status-suspended"' in page.text
    assert (
        'href="/library/so/09/2024/TT-BKH%C4%90T">09/2024/TT-BKHĐT (Phụ lục II-8)</a>' in page.text
    )
    assert 'href="/library/so/17/2023/QH15"' in page.text  # the current status's basis


def collection_answering(down: bool = False) -> StaffCollection:
    """The collection service in memory: one proposal, one late challenge, one weak record."""

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {SESSION}"
        if down:
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/v1/proposals":
            assert request.url.params["state"] == "submitted"
            change = {"record": {"name": "HTX Nông nghiệp Tân Hưng"}, "status": None}
            return httpx.Response(200, json=[{
                "id": "p-1", "organization_id": ORG_ID, "province_code": "96",
                "commune_code": "32025", "change": change, "state": "submitted",
                "stale": True, "author": "nhập liệu", "submitted_by": "Cán bộ xã",
            }])  # fmt: skip
        if request.url.path == "/v1/challenges":
            return httpx.Response(200, json=[{
                "id": "c-1", "organization_id": ORG_ID, "province_code": "96",
                "commune_code": "32025", "what": "Sai số điện thoại", "due_on": "2026-01-10",
                "late": True,
            }])  # fmt: skip
        assert request.url.path == "/v1/quality"
        assert request.url.params["province"] == "96"
        items = [
            {
                "id": ORG_ID,
                "name": "HTX Yếu",
                "commune_code": "32025",
                "score": 71.4,
                "band": "red",
            },
            {"id": "x", "name": "HTX Tốt", "commune_code": "32025", "score": 99.0, "band": "green"},
        ]
        return httpx.Response(200, json={"items": items})

    return StaffCollection(
        httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://c")
    )


async def test_my_area_lists_proposals_to_review_open_challenges_and_weak_records() -> None:
    registry = FakeStaffRegistry(provinces=["96"])
    app = create_app(
        PortalSettings(),
        FakeServices().backends(),
        today=lambda: date(2026, 1, 15),
        library=FakeServices().library(),
        staff=StaffRegistry(registry.client()),
        collection=collection_answering(),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as portal:
        await sign_in(portal)
        page = await portal.get("/quan-ly")
    assert page.status_code == 200
    assert "Đề xuất chờ duyệt" in page.text
    assert '<a href="/quan-ly/de-xuat/p-1">HTX Nông nghiệp Tân Hưng</a>' in page.text
    assert "Hồ sơ đã thay đổi sau khi đề xuất" in page.text
    assert "Sai số điện thoại" in page.text
    assert "quá hạn" in page.text
    assert "HTX Yếu" in page.text
    assert "HTX Tốt" not in page.text  # a good score is not a task


async def test_my_area_without_the_collection_service_still_shows_the_register() -> None:
    registry = FakeStaffRegistry()
    app = create_app(
        PortalSettings(),
        FakeServices().backends(),
        today=lambda: date(2026, 1, 15),
        library=FakeServices().library(),
        staff=StaffRegistry(registry.client()),
        collection=collection_answering(down=True),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as portal:
        await sign_in(portal)
        page = await portal.get("/quan-ly")
    assert page.status_code == 200
    assert "Dịch vụ thu thập dữ liệu tạm thời không trả lời" in page.text
    assert "Địa bàn của tôi" in page.text
