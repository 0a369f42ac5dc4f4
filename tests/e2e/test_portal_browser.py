"""The portal in a real browser (Debian's chromium driven by Playwright) on real registry,
search and reporting processes: searching without diacritics with JavaScript on and off, a facet
that narrows and stays in the URL, a profile as of a past day, a status change reaching the
public pages; on every page axe-core finds no serious or critical violation and no request
leaves the portal's host. Screenshots at 360 px and 1280 px are kept (see SCREENSHOTS_DIR)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from hoptac.platform.testing import wait_until
from hoptac.portal.settings import PortalSettings

from .conftest import SCREENSHOTS_DIR, RegistryStack, ReportingStack, portal_serving
from .test_reporting import REPORT_DAY, load_ca_mau, versions_counted

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = PortalSettings().node_modules / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
}"""
WIDTHS = (360, 1280)


def cooperative(number: int, name: str, kind: str = "cooperative") -> dict[str, Any]:
    return {
        "registration_number": f"96{number:08d}",
        "name": name,
        "kind": kind,
        "registered_on": "2019-05-20",
        "address": {"province_code": "96", "commune_code": "31825", "street": "Khóm 2"},
        "sector": {"group": "agriculture", "vsic": ["0322"]},
        "members_count": 12,
        "workers_count": 20,
        "ocop_products": [{"name": "Tôm khô Tân Hưng", "stars": 4}],
        "digital": {"internet": True, "social_media": True},
        "legal_representative": {"name": "Lê Thị Hồng", "id_number": "096190004321"},
    }


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def portal_url(
    registry_stack: RegistryStack,
    search_url: tuple[str, dict[str, str]],
    reporting_stack: ReportingStack,
    tmp_path: Path,
) -> AsyncIterator[str]:
    backends = {
        "HOPTAC_PORTAL_SEARCH_URL": search_url[0],
        "HOPTAC_PORTAL_REPORTING_URL": reporting_stack.url,
        "HOPTAC_PORTAL_REGISTRY_URL": registry_stack.url,
    }
    async with portal_serving(backends, tmp_path) as url:
        yield url


class Visits:
    """Browser contexts that record every request, so a test can prove none left the portal."""

    def __init__(self, browser: Browser, portal_url: str) -> None:
        self.browser = browser
        self.origin = portal_url
        self.requested: list[str] = []
        self.errors: list[str] = []  # console errors and uncaught exceptions, CSP refusals too
        self.contexts: list[BrowserContext] = []

    async def page(self, javascript: bool = True, width: int = 1280) -> Page:
        context = await self.browser.new_context(
            java_script_enabled=javascript,
            viewport={"width": width, "height": 900},
            locale="vi-VN",
        )
        if javascript:
            await context.add_init_script(path=AXE)  # by the driver: the page's CSP stays whole
        context.on("request", lambda request: self.requested.append(request.url))
        self.contexts.append(context)
        page = await context.new_page()
        page.on("console", lambda message: self._console(message.type, message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def _console(self, kind: str, text: str) -> None:
        if kind == "error":
            self.errors.append(text)

    def foreign_requests(self) -> list[str]:
        host = urlsplit(self.origin).netloc
        return [url for url in self.requested if urlsplit(url).netloc != host]

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def visits(browser: Browser, portal_url: str) -> AsyncIterator[Visits]:
    visits = Visits(browser, portal_url)
    try:
        yield visits
    finally:
        await visits.close()


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    violations: list[dict[str, Any]] = await page.evaluate(RUN_AXE)
    return violations


async def screenshots(visits: Visits, path: str, name: str) -> None:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page = await visits.page(width=width)
        await page.goto(visits.origin + path)
        await page.screenshot(path=SCREENSHOTS_DIR / f"{name}-{width}.png", full_page=True)


async def register(registry: RegistryStack, body: dict[str, Any]) -> str:
    async with httpx.AsyncClient(base_url=registry.url, headers=registry.headers) as client:
        response = await client.post("/v1/organizations", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


async def until_searchable(search_url: str, count: int) -> None:
    async with httpx.AsyncClient(base_url=search_url) as client:

        async def indexed() -> bool:
            return (await client.get("/v1/search")).json()["total"] >= count

        await wait_until(indexed, timeout=30, message=f"{count} organisations searchable")


async def test_a_search_without_diacritics_finds_the_cooperative_with_javascript_on_and_off(
    registry_stack: RegistryStack,
    search_url: tuple[str, dict[str, str]],
    visits: Visits,
) -> None:
    wanted = await register(registry_stack, cooperative(1, "HTX Nông nghiệp Tân Hưng"))
    await register(registry_stack, cooperative(2, "Tổ hợp tác Tân Hưng", "cooperative_group"))
    await register(registry_stack, cooperative(3, "HTX Dịch vụ Phú Tân"))
    await until_searchable(search_url[0], 3)

    for javascript in (False, True):
        page = await visits.page(javascript=javascript)
        await page.goto(visits.origin + "/")
        await page.fill("#q", "htx nong nghiep tan hung")
        if javascript:  # suggestions as you type
            suggestion = page.locator("#suggestions a").first
            assert await suggestion.text_content() == "HTX Nông nghiệp Tân Hưng"
        await page.press("#q", "Enter")
        await page.wait_for_url("**/search?q=htx+nong+nghiep+tan+hung")
        first = page.locator(".hit h2 a").first
        assert await first.text_content() == "HTX Nông nghiệp Tân Hưng"
        assert await first.get_attribute("href") == f"/organizations/{wanted}"


async def test_a_facet_narrows_the_results_and_the_url_carries_it(
    registry_stack: RegistryStack,
    search_url: tuple[str, dict[str, str]],
    visits: Visits,
) -> None:
    await register(registry_stack, cooperative(1, "HTX Nông nghiệp Tân Hưng"))
    await register(registry_stack, cooperative(2, "Tổ hợp tác Tân Hưng", "cooperative_group"))
    await until_searchable(search_url[0], 2)
    page = await visits.page()
    await page.goto(visits.origin + "/search?q=tan+hung")
    assert await page.locator(".hit").count() == 2
    await page.get_by_role("link", name="Tổ hợp tác (1)").click()
    await page.wait_for_url("**kind=cooperative_group**")
    assert await page.locator(".hit").count() == 1
    assert await page.locator(".hit h2").text_content() == "Tổ hợp tác Tân Hưng"
    assert await serious_violations(page) == []
    assert visits.foreign_requests() == []
    assert visits.errors == []


async def test_the_map_of_a_search_places_what_the_search_finds(
    registry_stack: RegistryStack,
    search_url: tuple[str, dict[str, str]],
    visits: Visits,
) -> None:
    await register(registry_stack, cooperative(1, "HTX Nông nghiệp Tân Hưng"))
    await register(registry_stack, cooperative(2, "Tổ hợp tác Tân Hưng", "cooperative_group"))
    await register(registry_stack, cooperative(3, "HTX Dịch vụ Phú Tân"))
    await until_searchable(search_url[0], 3)
    page = await visits.page()
    for query, found in (("q=tan+hung&kind=cooperative", None), ("kind=cooperative_group", 1)):
        await page.goto(f"{visits.origin}/search?{query}")
        hits = await page.locator(".hit").count()
        assert hits > 0
        assert found in (None, hits)
        await page.get_by_role("link", name="Xem các kết quả này trên bản đồ").click()
        await page.wait_for_url(f"**/map?{query}")
        counts = [int(n) for n in await page.locator("table td.num").all_text_contents()]
        assert sum(counts) == hits  # the table by commune holds the map's counts
        assert await page.locator(".map-dot").count() >= 1
        assert await serious_violations(page) == []
    assert visits.foreign_requests() == []


async def test_the_profile_as_of_a_past_day_and_a_status_change_reach_the_public_pages(
    registry_stack: RegistryStack,
    reporting_stack: ReportingStack,
    search_url: tuple[str, dict[str, str]],
    visits: Visits,
) -> None:
    org_id = await register(registry_stack, cooperative(1, "HTX Nông nghiệp Tân Hưng"))
    async with httpx.AsyncClient(
        base_url=registry_stack.url, headers=registry_stack.headers
    ) as client:
        change = {"status": "suspended", "effective_date": "2023-03-01", "reason": "rà soát",
                  "suspended_until": "2027-03-01"}  # fmt: skip
        response = await client.post(f"/v1/organizations/{org_id}/status", json=change)
        assert response.status_code == 200, response.text
    async with httpx.AsyncClient(base_url=reporting_stack.url) as reporting:

        async def counted() -> bool:
            rows = (await reporting.get("/v1/stats", params={"group_by": "status"})).json()["rows"]
            return [(row["status"], row["organizations"]) for row in rows] == [("suspended", 1)]

        await wait_until(counted, timeout=30, message="the suspension counted")
    await until_searchable(search_url[0], 1)

    page = await visits.page(javascript=False)
    await page.goto(f"{visits.origin}/organizations/{org_id}?as_of=2020-01-01")
    assert await page.locator(".status-line .tag").text_content() == "Đang hoạt động"
    await page.goto(f"{visits.origin}/organizations/{org_id}")
    assert await page.locator(".status-line .tag").text_content() == "Tạm ngừng hoạt động"
    assert "096190004321" not in await page.content()
    await page.goto(f"{visits.origin}/statistics?view=status")
    figures = await page.locator(".figures").inner_text()
    assert "Ngừng hoạt động\n1" in figures

    pages = {
        "home": "/",
        "search": "/search?q=tan+hung",
        "profile": f"/organizations/{org_id}",
        "statistics": "/statistics?view=status",
        "map": "/map?kind=cooperative",
        "about": "/about",
        "not-found": "/organizations/00000000-0000-0000-0000-000000000000",
    }
    checker = await visits.page()
    for name, path in pages.items():
        await checker.goto(visits.origin + path)
        assert await serious_violations(checker) == [], name
        await screenshots(visits, path, name)
    assert visits.foreign_requests() == []
    assert [e for e in visits.errors if "404" not in e] == []  # the 404 page logs its status


async def test_the_ca_mau_dashboard_of_30_july_2022_shows_277_222_and_55(
    registry_stack: RegistryStack, reporting_stack: ReportingStack, visits: Visits
) -> None:
    writes = await load_ca_mau(registry_stack)
    async with httpx.AsyncClient(base_url=reporting_stack.url) as reporting:

        async def all_counted() -> bool:
            return await versions_counted(reporting) == writes

        await wait_until(all_counted, timeout=60, message=f"{writes} versions counted")
        query = {"province": "96", "kind": "cooperative", "as_of": REPORT_DAY.isoformat()}
        api = (await reporting.get("/v1/reports/summary", params=query)).json()["totals"]
    page = await visits.page(javascript=False)
    await page.goto(
        f"{visits.origin}/statistics?view=status&province=96&kind=cooperative&as_of=2022-07-30"
    )
    figures = await page.locator(".figures").inner_text()
    for name, number in (("Số tổ chức", "277"), ("Đang hoạt động", "222"),
                         ("Ngừng hoạt động", "55"), ("Thành viên", "4.497"),
                         ("Người lao động", "4.796")):  # fmt: skip
        assert f"{name}\n{number}" in figures
    assert (api["organizations"], api["operating"], api["stopped"]) == (277, 222, 55)


async def test_the_api_documentation_of_a_service_loads_without_another_host(
    registry_stack: RegistryStack, browser: Browser
) -> None:
    visits = Visits(browser, registry_stack.url)
    try:
        page = await visits.page(javascript=True)
        await page.goto(registry_stack.url + "/docs")
        await page.locator(".swagger-ui .info .title").wait_for()
        assert "hoptac registry" in (await page.locator(".swagger-ui .info .title").inner_text())
        assert visits.foreign_requests() == []
    finally:
        await visits.close()
