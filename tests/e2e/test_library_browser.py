"""The policy library end to end, in a real browser: the registry (whose tokens staff use), the
library, search and the portal as real processes on real PostgreSQL and NATS. The starting set
is on the library page with its facets and relations; a document staff add, with a DOCX file, is
found by a word of its text typed without diacritics, with JavaScript on and off; a profile lists
the documents that apply to it. axe-core finds no serious or critical violation and no request
leaves the portal's host."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import docx
import httpx
import pytest
from playwright.async_api import Browser

from hoptac.library.adapters.migrations import migrate_async as migrate_library
from hoptac.library.seed.national import DOCUMENTS
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.testing import wait_until
from hoptac.registry.domain.access import Role

from .conftest import SCREENSHOTS_DIR, Process, RegistryStack, uvicorn_command, wait_ready
from .test_portal_browser import (  # noqa: F401 (browser, chromium: fixtures used here too)
    Visits,
    browser,
    chromium,
    cooperative,
    register,
    serious_violations,
)
from .test_workspace_browser import make_account, sign_in

pytestmark = pytest.mark.e2e


async def serve(
    name: str, app: str, env: dict[str, str], log_dir: Path, started: list[Process]
) -> str:
    """Start one service as `hoptac run` would; its URL once it is ready."""
    port = free_port()
    prefix = f"HOPTAC_{name.upper()}_"
    process = Process(
        name,
        uvicorn_command(app, port),
        {**os.environ, **env, f"{prefix}PORT": str(port)},
        log_dir / f"{name}.log",
    )
    started.append(process)
    process.start()
    url = f"http://127.0.0.1:{port}"
    await wait_ready(url, process)
    return url


@pytest.fixture
async def library_portal(
    registry_stack: RegistryStack, pg_server: EmbeddedPostgres, tmp_path: Path
) -> AsyncIterator[tuple[str, str]]:
    """(portal URL, library URL), the library holding the starting set."""
    name = f"library_{uuid.uuid4().hex[:12]}"
    database_url = pg_server.create_database(name)
    await migrate_library(database_url)
    started: list[Process] = []
    try:
        library = await serve(
            "library",
            "hoptac.library.entrypoints.http.app:create_app",
            {
                "HOPTAC_LIBRARY_DATABASE_URL": database_url,
                "HOPTAC_LIBRARY_NATS_URL": registry_stack.nats_url,
                "HOPTAC_LIBRARY_REGISTRY_URL": registry_stack.url,
                "HOPTAC_LIBRARY_RELAY_POLL_SECONDS": "0.1",
            },
            tmp_path,
            started,
        )
        search = await serve(
            "search",
            "hoptac.search.entrypoints.http.app:create_app",
            {
                "HOPTAC_SEARCH_NATS_URL": registry_stack.nats_url,
                "HOPTAC_SEARCH_VAR_DIR": str(tmp_path / "var"),
                "HOPTAC_SEARCH_REGISTRY_URL": registry_stack.url,
                "HOPTAC_SEARCH_REGISTRY_TOKEN": registry_stack.admin_token,
                "HOPTAC_SEARCH_LIBRARY_URL": library,
                "HOPTAC_SEARCH_CONSUMER_FETCH_TIMEOUT": "0.2",
            },
            tmp_path,
            started,
        )
        portal = await serve(
            "portal",
            "hoptac.portal.entrypoints.http.app:create_app",
            {
                "HOPTAC_PORTAL_SEARCH_URL": search,
                "HOPTAC_PORTAL_REGISTRY_URL": registry_stack.url,
                "HOPTAC_PORTAL_LIBRARY_URL": library,
                "HOPTAC_PORTAL_REPORTING_URL": "http://127.0.0.1:9",
            },
            tmp_path,
            started,
        )
        yield portal, library
    finally:
        for process in reversed(started):
            process.stop()
        pg_server.drop_database(name)


@pytest.fixture
async def visits(
    browser: Browser,  # noqa: F811 (the fixture imported above)
    library_portal: tuple[str, str],
) -> AsyncIterator[Visits]:
    visits = Visits(browser, library_portal[0])
    try:
        yield visits
    finally:
        await visits.close()


async def until_found(portal_url: str, q: str) -> None:
    async with httpx.AsyncClient(base_url=portal_url) as client:

        async def found() -> bool:
            return (
                q in (await client.get("/library", params={"q": q})).text
                and "hit" in (await client.get("/library", params={"q": q})).text
            )

        await wait_until(found, timeout=30, message=f"{q!r} found in the library")


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def test_the_starting_set_with_its_facets_and_relations(visits: Visits) -> None:
    page = await visits.page()
    await page.goto(visits.origin + "/library")
    await page.get_by_role("link", name="Luật (2)").wait_for(timeout=30_000)
    assert await serious_violations(page) == []
    await page.get_by_role("link", name="Luật (2)").click()
    await page.wait_for_url("**type=law**")
    assert await page.locator(".hit").count() == 2
    await page.get_by_role("link", name="Luật 17/2023/QH15: Luật Hợp tác xã").click()
    await page.wait_for_url("**/library/*")
    assert "01/07/2024" in await page.locator(".summary-list").text_content()  # type: ignore[operator]
    replaced = page.get_by_role("link", name="23/2012/QH13: Luật Hợp tác xã")
    await replaced.click()
    await page.wait_for_url("**/library/*")
    assert "Đã bị thay thế" in await page.locator(".status-line").text_content()  # type: ignore[operator]
    assert await serious_violations(page) == []
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS_DIR / "library-document-1280.png", full_page=True)
    assert visits.foreign_requests() == []
    assert visits.errors == []


async def test_a_document_staff_add_is_found_by_a_word_of_its_text_without_diacritics(
    registry_stack: RegistryStack, library_portal: tuple[str, str], visits: Visits
) -> None:
    portal_url, library_url = library_portal
    async with httpx.AsyncClient(base_url=library_url, headers=registry_stack.headers) as staff:
        response = await staff.post(
            "/v1/documents",
            json={
                "number": "45/2025/QĐ-UBND",
                "title": "Quyết định hỗ trợ hợp tác xã nông nghiệp",
                "type": "decision",
                "issuer": "Ủy ban nhân dân tỉnh Cà Mau",
                "signed_on": "2025-03-10",
                "status": "in_force",
                "area": "96",
                "topics": ["support"],
            },
        )
        assert response.status_code == 201, response.text
        document_id = response.json()["id"]
        upload = await staff.put(
            f"/v1/documents/{document_id}/file",
            params={"name": "quyet-dinh.docx"},
            content=docx_bytes("Hỗ trợ kinh phí xây dựng nhãn hiệu và truy xuất nguồn gốc."),
        )
        assert upload.status_code == 200, upload.text
    await until_found(portal_url, "nhan hieu")
    for javascript in (False, True):
        page = await visits.page(javascript=javascript)
        await page.goto(visits.origin + "/library")
        await page.fill("#q", "truy xuat nguon goc")
        await page.press("#q", "Enter")
        await page.wait_for_url("**/library?q=truy*")
        first = page.locator(".hit h2 a").first
        assert await first.get_attribute("href") == f"/library/{document_id}"
        if javascript:
            assert await serious_violations(page) == []
    page = await visits.page(javascript=False)
    await page.goto(f"{visits.origin}/library/{document_id}")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="quyet-dinh.docx").click()
    assert (await download.value).suggested_filename == "quyet-dinh.docx"
    assert visits.foreign_requests() == []


async def test_a_reviewer_adds_a_document_with_its_file_and_the_public_finds_it_by_its_text(
    registry_stack: RegistryStack, library_portal: tuple[str, str], visits: Visits
) -> None:
    await make_account(registry_stack, "thu_vien", Role.REVIEWER)
    page = await sign_in(visits, "thu_vien")
    await page.wait_for_url("**/quan-ly")
    await page.get_by_role("link", name="Thư viện văn bản").click()
    await page.get_by_role("link", name="Thêm văn bản").click()
    await page.wait_for_url("**/quan-ly/thu-vien/moi")
    assert await serious_violations(page) == []
    await page.get_by_role("button", name="Lưu").click()  # empty: each problem beside its field
    await page.locator(".error-summary").wait_for()
    assert await page.locator("#doc_number-error").count() == 1
    assert await serious_violations(page) == []
    await page.fill("#doc_number", "12/2025/QĐ-UBND")
    await page.fill("#doc_title", "Quyết định hỗ trợ chuyển đổi số cho hợp tác xã")
    await page.select_option("#doc_type", "decision")
    await page.fill("#doc_issuer", "Ủy ban nhân dân tỉnh Cà Mau")
    await page.fill("#doc_signed_on", "15/04/2025")
    await page.select_option("#doc_status", "in_force")
    await page.check("#doc_topics-digital_transformation")
    await page.select_option("#doc_area", "96")
    await page.set_input_files(
        "#doc_file",
        files=[
            {
                "name": "qd-12.docx",
                "mimeType": "application/octet-stream",
                "buffer": docx_bytes("Hỗ trợ phần mềm kế toán điện tử cho hợp tác xã."),
            }
        ],
    )
    await page.get_by_role("button", name="Lưu").click()
    await page.wait_for_url("**/quan-ly/thu-vien/*?da-luu=1")
    assert "qd-12.docx" in await page.content()
    await until_found(library_portal[0], "ke toan dien tu")
    public = await visits.page(javascript=False)
    await public.goto(visits.origin + "/library")
    await public.fill("#q", "phan mem ke toan dien tu")
    await public.press("#q", "Enter")
    await public.wait_for_url("**/library?q=phan*")
    first = public.locator(".hit h2 a").first
    assert "12/2025/QĐ-UBND" in await first.text_content()  # type: ignore[operator]
    assert visits.foreign_requests() == []


async def test_a_profile_lists_the_documents_that_apply_to_it(
    registry_stack: RegistryStack, visits: Visits
) -> None:
    org_id = await register(registry_stack, cooperative(1, "HTX Nông nghiệp Tân Hưng"))
    page = await visits.page()
    await page.goto(f"{visits.origin}/organizations/{org_id}")
    section = page.locator("section[aria-labelledby=documents-heading]")
    assert await section.get_by_role("link", name="Luật 17/2023/QH15: Luật Hợp tác xã").count() == 1
    # Replaced, so no longer applying.
    assert await section.get_by_text("23/2012/QH13").count() == 0
    assert await serious_violations(page) == []
    # The status cites its legal basis, a link to the document in the library.
    await page.locator(".status-line").get_by_role("link", name="17/2023/QH15").click()
    await page.wait_for_url("**/library/*")
    assert "17/2023/QH15" in await page.locator(".summary-list").text_content()  # type: ignore[operator]
    assert visits.foreign_requests() == []


async def test_every_rule_the_register_applies_cites_a_document_of_the_starting_set(
    registry_stack: RegistryStack, library_portal: tuple[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=registry_stack.url) as registry:
        rules = (await registry.get("/v1/reference/legal-basis")).json()
    cited = {
        citation["number"]
        for part in ("statuses", "transitions", "required_fields")
        for rule in rules[part]
        for citation in rule["basis"]
    }
    assert cited <= {document["number"] for document in DOCUMENTS}
    async with httpx.AsyncClient(base_url=library_portal[0]) as portal:
        for number in sorted(cited):
            page = await portal.get(f"/library/so/{number}", follow_redirects=True)
            assert page.status_code == 200, number
            assert number in page.text


async def test_a_rule_links_to_the_article_a_reviewer_recorded_as_its_basis(
    registry_stack: RegistryStack, library_portal: tuple[str, str], visits: Visits
) -> None:
    """The starting set records no article: a reviewer attaches a text (made up here, as no
    official text is at hand) and chooses the article a rule rests on; the profile's link then
    lands on that article of the document's page."""
    library_url = library_portal[1]
    async with httpx.AsyncClient(base_url=library_url, headers=registry_stack.headers) as staff:
        law = (await staff.get("/v1/documents", params={"number": "17/2023/QH15"})).json()
        law_id = law["items"][0]["id"]
        upload = await staff.put(
            f"/v1/documents/{law_id}/file",
            params={"name": "van-ban-thu.docx"},
            content=docx_bytes(
                "Chương I",
                "PHẦN THỬ NGHIỆM",
                "Điều 1. Điều thứ nhất của văn bản thử",
                "Nội dung thử của điều một.",
                "Điều 2: Điều thứ hai của văn bản thử",
                "Nội dung thử của điều hai.",
            ),
        )
        assert upload.status_code == 200, upload.text
    await make_account(registry_stack, "can_cu", Role.REVIEWER)
    page = await sign_in(visits, "can_cu")
    await page.wait_for_url("**/quan-ly")
    await page.goto(f"{visits.origin}/quan-ly/thu-vien/{law_id}")
    rule = page.locator('[id="rule-status.operating"]')
    await rule.select_option("dieu-2")
    assert await serious_violations(page) == []
    await page.get_by_role("button", name="Lưu căn cứ", exact=True).click()
    await page.wait_for_url("**/quan-ly/thu-vien/*?da-luu=1")
    assert await page.locator('[id="rule-status.operating"]').input_value() == "dieu-2"
    org_id = await register(registry_stack, cooperative(2, "HTX Dịch vụ Tân Lộc"))
    public = await visits.page()
    await public.goto(f"{visits.origin}/organizations/{org_id}")
    link = public.locator(".status-line").get_by_role("link", name="17/2023/QH15, Điều 2")
    await link.click()
    await public.wait_for_url("**/library/*#dieu-2")
    heading = public.locator("#dieu-2 h3")
    assert await heading.text_content() == "Điều 2. Điều thứ hai của văn bản thử"
    assert await public.get_by_role("link", name="Điều 1. Điều thứ nhất của văn bản thử").count()
    assert await serious_violations(public) == []
    assert visits.foreign_requests() == []
