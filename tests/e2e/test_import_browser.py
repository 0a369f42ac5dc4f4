"""The workspace's import page in a real browser, on a real registry and collection: an area
officer downloads the template, checks a small file and sees its problem summarised and at its
row and column, fixes the file, imports it, sees the batch with the proposal it made and submits
it for review; a reviewer, another person, approves it from the same page and sees it applied.
Axe finds no serious or critical violation on any of these pages, and no request leaves the
portal."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hoptac.registry.domain.access import Role

from .conftest import RegistryStack, portal_serving, workspace_backends
from .test_collection import collection  # noqa: F401 (fixture)
from .test_portal_browser import Visits, browser, chromium  # noqa: F401 (fixtures)
from .test_workspace_browser import accessible, signed_in_as, visits  # noqa: F401

pytestmark = pytest.mark.e2e

HEADER = ["registration_number", "name", "kind", "registered_on", "address.province_code",
          "address.commune_code", "sector.group", "members_count"]  # fmt: skip
ROW = ["6001088001", "Hợp tác xã Nuôi ong Đất Mũi", "Hợp tác xã", "02/01/2020", "96", "31825",
       "agriculture"]  # fmt: skip


def survey(members: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, [*ROW, members]])
    return buffer.getvalue().encode()


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
