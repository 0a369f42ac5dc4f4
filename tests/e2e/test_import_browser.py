"""The workspace's import page in a real browser, on a real registry and collection: an area
officer downloads the template, checks a small file and sees its problem summarised and at its
row and column, fixes the file, imports it, sees the batch with the proposal it made and submits
it for review; a reviewer, another person, approves it from the same page and sees it applied.
A proposal updating a record that changed since it was made is shown field by field beside the
record then and now, rebased, and returned with a comment on one field, each step in its audit
trail. Axe finds no serious or critical violation on any of these pages, and no request leaves
the portal."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from hoptac.registry.domain.access import Role

from .conftest import RegistryStack, portal_serving, workspace_backends
from .test_collection import collection  # noqa: F401 (fixture)
from .test_portal_browser import (  # noqa: F401 (fixtures)
    Visits,
    browser,
    chromium,
    cooperative,
    register,
)
from .test_workspace_browser import accessible, signed_in_as, visits  # noqa: F401

pytestmark = pytest.mark.e2e

HEADER = ["registration_number", "name", "kind", "registered_on", "address.province_code",
          "address.commune_code", "sector.group", "members_count"]  # fmt: skip
ROW = ["6001088001", "Hợp tác xã Nuôi ong Đất Mũi", "Hợp tác xã", "02/01/2020", "96", "31825",
       "agriculture"]  # fmt: skip


def survey(members: str, registration_number: str = ROW[0]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, [registration_number, *ROW[1:], members]])
    return buffer.getvalue().encode()


async def import_and_submit(page: Page, content: bytes) -> str:
    """Imports a file from the import page and submits its drafts: the import's page."""
    await page.get_by_role("link", name="Nhập dữ liệu").click()
    await page.set_input_files(
        "#file", {"name": "khao-sat.csv", "mimeType": "text/csv", "buffer": content}
    )
    await page.get_by_role("button", name="Nhập", exact=True).click()
    await page.get_by_role("heading", name="Lô nhập “khao-sat.csv”").wait_for()
    await page.get_by_role("button", name="Gửi các đề xuất nháp đi duyệt").click()
    await page.get_by_text("Đã gửi 1 đề xuất đi duyệt.").wait_for()
    return page.url.partition("?")[0]


@pytest.fixture
async def workspace_url(
    registry_stack: RegistryStack,
    collection: str,  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[str]:
    """The portal with the registry and collection: the import page needs nothing else."""
    backends = workspace_backends(registry_stack.url, collection)
    async with portal_serving(backends, tmp_path) as url:
        yield url


async def test_an_officer_imports_a_fixed_file_and_submits_it_and_a_reviewer_approves_it(
    registry_stack: RegistryStack,
    visits: Visits,  # noqa: F811
) -> None:
    page = await signed_in_as(visits, registry_stack, "thu.le", Role.AREA_OFFICER, ["96"])
    await page.get_by_role("link", name="Nhập dữ liệu").click()
    await page.get_by_role("heading", name="Nhập dữ liệu khảo sát").wait_for()
    await accessible(page)
    async with page.expect_download() as template:
        await page.get_by_role("link", name="Tải mẫu Excel (.xlsx)").click()
    assert (await (await template.value).path()).read_bytes()[:2] == b"PK"

    await page.set_input_files(
        "#file", {"name": "khao-sat.csv", "mimeType": "text/csv", "buffer": survey("nhiều")}
    )
    await page.get_by_role("button", name="Kiểm tra thử").click()
    await page.get_by_role("heading", name="Kết quả kiểm tra thử").wait_for()
    summary = page.locator(".error-summary a[href='#problem-1']")
    assert "Hàng 2, cột H:" in await summary.inner_text()
    assert "không phải là số nguyên" in await page.locator("#problem-1").inner_text()
    await accessible(page)

    await page.get_by_role("link", name="Tải tệp lên lại").click()
    await page.set_input_files(
        "#file", {"name": "khao-sat.csv", "mimeType": "text/csv", "buffer": survey("30")}
    )
    await page.get_by_role("button", name="Kiểm tra thử").click()
    await page.get_by_text("Tệp không có lỗi: có thể nhập.").wait_for()

    await page.get_by_role("link", name="Tải tệp lên lại").click()
    await page.set_input_files(
        "#file", {"name": "khao-sat.csv", "mimeType": "text/csv", "buffer": survey("30")}
    )
    await page.get_by_role("button", name="Nhập", exact=True).click()
    await page.get_by_role("heading", name="Lô nhập “khao-sat.csv”").wait_for()
    await page.get_by_text("Đã nhập: 1 đề xuất").wait_for()
    proposals = page.locator("table", has_text="Hợp tác xã Nuôi ong Đất Mũi")
    assert "Bản nháp" in await proposals.inner_text()
    await accessible(page)

    batch = page.url.partition("?")[0]

    await page.get_by_role("button", name="Gửi các đề xuất nháp đi duyệt").click()
    await page.get_by_text("Đã gửi 1 đề xuất đi duyệt.").wait_for()
    assert "Đã gửi duyệt" in await proposals.inner_text()
    await accessible(page)
    await page.get_by_role("link", name="Về trang nhập dữ liệu").click()
    await page.get_by_role("link", name="khao-sat.csv").wait_for()

    reviewer = await signed_in_as(visits, registry_stack, "minh.tran", Role.REVIEWER, [])
    await reviewer.goto(batch)
    await reviewer.get_by_role("heading", name="Duyệt đề xuất").wait_for()
    await accessible(reviewer)
    await reviewer.get_by_label("Chọn đề xuất dòng 2").check()
    await reviewer.get_by_role("button", name="Duyệt các đề xuất đã chọn").click()
    await reviewer.get_by_text("Kết quả duyệt: 1 đã áp dụng, 0 áp dụng một phần").wait_for()
    applied = reviewer.locator("table", has_text="Hợp tác xã Nuôi ong Đất Mũi")
    assert "Đã áp dụng" in await applied.inner_text()
    await accessible(reviewer)
    assert visits.foreign_requests() == []
    assert visits.errors == []


async def test_a_stale_proposal_is_shown_beside_its_record_rebased_and_returned_with_a_comment(
    registry_stack: RegistryStack,
    visits: Visits,  # noqa: F811
) -> None:
    # 12 members, version 1; registered on the day the survey's row says
    org_id = await register(
        registry_stack, cooperative(7, ROW[1]) | {"registered_on": "2020-01-02"}
    )
    officer = await signed_in_as(visits, registry_stack, "thu.le", Role.AREA_OFFICER, ["96"])
    batch = await import_and_submit(officer, survey("35", "9600000007"))
    async with httpx.AsyncClient(base_url=registry_stack.url) as registry:
        changed = await registry.patch(
            f"/v1/organizations/{org_id}",
            json={"members_count": 32, "reason": "Đại hội thành viên"},
            headers={**registry_stack.headers, "If-Match": '"1"'},
        )
    assert changed.status_code == 200, changed.text

    reviewer = await signed_in_as(visits, registry_stack, "minh.tran", Role.REVIEWER, [])
    await reviewer.goto(batch)
    await reviewer.get_by_role("link", name="Xem đề xuất dòng 2").click()
    await reviewer.get_by_role("heading", name=f"Đề xuất: {ROW[1]}").wait_for()
    await reviewer.get_by_text("phiên bản 1, nay là phiên bản 2").wait_for()
    members = reviewer.locator("tr", has=reviewer.locator("th", has_text="Số thành viên"))
    assert [await cell.inner_text() for cell in await members.locator("td").all()] == [
        "12",
        "32",
        "35",
    ]
    assert "Đã thay đổi" in await members.locator("th").inner_text()
    await accessible(reviewer)

    await reviewer.get_by_role("button", name="Lấy phiên bản hiện tại của hồ sơ làm gốc").click()
    await reviewer.get_by_text("Đề xuất đã lấy phiên bản hiện tại của hồ sơ làm gốc").wait_for()
    assert await members.locator("th").inner_text() == "Số thành viên"

    await reviewer.get_by_role("button", name="Trả lại", exact=True).click()
    summary = reviewer.locator(".error-summary a[href='#comment-_']")
    assert "Nhập nhận xét về ít nhất một trường" in await summary.inner_text()
    await accessible(reviewer)
    comment = "Số thành viên chưa khớp biên bản đại hội"
    await reviewer.get_by_label("Nhận xét về trường Số thành viên").fill(comment)
    await reviewer.get_by_role("button", name="Trả lại", exact=True).click()
    await reviewer.get_by_text("Đã trả lại đề xuất cho người lập.").wait_for()
    assert f"Số thành viên: {comment}" in await reviewer.locator("main").inner_text()
    trail = reviewer.locator("table", has_text="Gửi duyệt")
    steps = await trail.inner_text()
    assert "Lấy phiên bản hiện tại làm gốc" in steps
    assert "Trả lại" in steps
    await accessible(reviewer)
    assert visits.foreign_requests() == []
    # The refused empty return answered 422, which the browser logs; nothing else.
    assert [e for e in visits.errors if "status of 422" not in e] == []
