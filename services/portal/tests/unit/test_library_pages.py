"""The policy library's pages over fake backends: facets, a document with its relations and
file, the documents on a profile, and each backend down costing only its part."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from functools import partial

import httpx
import pytest

from hoptac.portal.adapters.backends import Backend
from hoptac.portal.adapters.library import LibraryBackends
from hoptac.portal.adapters.recent_answers import RecentAnswers
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import ORG_ID, FakeServices, HandlerTransport

pytestmark = pytest.mark.unit

LAW_ID = "6f1c2a3b-0000-4000-8000-000000000017"
OLD_ID = "6f1c2a3b-0000-4000-8000-000000000023"
LAW = {
    "id": LAW_ID,
    "version": 2,
    "number": "17/2023/QH15",
    "title": "Luật Hợp tác xã",
    "type": "law",
    "issuer": "Quốc hội",
    "signed_on": "2023-06-20",
    "in_force_from": "2024-07-01",
    "status": "in_force",
    "topics": ["organisation"],
    "kinds": ["cooperative"],
    "sectors": [],
    "area": "national",
    "summary": "Luật Hợp tác xã năm 2023.",
    "amends": [],
    "replaces": ["23/2012/QH13"],
    "file": {
        "name": "luat-htx.pdf",
        "media_type": "application/pdf",
        "size_bytes": 4497,
        "sha256": "a" * 64,
        "text_status": "not_extracted",
    },
    "updated_at": "2026-01-01T00:00:00+00:00",
    "amends_links": [],
    "replaces_links": [{"number": "23/2012/QH13", "id": OLD_ID, "title": "Luật Hợp tác xã"}],
    "amended_by": [],
    "replaced_by": [],
}
SEARCH_ANSWER = {
    "total": 1,
    "items": [{k: LAW[k] for k in ("id", "version", "number", "title", "type", "issuer",
               "signed_on", "in_force_from", "status", "topics", "kinds", "sectors", "area",
               "summary")}],
    "facets": {"type": {"law": 1, "decision": 2}, "status": {"in_force": 1},
               "topic": {"ocop": 2}, "issuer": {"Quốc hội": 1}, "year": {"2023": 1}},
}  # fmt: skip


# Made up for the tests: the project records no article itself.
ARTICLES = [
    {"kind": "article", "number": "1", "anchor": "dieu-1", "label": "Điều 1",
     "heading": "Phạm vi điều chỉnh", "part": "Chương I NHỮNG QUY ĐỊNH CHUNG",
     "text": "Luật này quy định về hợp tác xã.\nDòng thứ hai."},
    {"kind": "annex", "number": "II-8", "anchor": "phu-luc-ii-8", "label": "Phụ lục II-8",
     "heading": "Mẫu thông báo", "part": "", "text": ""},
]  # fmt: skip
PROVISION = {
    "rule": "status.suspended",
    "document_id": LAW_ID,
    "number": "92/2024/nđ-cp",
    "article": {"kind": "article", "number": "5", "anchor": "dieu-5", "label": "Điều 5",
                "heading": "Tạm ngừng"},
}  # fmt: skip


class FakeLibrary:
    def __init__(self) -> None:
        self.down: set[str] = set()
        self.asked: list[httpx.Request] = []
        self.articles: list[dict[str, object]] = []
        self.provisions: list[dict[str, object]] = []

    def answer(self, part: str, request: httpx.Request) -> httpx.Response:
        self.asked.append(request)
        if part in self.down:
            return httpx.Response(503)
        path = request.url.path
        if path == "/v1/documents/search":
            return httpx.Response(200, json=SEARCH_ANSWER)
        if path == f"/v1/documents/{LAW_ID}":
            return httpx.Response(200, json=LAW)
        if path == f"/v1/documents/{LAW_ID}/articles":
            return httpx.Response(200, json={"items": self.articles})
        if path == "/v1/provisions":
            return httpx.Response(200, json={"items": self.provisions})
        if path == f"/v1/documents/{LAW_ID}/file":
            return httpx.Response(
                200,
                content=b"%PDF-1.4 ...",
                headers={
                    "content-type": "application/pdf",
                    "content-disposition": "attachment; filename*=UTF-8''luat-htx.pdf",
                },
            )
        if path == "/v1/documents":
            number = request.url.params.get("number")
            found = number in (None, LAW["number"])
            return httpx.Response(200, json={"items": [LAW] if found else []})
        return httpx.Response(404, json={"error": "not_found"})

    def backends(self) -> LibraryBackends:
        def backend(part: str) -> Backend:
            answer = partial(self.answer, part)
            return Backend(part, "http://fake", 1.0, HandlerTransport(part, answer))

        return LibraryBackends(backend("search"), backend("library"), RecentAnswers(0.0))


@pytest.fixture
def library() -> FakeLibrary:
    return FakeLibrary()


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
async def portal(library: FakeLibrary, services: FakeServices) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        PortalSettings(),
        services.backends(),
        today=lambda: date(2026, 1, 15),
        library=library.backends(),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        yield client


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_the_library_lists_documents_with_facets_in_vietnamese(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    response = await portal.get("/library", params={"q": "hop tac xa", "type": "law"})
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Luật 17/2023/QH15: Luật Hợp tác xã" in text
    assert "Quyết định (2)" in text
    assert "OCOP (Mỗi xã một sản phẩm) (2)" in text
    assert "20/06/2023" in text
    sent = library.asked[-1].url.params
    assert (sent.get("q"), sent.get_list("type")) == ("hop tac xa", ["law"])


async def test_a_filter_value_the_library_does_not_know_is_dropped_not_sent(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    response = await portal.get("/library", params={"type": "novel", "year": "20x4"})
    assert response.status_code == 200
    assert "không hợp lệ" in text_of(response.text)
    assert "type" not in library.asked[-1].url.params


async def test_a_document_page_shows_metadata_relations_and_the_file(
    portal: httpx.AsyncClient,
) -> None:
    portal.cookies.set("lang", "en")
    response = await portal.get(f"/library/{LAW_ID}")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "In force from 01/07/2024" in text
    assert f'href="/library/{OLD_ID}"' in response.text
    assert "Replaces" in text
    assert "4,497 bytes" in text
    assert "could not be extracted" in text
    assert f'href="/library/{LAW_ID}/file"' in response.text


async def test_a_document_page_shows_its_articles_each_at_its_anchor_with_the_contents(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    without = await portal.get(f"/library/{LAW_ID}")
    assert 'id="articles-heading"' not in without.text  # no text, no articles: as before
    library.articles = ARTICLES
    response = await portal.get(f"/library/{LAW_ID}")
    assert response.status_code == 200
    assert '<a href="#dieu-1">Điều 1. Phạm vi điều chỉnh</a>' in response.text
    assert '<a href="#phu-luc-ii-8">Phụ lục II-8. Mẫu thông báo</a>' in response.text
    assert 'id="dieu-1"' in response.text
    assert 'id="phu-luc-ii-8"' in response.text
    text = text_of(response.text)
    assert "Mục lục" in text
    assert "Chương I NHỮNG QUY ĐỊNH CHUNG Điều 1. Phạm vi điều chỉnh" in text
    assert "<p>Dòng thứ hai.</p>" in response.text


async def test_a_rule_s_basis_links_to_the_article_staff_recorded_and_else_to_the_document(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    library.provisions = [PROVISION]
    response = await portal.get(f"/organizations/{ORG_ID}")  # suspended, in the fake registry
    assert response.status_code == 200
    assert 'href="/library/so/92/2024/N%C4%90-CP#dieu-5">92/2024/NĐ-CP, Điều 5</a>' in response.text
    assert (
        'href="/library/so/09/2024/TT-BKH%C4%90T">09/2024/TT-BKHĐT (Phụ lục II-8)</a>'
        in response.text
    )
    portal.cookies.set("lang", "en")
    english = await portal.get(f"/organizations/{ORG_ID}")
    assert "92/2024/NĐ-CP, Article 5</a>" in english.text
    library.down = {"library"}
    down = await portal.get(f"/organizations/{ORG_ID}")
    assert 'href="/library/so/92/2024/N%C4%90-CP">92/2024/NĐ-CP</a>' in down.text


async def test_the_page_about_the_data_lists_the_register_s_rules_with_their_basis(
    portal: httpx.AsyncClient, library: FakeLibrary, services: FakeServices
) -> None:
    library.provisions = [PROVISION]
    response = await portal.get("/about")
    assert response.status_code == 200
    assert "Quy tắc của sổ đăng ký và căn cứ pháp lý" in response.text
    decree = '<a href="/library/so/92/2024/N%C4%90-CP'
    suspended = f'<li>Tạm ngừng hoạt động. <span class="meta">Căn cứ pháp lý: {decree}#dieu-5">'
    assert suspended in response.text
    assert f'<li>Tỉnh, thành phố. <span class="meta">Căn cứ pháp lý: {decree}">' in response.text
    services.down = {"registry"}  # its first answer is kept: a new portal asks again
    app = create_app(PortalSettings(), services.backends(), library=library.backends())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as fresh:
        down = await fresh.get("/about")
    assert down.status_code == 200
    assert "Chưa lấy được các quy tắc từ sổ đăng ký" in down.text


async def test_the_file_is_served_by_the_portal_itself(portal: httpx.AsyncClient) -> None:
    response = await portal.get(f"/library/{LAW_ID}/file")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_an_unknown_document_is_the_not_found_page(portal: httpx.AsyncClient) -> None:
    assert (await portal.get("/library/not-a-uuid")).status_code == 404
    assert (await portal.get(f"/library/{ORG_ID}")).status_code == 404


async def test_a_document_is_found_by_the_number_the_registry_cites(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    response = await portal.get("/library/so/17/2023/QH15")
    assert response.status_code == 302
    assert response.headers["location"] == f"/library/{LAW_ID}"
    assert library.asked[-1].url.params["number"] == "17/2023/QH15"
    assert (await portal.get("/library/so/99/2099/QH99")).status_code == 404


async def test_a_profile_lists_the_documents_that_apply_to_it(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    response = await portal.get(f"/organizations/{ORG_ID}")
    assert response.status_code == 200
    assert f'href="/library/{LAW_ID}"' in response.text
    asked = next(r for r in library.asked if r.url.path == "/v1/documents").url.params
    assert asked["applies_to_kind"] == "cooperative"


async def test_the_library_down_costs_only_its_part(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    library.down = {"search", "library"}
    page = await portal.get("/library")
    assert page.status_code == 200
    assert "Thư viện văn bản đang tạm ngừng" in text_of(page.text)
    profile = await portal.get(f"/organizations/{ORG_ID}")
    assert profile.status_code == 200
    assert "Thư viện văn bản đang tạm ngừng" in text_of(profile.text)
    assert (await portal.get(f"/library/{LAW_ID}")).status_code == 503


async def test_htmx_gets_the_results_block_alone_with_the_same_hits(
    portal: httpx.AsyncClient,
) -> None:
    headers = {"HX-Request": "true", "HX-Target": "results"}
    fragment = await portal.get("/library", params={"type": "law"}, headers=headers)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="results"')
    assert "Luật 17/2023/QH15: Luật Hợp tác xã" in text_of(fragment.text)
    assert "Quyết định (2)" in text_of(fragment.text)
