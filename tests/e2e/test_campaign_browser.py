"""The workspace's annual update campaigns in a real browser, on a real registry, collection and
notifications: a reviewer opens the campaign of this year in Cà Mau from the workspace, sees its
completion per commune as a table, has the area's staff reminded and sees the reminder listed.
Axe finds no serious or critical violation on these pages, and no request leaves the portal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from hoptac.contracts.vietnam_time import vietnam_today
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.testing import wait_until
from hoptac.registry.domain.access import Role

from .conftest import RegistryStack, portal_serving, workspace_backends
from .test_collection import collection_serving
from .test_notifications import NotificationsStack, notifications  # noqa: F401 (fixture)
from .test_portal_browser import Visits, browser, chromium, cooperative, register  # noqa: F401
from .test_workspace_browser import accessible, signed_in_as, visits  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture
async def workspace_url(
    registry_stack: RegistryStack,
    notifications: NotificationsStack,  # noqa: F811
    pg_server: EmbeddedPostgres,
    tmp_path: Path,
) -> AsyncIterator[str]:
    """The portal with the registry and collection, which has notifications send reminders."""
    reminders = {"HOPTAC_COLLECTION_NOTIFICATIONS_URL": notifications.url}
    async with collection_serving(registry_stack, pg_server, tmp_path, reminders) as collection:
        await followed(collection, registry_stack)
        backends = workspace_backends(registry_stack.url, collection)
        async with portal_serving(backends, tmp_path) as url:
            yield url


async def followed(collection: str, registry: RegistryStack) -> None:
    """Two cooperatives of Phường Bạc Liêu (Cà Mau) registered, until collection has followed
    them from the registry's events."""
    names = ("HTX Nuôi ong Đất Mũi", "HTX Vận tải Sông Đốc")
    for number, name in enumerate(names, start=1):
        await register(registry, cooperative(number, name))
    async with httpx.AsyncClient(base_url=collection, headers=registry.headers) as client:

        async def scored() -> bool:
            answer = await client.get("/v1/quality", params={"province": "96"})
            return answer.status_code == 200 and len(answer.json()["items"]) == len(names)

        await wait_until(scored, timeout=30, message="collection follows the records")


async def test_a_reviewer_opens_a_campaign_sees_each_commune_and_reminds_the_staff(
    registry_stack: RegistryStack,
    visits: Visits,  # noqa: F811
) -> None:
    page = await signed_in_as(visits, registry_stack, "mai.pham", Role.REVIEWER, ["96"])
    await page.get_by_role("link", name="Đợt cập nhật hằng năm").click()
    await page.get_by_role("heading", name="Đợt cập nhật thông tin hằng năm").wait_for()
    await page.get_by_text("Chưa có đợt cập nhật nào cho địa bàn của bạn.").wait_for()
    await accessible(page)

    year = await page.input_value("#campaign_year")
    await page.select_option("#campaign_province", "96")
    await page.get_by_role("button", name="Mở đợt").click()
    await page.get_by_text("Đã mở đợt cập nhật.").wait_for()
    await page.get_by_role("heading", name=f"Cập nhật năm {year} – Tỉnh Cà Mau").wait_for()
    communes = page.locator("table", has_text="Xã, phường")
    commune = communes.locator("tbody tr", has_text="Phường Bạc Liêu")
    cells = [text.strip() for text in await commune.locator("td").all_inner_texts()]
    assert cells[0] == "2"  # records in scope
    assert cells[3].endswith("%")
    await page.get_by_text("Chưa gửi lần nhắc nào.").wait_for()
    await accessible(page)

    await page.get_by_role("button", name="Gửi nhắc nhở ngay").click()
    await page.get_by_text("Đã gửi nhắc nhở").wait_for()
    sent = page.locator("table", has_text="Người nhận").locator("tbody tr")
    assert await sent.count() == 1
    assert "mai.pham" in await sent.inner_text()
    await accessible(page)

    await page.get_by_role("link", name="Về danh sách đợt cập nhật").click()
    await page.get_by_role("link", name=f"Cập nhật năm {year} – Tỉnh Cà Mau").wait_for()
    state = "Đang diễn ra" if vietnam_today() <= date(int(year), 12, 15) else "Đã quá hạn"
    assert state in await page.locator("table").inner_text()
    assert visits.foreign_requests() == []
    assert visits.errors == []
