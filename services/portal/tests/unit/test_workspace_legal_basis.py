"""The record form's fields the law requires cite their basis: under the field's label, and in
the error summary when the field is missing; linked to the article staff recorded in the library,
to the document otherwise, and the form works without them when the registry does not answer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import ORG_ID, FakeServices
from ..staff_fake import FakeStaffRegistry
from .test_library_pages import LAW_ID, FakeLibrary
from .test_workspace import sign_in, token_of

pytestmark = pytest.mark.unit

NAME_ARTICLE = {
    "rule": "field.name",
    "document_id": LAW_ID,
    "number": "92/2024/nđ-cp",  # as staff typed it: matched whatever the case
    "article": {"kind": "article", "number": "5", "anchor": "dieu-5", "label": "Điều 5",
                "heading": "Hồ sơ đăng ký"},
}  # fmt: skip
DECREE = "/library/so/92/2024/N%C4%90-CP"
NAME_BASIS = (
    'Căn cứ pháp lý: <a href="/library/so/17/2023/QH15">17/2023/QH15</a>, '
    f'<a href="{DECREE}#dieu-5">92/2024/NĐ-CP, Điều 5</a>'
)


@pytest.fixture
def library() -> FakeLibrary:
    library = FakeLibrary()
    library.provisions = [NAME_ARTICLE]
    return library


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
async def portal(library: FakeLibrary, services: FakeServices) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        PortalSettings(),
        services.backends(),
        today=lambda: date(2026, 1, 15),
        staff=StaffRegistry(FakeStaffRegistry().client()),
        library=library.backends(),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        await sign_in(client)
        yield client


def group_of(page: str, control: str) -> str:
    """The form group of one control: its label, hints, message and control."""
    found = re.search(rf'<label class="label" for="{control}">.*?</div>', page, re.S)
    assert found is not None, control
    return found[0]


async def test_each_required_field_cites_its_basis_under_its_label(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get("/quan-ly/ho-so/moi")
    assert page.status_code == 200, page.text
    assert NAME_BASIS in group_of(page.text, "name")  # the article where staff recorded one
    assert f'<a href="{DECREE}">92/2024/NĐ-CP</a>' in group_of(page.text, "registration_number")
    assert f'<a href="{DECREE}">92/2024/NĐ-CP</a>' in group_of(page.text, "province_code")
    sector = group_of(page.text, "sector_group")
    assert '<a href="/library/so/09/2024/TT-BKH%C4%90T">09/2024/TT-BKHĐT</a>' in sector
    assert "Căn cứ pháp lý" not in group_of(page.text, "name_abbreviation")  # not required
    label = re.search(r'<label class="label" for="name">(.*?)</label>', page.text)
    assert label is not None
    assert label[1] == "Tên"  # the link stays outside the label

    portal.cookies.set("lang", "en")
    english = await portal.get("/quan-ly/ho-so/moi")
    assert "Legal basis:" in group_of(english.text, "name")
    assert "92/2024/NĐ-CP, Article 5</a>" in group_of(english.text, "name")


async def test_a_missing_required_field_cites_its_basis_in_the_error_summary(
    portal: httpx.AsyncClient,
) -> None:
    token = await token_of(portal, "/quan-ly/ho-so/moi")
    answer = await portal.post("/quan-ly/ho-so/moi", data={"csrf_token": token})
    assert answer.status_code == 422
    summary = answer.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'<a href="#name">Hãy nhập tên.</a> <span class="meta">{NAME_BASIS}</span>' in summary
    number = '<a href="#registration_number">Hãy nhập mã số đăng ký.</a> <span class="meta">'
    assert number in summary
    commune = '<a href="#commune_code">Hãy chọn xã, phường hoặc đặc khu.</a></li>'
    assert commune in summary  # required by the form, not cited by the registry: no basis


async def test_the_edit_form_cites_the_basis_of_the_required_fields_it_shows(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get(f"/quan-ly/ho-so/{ORG_ID}")
    assert page.status_code == 200, page.text
    assert NAME_BASIS in group_of(page.text, "name")
    assert "Căn cứ pháp lý" not in group_of(page.text, "members_count")


async def test_without_the_library_the_basis_links_to_the_documents(
    portal: httpx.AsyncClient, library: FakeLibrary
) -> None:
    library.down = {"library"}
    page = await portal.get("/quan-ly/ho-so/moi")
    assert page.status_code == 200
    assert f'<a href="{DECREE}">92/2024/NĐ-CP</a>' in group_of(page.text, "name")
    assert "#dieu-5" not in page.text


async def test_without_the_registry_s_rules_the_form_works_without_a_basis(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    services.down = {"registry"}
    page = await portal.get("/quan-ly/ho-so/moi")
    assert page.status_code == 200
    assert 'id="name"' in page.text
    assert "Căn cứ pháp lý" not in page.text
