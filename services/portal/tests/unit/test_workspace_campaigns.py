"""The annual update campaign pages on a registry and a collection service in memory: the
campaigns of the person's area with their completion, a reviewer's form to open one (checked
here, then by collection, whose refusal is shown in the page's language), a campaign's
completion per commune and its reminders, reminding and closing (confirmed first) behind the
form token and the person's role, and plain notices when collection does not answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.adapters.staff_collection import StaffCollection
from hoptac.portal.domain.campaign_form import state_of
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import FakeServices
from ..staff_fake import SESSION, FakeStaffRegistry
from .test_workspace import sign_in, token_of

pytestmark = pytest.mark.unit

PAGE = "/quan-ly/dot-cap-nhat"
OLD = "0c6c1f0e-8a55-4a57-9b0e-2f7c6e3b2a01"  # 2025, past its deadline, not closed
NEW = "0c6c1f0e-8a55-4a57-9b0e-2f7c6e3b2a02"  # 2026, open
TODAY = date(2026, 1, 15)


def campaign(campaign_id: str, year: int) -> dict[str, Any]:
    return {
        "id": campaign_id,
        "year": year,
        "province_code": "96",
        "province_name": "Cà Mau",
        "deadline": f"{year}-12-15",
        "created_by": "lan",
        "created_at": f"{year}-01-02T02:00:00+00:00",
        "last_reminded_at": None,
        "closed_at": None,
        "closed_by": None,
    }


COMMUNES = [
    {"commune_code": "32025", "commune_name": "Tân Thành", "in_scope": 3, "updated": 2,
     "not_updated": 1, "lapsed": 0, "rate": 66.7},
    {"commune_code": None, "commune_name": None, "in_scope": 1, "updated": 0, "not_updated": 1,
     "lapsed": 0, "rate": 0.0},
]  # fmt: skip
TOTALS = {"commune_code": None, "in_scope": 4, "updated": 2, "not_updated": 2, "lapsed": 0}
REMINDERS = [
    {"sent_at": "2026-01-14T02:30:00+00:00", "sent_by": "lan", "kind": "asked", "due_on": None,
     "not_updated": 2, "recipients": 3, "sent": 3, "failed": 0},
    {"sent_at": "2025-12-08T01:00:00+00:00", "sent_by": "system", "kind": "before_deadline",
     "due_on": "2025-12-08", "not_updated": 5, "recipients": 3, "sent": 2, "failed": 1},
]  # fmt: skip


@dataclass
class FakeCampaigns:
    """Collection's campaign API in memory, recording what it was sent."""

    down: bool = False
    sent: list[httpx.Request] = field(default_factory=list)
    campaigns: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {NEW: campaign(NEW, 2026), OLD: campaign(OLD, 2025)}
    )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        assert request.headers["authorization"] == f"Bearer {SESSION}"
        path, method = request.url.path, request.method
        if path == "/v1/campaigns" and method == "GET":
            listed = [{**found, "totals": TOTALS} for found in self.campaigns.values()]
            return httpx.Response(200, json={"items": listed})
        if path == "/v1/campaigns" and method == "POST":
            return self._create(request)
        campaign_id, _, action = path.removeprefix("/v1/campaigns/").partition("/")
        if campaign_id not in self.campaigns:
            return httpx.Response(404, json={"error": "not_found", "message": path})
        found = self.campaigns[campaign_id]
        if not action:
            return httpx.Response(200, json={**found, "communes": COMMUNES, "totals": TOTALS})
        if action == "reminders" and method == "GET":
            return httpx.Response(200, json={"items": REMINDERS})
        if action == "reminders":
            return httpx.Response(200, json={"campaign_id": campaign_id, "recipients": 3,
                                             "sent": 3, "failed": 0})  # fmt: skip
        assert action == "close"
        found["closed_at"], found["closed_by"] = "2026-01-15T03:00:00+00:00", "lan"
        return httpx.Response(200, json={**found, "communes": COMMUNES, "totals": TOTALS})

    def _create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if any(c["year"] == body["year"] for c in self.campaigns.values()):
            english = request.headers.get("accept-language") == "en"
            message = (
                f"Province 96 has a campaign for {body['year']} already."
                if english
                else f"Tỉnh 96 đã có đợt cập nhật năm {body['year']}."
            )
            return httpx.Response(409, json={"error": "conflict", "message": message})
        made = campaign("0c6c1f0e-8a55-4a57-9b0e-2f7c6e3b2a03", body["year"])
        self.campaigns[made["id"]] = made
        return httpx.Response(201, json=made)

    def writes(self) -> list[httpx.Request]:
        return [r for r in self.sent if r.method == "POST"]


@pytest.fixture
def collection() -> FakeCampaigns:
    return FakeCampaigns()


@asynccontextmanager
async def portal_as(role: str, collection: FakeCampaigns) -> AsyncIterator[httpx.AsyncClient]:
    """The portal with a person of `role` in province 96 signed in."""
    app = create_app(
        PortalSettings(),
        FakeServices().backends(),
        today=lambda: TODAY,
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
async def reviewer(collection: FakeCampaigns) -> AsyncIterator[httpx.AsyncClient]:
    async with portal_as("reviewer", collection) as client:
        yield client


@pytest.fixture
async def officer(collection: FakeCampaigns) -> AsyncIterator[httpx.AsyncClient]:
    async with portal_as("area_officer", collection) as client:
        yield client


async def post(portal: httpx.AsyncClient, path: str, form: dict[str, str]) -> httpx.Response:
    token = await token_of(portal, PAGE)
    return await portal.post(path, data={"csrf_token": token, **form})


async def test_the_list_shows_each_campaign_newest_first_with_deadline_state_and_completion(
    reviewer: httpx.AsyncClient,
) -> None:
    page = await reviewer.get(PAGE)

    assert page.status_code == 200
    assert f'href="{PAGE}" aria-current="page"' in page.text
    newest, oldest = page.text.index(f"{PAGE}/{NEW}"), page.text.index(f"{PAGE}/{OLD}")
    assert newest < oldest
    assert "Cập nhật năm 2026 – Tỉnh Cà Mau" in page.text
    assert "15/12/2026" in page.text
    assert "Đang diễn ra" in page.text
    assert "Đã quá hạn, chưa kết thúc" in page.text
    assert "50,0 % (2 trên 4 hồ sơ)" in page.text
    assert 'action="/quan-ly/dot-cap-nhat"' in page.text  # a reviewer may open one


async def test_opening_a_campaign_sends_year_province_and_deadline_and_leads_to_it(
    reviewer: httpx.AsyncClient, collection: FakeCampaigns
) -> None:
    form = {"campaign_year": "2027", "campaign_province": "96", "campaign_deadline": "10/12/2027"}
    answer = await post(reviewer, PAGE, form)
    page = await reviewer.get(answer.headers["location"])

    (sent,) = collection.writes()
    assert json.loads(sent.content) == {
        "year": 2027,
        "province_code": "96",
        "deadline": "2027-12-10",
    }
    assert sent.headers["accept-language"] == "vi"
    assert answer.status_code == 303
    assert "Đã mở đợt cập nhật." in page.text


async def test_a_wrong_form_is_shown_with_its_problems_and_never_sent(
    reviewer: httpx.AsyncClient, collection: FakeCampaigns
) -> None:
    form = {"campaign_year": "20x6", "campaign_province": "01", "campaign_deadline": "31/02/2026"}
    answer = await post(reviewer, PAGE, form)

    assert answer.status_code == 422
    assert 'class="error-summary"' in answer.text
    assert 'href="#campaign_year"' in answer.text
    assert 'href="#campaign_province"' in answer.text
    assert 'href="#campaign_deadline"' in answer.text
    assert 'id="campaign_year-error"' in answer.text
    assert "Hãy nhập năm bằng bốn chữ số" in answer.text
    assert collection.writes() == []


async def test_a_campaign_collection_refuses_is_summarised_in_the_pages_language(
    reviewer: httpx.AsyncClient, collection: FakeCampaigns
) -> None:
    form = {"campaign_year": "2026", "campaign_province": "96"}
    vietnamese = await post(reviewer, PAGE, form)
    reviewer.cookies.set("lang", "en")
    english = await post(reviewer, PAGE, form)

    assert (vietnamese.status_code, english.status_code) == (409, 409)
    assert "Tỉnh 96 đã có đợt cập nhật năm 2026." in vietnamese.text
    assert 'href="#campaign_year">Province 96 has a campaign for 2026 already.' in english.text
    assert "There is a problem" in english.text


async def test_a_campaign_shows_its_completion_per_commune_and_its_reminders_newest_first(
    reviewer: httpx.AsyncClient,
) -> None:
    page = await reviewer.get(f"{PAGE}/{NEW}")

    assert page.status_code == 200
    assert '<th scope="row">Phường Tân Thành</th>' in page.text
    assert '<td class="num">66,7 %</td>' in page.text
    assert '<th scope="row">Chưa rõ xã, phường</th>' in page.text
    assert '<td class="num">50,0 %</td>' in page.text  # all communes
    assert page.text.index("14/01/2026 09:30") < page.text.index("Tự động, theo lịch ngày 08/12")
    assert f'action="{PAGE}/{NEW}/nhac-nho"' in page.text
    assert "ket-thuc" not in page.text  # the deadline has not passed


async def test_a_reviewer_sends_reminders_with_the_form_token_only(
    reviewer: httpx.AsyncClient, collection: FakeCampaigns
) -> None:
    forged = await reviewer.post(f"{PAGE}/{NEW}/nhac-nho", data={})
    assert forged.status_code == 403
    assert collection.writes() == []

    answer = await post(reviewer, f"{PAGE}/{NEW}/nhac-nho", {})
    page = await reviewer.get(answer.headers["location"])

    (sent,) = collection.writes()
    assert sent.url.path == f"/v1/campaigns/{NEW}/reminders"
    assert answer.status_code == 303
    assert "Đã gửi nhắc nhở" in page.text


async def test_closing_asks_for_confirmation_first_then_closes(
    reviewer: httpx.AsyncClient, collection: FakeCampaigns
) -> None:
    path = f"{PAGE}/{OLD}/ket-thuc"
    assert f'action="{path}"' in (await reviewer.get(f"{PAGE}/{OLD}")).text

    asked = await post(reviewer, path, {})
    assert asked.status_code == 200
    assert "2 hồ sơ chưa cập nhật sẽ bị đánh dấu quá hạn" in asked.text
    assert 'name="confirm" value="yes"' in asked.text
    assert collection.writes() == []

    done = await post(reviewer, path, {"confirm": "yes"})
    page = await reviewer.get(done.headers["location"])

    (sent,) = collection.writes()
    assert sent.url.path == f"/v1/campaigns/{OLD}/close"
    assert "Đã kết thúc đợt" in page.text
    assert "nhac-nho" not in page.text  # a closed campaign has no reminder left to send


async def test_an_area_officer_follows_campaigns_but_may_not_open_remind_or_close(
    officer: httpx.AsyncClient, collection: FakeCampaigns
) -> None:
    listed = await officer.get(PAGE)
    shown = await officer.get(f"{PAGE}/{OLD}")
    opened = await post(officer, PAGE, {"campaign_year": "2027", "campaign_province": "96"})
    reminded = await post(officer, f"{PAGE}/{OLD}/nhac-nho", {})
    closed = await post(officer, f"{PAGE}/{OLD}/ket-thuc", {"confirm": "yes"})

    assert "campaign_year" not in listed.text
    assert "Phường Tân Thành" in shown.text
    assert "nhac-nho" not in shown.text
    assert "ket-thuc" not in shown.text
    assert (opened.status_code, reminded.status_code, closed.status_code) == (403, 403, 403)
    assert collection.writes() == []


async def test_without_collection_the_pages_say_so_instead_of_failing(
    reviewer: httpx.AsyncClient, collection: FakeCampaigns
) -> None:
    collection.down = True
    listed = await reviewer.get(PAGE)
    shown = await reviewer.get(f"{PAGE}/{NEW}")

    for page in (listed, shown):
        assert page.status_code == 503
        assert "Dịch vụ thu thập dữ liệu tạm thời không trả lời" in page.text
        assert 'class="workspace-nav"' in page.text


@pytest.mark.parametrize(
    ("today", "closed_at", "state"),
    [
        (date(2026, 12, 15), None, "open"),  # the deadline is the last day to update
        (date(2026, 12, 16), None, "overdue"),  # from the next day it may be closed
        (date(2026, 12, 16), "2026-12-16T01:00:00+00:00", "closed"),
    ],
)
def test_a_campaign_may_be_closed_from_the_day_after_its_deadline(
    today: date, closed_at: str | None, state: str
) -> None:
    assert state_of({**campaign(NEW, 2026), "closed_at": closed_at}, today) == state
