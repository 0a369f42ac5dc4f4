"""The staff workspace (/quan-ly) in a real browser on a real registry: a reviewer signs in,
saves a bad value, sees the message beside the field, fixes it, and the change reaches the
public profile with the reviewer named in the history; two people editing one record; an area
officer refused outside their area, also by a forged form; a form without its token refused;
five wrong passwords bring the delay; a missing required field cites its legal basis, at 360 px
too; axe finds no serious or critical violation on any workspace page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.registry.adapters import accounts
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role

from .conftest import RegistryStack, portal_serving
from .test_portal_browser import (  # noqa: F401 (fixtures)
    Visits,
    browser,
    chromium,
    cooperative,
    register,
    serious_violations,
)

pytestmark = pytest.mark.e2e

PASSWORD = "một câu dễ nhớ"


@pytest.fixture
async def workspace_url(registry_stack: RegistryStack, tmp_path: Path) -> AsyncIterator[str]:
    """The portal with the registry only: the workspace needs nothing else."""
    backends = {"HOPTAC_PORTAL_REGISTRY_URL": registry_stack.url}
    async with portal_serving(backends, tmp_path) as url:
        yield url


@pytest.fixture
async def visits(browser: Browser, workspace_url: str) -> AsyncIterator[Visits]:  # noqa: F811
    visits = Visits(browser, workspace_url)
    try:
        yield visits
    finally:
        await visits.close()


async def make_account(
    registry: RegistryStack, username: str, role: Role, provinces: list[str] | None = None
) -> None:
    engine = create_async_engine(registry.database_url)
    try:
        async with engine.begin() as conn:
            await accounts.create_account(
                conn,
                username,
                f"Cán bộ {username}",
                PASSWORD,
                role,
                provinces or [],
                [],
                WriteContext("e2e", "pytest", None),
            )
    finally:
        await engine.dispose()


async def sign_in(visits: Visits, username: str, password: str = PASSWORD) -> Page:
    page = await visits.page()
    await page.goto(visits.origin + "/quan-ly")
    await page.wait_for_url("**/quan-ly/dang-nhap?next=%2Fquan-ly")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.get_by_role("button", name="Đăng nhập").click()
    return page


async def signed_in_as(
    visits: Visits, registry: RegistryStack, username: str, role: Role, provinces: list[str]
) -> Page:
    """A page of the workspace's home, signed in with a new account of `role`."""
    await make_account(registry, username, role, provinces)
    page = await sign_in(visits, username)
    await page.wait_for_url("**/quan-ly")
    return page


async def accessible(page: Page) -> None:
    assert await serious_violations(page) == [], page.url


async def api_history(registry: RegistryStack, org_id: str) -> list[dict[str, object]]:
    async with httpx.AsyncClient(base_url=registry.url, headers=registry.headers) as client:
        answer = await client.get(f"/v1/organizations/{org_id}/history")
    versions: list[dict[str, object]] = answer.json()["versions"]
    return versions


async def test_a_reviewer_fixes_a_bad_value_and_the_public_profile_shows_it_with_their_name(
    registry_stack: RegistryStack, visits: Visits
) -> None:
    org_id = await register(registry_stack, cooperative(1, "HTX Nông nghiệp Tân Hưng"))
    await make_account(registry_stack, "lan.nguyen", Role.REVIEWER)

    page = await sign_in(visits, "lan.nguyen")
    await page.wait_for_url("**/quan-ly")
    await page.get_by_role("heading", name="Địa bàn của tôi").wait_for()
    await accessible(page)

    await page.goto(f"{visits.origin}/quan-ly/ho-so/{org_id}")
    await accessible(page)
    await page.fill("#members_count", "mười hai")
    await page.get_by_role("button", name="Lưu").click()
    beside = page.locator("#members_count-error")
    assert "Hãy nhập một số nguyên không âm" in await beside.inner_text()
    assert await page.locator(".error-summary a[href='#members_count']").count() == 1
    assert await page.get_attribute("#members_count", "aria-invalid") == "true"
    await accessible(page)

    await page.fill("#members_count", "14")
    await page.get_by_role("button", name="Lưu").click()
    await page.get_by_text("Đã lưu.").wait_for()

    await page.goto(f"{visits.origin}/organizations/{org_id}")
    members = page.locator("dt:has-text('Thành viên') + dd")
    assert (await members.inner_text()).strip() == "14"

    await page.goto(f"{visits.origin}/quan-ly/ho-so/{org_id}/lich-su")
    await page.get_by_text("Phiên bản 2 – lan.nguyen").wait_for()
    await accessible(page)
    assert (await api_history(registry_stack, org_id))[-1]["actor"] == "lan.nguyen"
    assert visits.foreign_requests() == []


async def test_the_second_of_two_editors_sees_the_first_change_and_reapplies_theirs(
    registry_stack: RegistryStack, visits: Visits
) -> None:
    org_id = await register(registry_stack, cooperative(2, "HTX Dịch vụ Phú Tân"))
    await make_account(registry_stack, "an.tran", Role.REVIEWER)
    await make_account(registry_stack, "binh.le", Role.ADMIN)
    first = await sign_in(visits, "an.tran")
    second = await sign_in(visits, "binh.le")
    for page in (first, second):
        await page.wait_for_url("**/quan-ly")
        await page.goto(f"{visits.origin}/quan-ly/ho-so/{org_id}")

    await first.fill("#workers_count", "40")
    await first.get_by_role("button", name="Lưu").click()
    await first.get_by_text("Đã lưu.").wait_for()

    await second.fill("#members_count", "15")
    await second.get_by_role("button", name="Lưu").click()
    await second.get_by_role("heading", name="Hồ sơ đã được người khác thay đổi").wait_for()
    assert "an.tran" in await second.locator("main").inner_text()
    await accessible(second)
    await second.get_by_role("button", name="Áp dụng lại thay đổi của tôi").click()
    await second.get_by_text("Đã lưu.").wait_for()

    async with httpx.AsyncClient(base_url=registry_stack.url) as client:
        record = (await client.get(f"/v1/organizations/{org_id}")).json()
    assert (record["workers_count"], record["members_count"]) == (40, 15)
    actors = [v["actor"] for v in await api_history(registry_stack, org_id)]
    assert actors[-2:] == ["an.tran", "binh.le"]


async def test_an_area_officer_cannot_change_another_area_not_even_by_a_forged_form(
    registry_stack: RegistryStack, visits: Visits
) -> None:
    org_id = await register(registry_stack, cooperative(3, "HTX Cà Mau"))  # province 96
    await make_account(registry_stack, "ha.noi", Role.AREA_OFFICER, ["01"])
    page = await sign_in(visits, "ha.noi")
    await page.wait_for_url("**/quan-ly")
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token

    opened = await page.goto(f"{visits.origin}/quan-ly/ho-so/{org_id}")
    assert opened is not None
    assert opened.status == 403
    await accessible(page)

    forged = await page.request.post(
        f"{visits.origin}/quan-ly/ho-so/{org_id}",
        form={
            "csrf_token": token,
            "version": "1",
            "name": "HTX bị sửa trộm",
            "province_code": "96",
            "commune_code": "31825",
            "sector_group": "agriculture",
        },
        max_redirects=0,
    )
    assert forged.status == 403
    assert "Không được phép" in await forged.text()
    assert len(await api_history(registry_stack, org_id)) == 1


async def test_a_form_posted_without_its_token_is_refused(
    registry_stack: RegistryStack, visits: Visits
) -> None:
    org_id = await register(registry_stack, cooperative(4, "HTX Hòa Bình"))
    await make_account(registry_stack, "lan.nguyen", Role.REVIEWER)
    page = await sign_in(visits, "lan.nguyen")
    await page.wait_for_url("**/quan-ly")
    refused = await page.request.post(
        f"{visits.origin}/quan-ly/ho-so/{org_id}",
        form={"version": "1", "name": "HTX không có thẻ", "province_code": "96"},
        max_redirects=0,
    )
    assert refused.status == 403
    assert "Biểu mẫu đã hết hiệu lực" in await refused.text()
    assert len(await api_history(registry_stack, org_id)) == 1


async def test_five_wrong_passwords_bring_the_delay(
    registry_stack: RegistryStack, visits: Visits
) -> None:
    await make_account(registry_stack, "lan.nguyen", Role.REVIEWER)
    page = await sign_in(visits, "lan.nguyen", "sai mật khẩu 1")
    for attempt in range(2, 6):
        await page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng").first.wait_for()
        assert await page.get_by_text(re.compile(r"Hãy chờ \d+ giây")).count() == 0
        await page.fill("#password", f"sai mật khẩu {attempt}")
        await page.get_by_role("button", name="Đăng nhập").click()
    await page.get_by_text("Hãy chờ 5 giây trước khi thử lại.").wait_for()
    await accessible(page)

    await page.fill("#password", PASSWORD)  # the right one, too early: not even checked
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.get_by_text("Đã đăng nhập sai nhiều lần; hãy chờ rồi thử lại.").first.wait_for()
    assert "/quan-ly/dang-nhap" in page.url


async def test_axe_finds_no_serious_violation_on_the_other_workspace_pages(
    registry_stack: RegistryStack, visits: Visits
) -> None:
    org_id = await register(registry_stack, cooperative(5, "HTX Tân Thành"))
    await make_account(registry_stack, "quan.tri", Role.ADMIN)
    page = await sign_in(visits, "quan.tri")
    await page.wait_for_url("**/quan-ly")
    for path in (
        "/quan-ly/ho-so/moi",
        f"/quan-ly/ho-so/{org_id}/trang-thai",
        "/quan-ly/tai-khoan",
        "/quan-ly/nhat-ky",
        "/quan-ly/ma-truy-cap",
        f"/quan-ly/nhat-ky?target={org_id}",
        "/quan-ly/mat-khau",
    ):
        answer = await page.goto(visits.origin + path)
        assert answer is not None
        assert answer.status == 200, path
        await accessible(page)
    await page.goto(visits.origin + "/quan-ly/ma-truy-cap")
    await page.fill("#token_name", "cuc-thong-ke")
    await page.select_option("#role", "agency_reader")
    await page.get_by_role("button", name="Tạo mã truy cập").click()
    secret = await page.locator("code.secret").inner_text()
    async with httpx.AsyncClient(base_url=registry_stack.url) as client:
        whoami = await client.get("/v1/whoami", headers={"Authorization": f"Bearer {secret}"})
    assert whoami.json()["name"] == "cuc-thong-ke"
    await accessible(page)
    await page.goto(visits.origin + "/quan-ly/ho-so/moi")
    await page.select_option("#province_code", "01")  # htmx lists Hà Nội's communes
    await page.locator("#commune_code option[value='00004']").wait_for(state="attached")
    await page.goto(visits.origin + f"/quan-ly/ho-so/{org_id}/trang-thai")
    await page.get_by_role("button", name="Đổi tình trạng pháp lý").click()  # nothing chosen
    await page.locator(".error-summary").wait_for()
    await accessible(page)
    anonymous = await visits.page()
    await anonymous.goto(visits.origin + "/quan-ly/dang-nhap")
    await accessible(anonymous)
    # The form with problems answers 422, which the browser notes; anything else is an error.
    assert [e for e in visits.errors if "status of 422" not in e] == []


async def test_a_missing_required_field_cites_its_legal_basis_even_on_a_narrow_screen(
    registry_stack: RegistryStack, visits: Visits
) -> None:
    await make_account(registry_stack, "bao.le", Role.REVIEWER)
    page = await sign_in(visits, "bao.le")
    await page.wait_for_url("**/quan-ly")
    await page.set_viewport_size({"width": 360, "height": 900})
    await page.goto(visits.origin + "/quan-ly/ho-so/moi")
    beside = page.locator(".form-group:has(#name) .hint a")  # no library here: the documents
    assert await beside.all_inner_texts() == ["17/2023/QH15", "92/2024/NĐ-CP"]
    await page.get_by_role("button", name="Lưu").click()
    summary = page.locator(".error-summary li:has(a[href='#name']) .meta a")
    assert await summary.first.get_attribute("href") == "/library/so/17/2023/QH15"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await accessible(page)
    assert [e for e in visits.errors if "status of 422" not in e] == []


async def test_a_merger_and_a_removal_each_ask_for_a_confirmation_first(
    registry_stack: RegistryStack, visits: Visits
) -> None:
    merged = await register(registry_stack, cooperative(6, "HTX Hòa Thành"))
    await register(registry_stack, cooperative(7, "HTX Hòa Thành Mới"))
    mistaken = await register(registry_stack, cooperative(8, "HTX Nhập Nhầm"))
    await make_account(registry_stack, "lan.nguyen", Role.REVIEWER)
    page = await sign_in(visits, "lan.nguyen")
    await page.wait_for_url("**/quan-ly")

    await page.goto(f"{visits.origin}/quan-ly/ho-so/{merged}/sap-nhap")
    await page.fill("#into_number", "9600000007")
    await page.fill("#reason", "Đại hội thành viên quyết định sáp nhập")
    await page.get_by_role("button", name="Tiếp tục").click()
    await page.get_by_text("sẽ được ghi là đã sáp nhập vào HTX Hòa Thành Mới").wait_for()
    await accessible(page)
    assert len(await api_history(registry_stack, merged)) == 1  # nothing yet
    await page.get_by_role("button", name="Đúng, ghi nhận sáp nhập").click()
    await page.get_by_text("Đã lưu.").wait_for()
    assert (await api_history(registry_stack, merged))[-1]["event_type"] == "organization.merged"

    await page.goto(f"{visits.origin}/quan-ly/ho-so/{mistaken}/xoa")
    await page.fill("#reason", "Nhập trùng hồ sơ")
    await page.get_by_role("button", name="Tiếp tục").click()
    await page.get_by_role("button", name="Đúng, xóa hồ sơ này").click()
    await page.wait_for_url("**/quan-ly")
    async with httpx.AsyncClient(base_url=registry_stack.url) as client:
        assert (await client.get(f"/v1/organizations/{mistaken}")).status_code == 410
