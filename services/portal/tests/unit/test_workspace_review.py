"""The review of an import's proposals, on a registry and a collection service in memory: the
import's page lists them a page at a time, in one state or all; the importer puts the drafts
forward; a reviewer approves those ticked or every one submitted (in steps collection accepts)
and sees what came of it, collection's refusals in the page's language; on a proposal's own
page, its fields beside its record then and now, the changed ones marked, and its audit trail;
from there it is returned with a comment per field, or, stale, rebased; every write behind the
form token and the person's role, each input bounded here, and a plain notice when collection
does not answer."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import httpx
import pytest

from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.adapters.staff_collection import StaffCollection
from hoptac.portal.domain.review_form import APPROVE_STEP, PAGE_SIZE, STEPS_SIDE_BY_SIDE
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import ORG_ID, RECORD, FakeServices
from ..staff_fake import SESSION, FakeStaffRegistry
from .test_workspace import sign_in, token_of

pytestmark = pytest.mark.unit

BATCH = "5b0c9f3e-2f55-4c1e-9d0a-1f7c6e3b2a10"
PAGE = f"/quan-ly/nhap-du-lieu/{BATCH}"
PROPOSALS = "/quan-ly/de-xuat"

IMPORTED = {"batch_id": BATCH, "filename": "khao-sat.csv", "uploaded_by": "minh",
            "uploaded_at": "2026-01-15T03:00:00+00:00", "valid": True,
            "rows_total": 3, "rows_valid": 3, "rows_refused": 0, "problems": []}  # fmt: skip


def proposal_id(number: int) -> str:
    return str(UUID(int=number + 1))


def proposal(number: int, state: str, author: str = "minh") -> dict[str, Any]:
    record = {"name": f"HTX số {number}", "address": {"commune_code": "32025"}}
    return {
        "id": proposal_id(number),
        "batch_id": BATCH,
        "row": number + 2,
        "organization_id": None,
        "change": {"record": record},
        "state": state,
        "stale": False,
        "author": author,
        "submitted_by": author,
        "comments": [],
        "base_version": None,
        "history": [{"at": "2026-01-15T03:00:00+00:00", "actor": author, "action": "submit",
                     "details": {}}],
    }  # fmt: skip


def update_of_the_record(number: int) -> dict[str, Any]:
    """A submitted proposal changing fakes.RECORD (version 2 now), made on its version 1."""
    change = {"record": {"name": RECORD["name"], "members_count": 20}, "matched_by": "tax_code"}
    return proposal(number, "submitted") | {
        "organization_id": ORG_ID,
        "base_version": 1,
        "change": change,
    }


# The record's versions since: version 2 changed the members from 10 to 12.
SINCE = [
    {"version": 1, "event_type": "organization.registered", "effective_date": "2019-05-20",
     "recorded_at": "2019-05-21T01:00:00+00:00", "reason": None,
     "changes": [{"field": "members_count", "before": None, "after": 10}]},
    {"version": 2, "event_type": "organization.updated", "effective_date": "2026-01-10",
     "recorded_at": "2026-01-10T01:00:00+00:00", "reason": "khảo sát",
     "changes": [{"field": "members_count", "before": 10, "after": 12}]},
]  # fmt: skip


@dataclass
class FakeReview:
    """Collection's import and review API in memory, recording what it was sent."""

    proposals: dict[str, dict[str, Any]]
    writes_down: bool = False  # reads answer, writes meet a closed connection
    sent: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        assert request.headers["authorization"] == f"Bearer {SESSION}"
        if self.writes_down and request.method == "POST":
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        english = request.headers.get("accept-language") == "en"
        if path == f"/v1/imports/{BATCH}":
            return httpx.Response(200, json=IMPORTED)
        if path == f"/v1/imports/{BATCH}/submit":
            drafts = [p for p in self.proposals.values() if p["state"] == "draft"]
            for found in drafts:
                found["state"] = "submitted"
            ids = [found["id"] for found in drafts]
            return httpx.Response(200, json={"batch_id": BATCH, "submitted": len(ids), "ids": ids})
        if path == "/v1/proposals" and request.method == "GET":
            return self._list(request.url.params)
        if path == "/v1/proposals/approve":
            assert request.url.params["brief"] == "true"  # what came of each, not its change
            return self._approve(json.loads(request.content)["ids"], english)
        proposal_id, _, action = path.removeprefix("/v1/proposals/").partition("/")
        found = self.proposals[proposal_id]
        if not action:
            return httpx.Response(200, json=found)
        if found["state"] != "submitted":
            message = f"Proposal {proposal_id} is {found['state']}, not submitted."
            return httpx.Response(409, json={"error": "conflict", "message": message})
        if action == "rebase":
            found["stale"], found["base_version"] = False, 2
            step = {"action": "rebase", "details": {"from": 1, "to": 2}}
            found["history"].append({"at": "2026-01-15T04:00:00+00:00", "actor": "lan", **step})
            return httpx.Response(200, json=found)
        assert action == "return"
        found["state"] = "returned"
        comments = json.loads(request.content)["comments"]
        found["comments"] = [{"by": "lan", "at": "2026-01-15T05:00:00+00:00", "fields": comments}]
        step = {"action": "return", "details": {"comments": comments}}
        found["history"].append({"at": "2026-01-15T05:00:00+00:00", "actor": "lan", **step})
        return httpx.Response(200, json=found)

    def _list(self, params: httpx.QueryParams) -> httpx.Response:
        assert params["batch"] == BATCH
        listed = sorted(self.proposals.values(), key=lambda p: p["id"])
        if "state" in params:
            listed = [p for p in listed if p["state"] == params["state"]]
        if "after" in params:
            listed = [p for p in listed if p["id"] > params["after"]]
        limit = int(params["limit"])
        if "before" in params:
            return httpx.Response(
                200, json=[p for p in listed if p["id"] < params["before"]][-limit:]
            )
        return httpx.Response(200, json=listed[:limit])

    def _approve(self, ids: list[str], english: bool) -> httpx.Response:
        assert 1 <= len(ids) <= APPROVE_STEP
        for approved in ids:
            if self.proposals[approved]["author"] == "lan":
                message = (
                    f"You made or submitted proposal {approved}: another person must approve it."
                    if english
                    else f"Bạn đã lập hoặc gửi đề xuất {approved}: người khác phải duyệt."
                )
                return httpx.Response(403, json={"error": "forbidden", "message": message})
        answered = []
        for approved in ids:
            found = self.proposals[approved]
            if found["row"] == 3:  # its record changed since
                found["stale"] = True
            else:
                found["state"] = "applied"
            answered.append({key: found[key] for key in ("id", "row", "state", "stale")})
        return httpx.Response(200, json=answered)

    def approvals(self) -> list[list[str]]:
        return [json.loads(r.content)["ids"] for r in self.sent if r.url.path.endswith("/approve")]

    def writes(self) -> list[httpx.Request]:
        return [r for r in self.sent if r.method == "POST"]


@pytest.fixture
def collection() -> FakeReview:
    states = ("submitted", "submitted", "draft")
    return FakeReview({proposal_id(n): proposal(n, state) for n, state in enumerate(states)})


@pytest.fixture
def registry() -> FakeStaffRegistry:
    return FakeStaffRegistry(provinces=["96"], history=SINCE)


@asynccontextmanager
async def portal_as(
    role: str, collection: FakeReview, registry: FakeStaffRegistry
) -> AsyncIterator[httpx.AsyncClient]:
    """The portal with a person ("lan") of `role` in province 96 signed in."""
    registry.role = role
    app = create_app(
        PortalSettings(),
        FakeServices().backends(),
        today=lambda: date(2026, 1, 15),
        library=FakeServices().library(),
        staff=StaffRegistry(registry.client()),
        collection=StaffCollection(
            httpx.AsyncClient(transport=httpx.MockTransport(collection.handle), base_url="http://c")
        ),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        await sign_in(client)
        yield client


@pytest.fixture
async def reviewer(
    collection: FakeReview, registry: FakeStaffRegistry
) -> AsyncIterator[httpx.AsyncClient]:
    async with portal_as("reviewer", collection, registry) as client:
        yield client


@pytest.fixture
async def officer(
    collection: FakeReview, registry: FakeStaffRegistry
) -> AsyncIterator[httpx.AsyncClient]:
    async with portal_as("area_officer", collection, registry) as client:
        yield client


async def post(portal: httpx.AsyncClient, path: str, form: dict[str, Any]) -> httpx.Response:
    token = await token_of(portal, PAGE)
    return await portal.post(path, data={"csrf_token": token, **form})


async def test_the_importer_submits_the_drafts_and_is_told_how_many(
    officer: httpx.AsyncClient, collection: FakeReview
) -> None:
    page = await officer.get(PAGE)
    submitted = await post(officer, f"{PAGE}/gui-duyet", {})
    shown = await officer.get(submitted.headers["location"])

    assert f'action="{PAGE}/gui-duyet"' in page.text
    assert "phe-duyet" not in page.text  # an area officer does not approve
    assert (submitted.status_code, submitted.headers["location"]) == (303, f"{PAGE}?da-gui=1")
    assert "Đã gửi 1 đề xuất đi duyệt." in shown.text
    assert "gui-duyet" not in shown.text  # no draft left
    assert collection.proposals[proposal_id(2)]["state"] == "submitted"


async def test_a_reviewer_approves_the_ticked_proposals_and_sees_the_outcome(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    page = await reviewer.get(PAGE)
    approved = await post(
        reviewer, f"{PAGE}/phe-duyet", {"which": "ticked", "id": [proposal_id(0), proposal_id(1)]}
    )

    assert f'form="approve" name="id" value="{proposal_id(0)}"' in page.text
    assert f'<label class="visually-hidden" for="tick-{proposal_id(0)}">' in page.text
    assert f'form="approve" name="id" value="{proposal_id(2)}"' not in page.text  # a draft
    assert approved.status_code == 200
    assert collection.approvals() == [[proposal_id(0), proposal_id(1)]]
    assert (
        "Kết quả duyệt: 1 đã áp dụng, 0 áp dụng một phần, 0 bị sổ đăng ký từ chối, "
        "1 chưa áp dụng vì hồ sơ đã thay đổi từ khi lập đề xuất."
    ) in approved.text
    assert "(hồ sơ đã thay đổi từ khi lập đề xuất)" in approved.text


async def test_approving_every_submitted_proposal_goes_in_steps_collection_accepts(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.proposals = {
        proposal_id(n): proposal(n + 10, "submitted") | {"id": proposal_id(n)}
        for n in range(APPROVE_STEP + 5)
    }

    approved = await post(reviewer, f"{PAGE}/phe-duyet", {"which": "all"})

    assert approved.status_code == 200
    assert sorted(len(step) for step in collection.approvals()) == [5, APPROVE_STEP]
    assert f"Kết quả duyệt: {APPROVE_STEP + 5:,}".replace(",", ".") in approved.text


async def test_a_refusal_in_a_pair_of_steps_counts_the_other_and_sends_no_more(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.proposals = {
        proposal_id(n): proposal(n + 10, "submitted") | {"id": proposal_id(n)}
        for n in range(APPROVE_STEP * STEPS_SIDE_BY_SIDE + 5)
    }
    collection.proposals[proposal_id(0)]["author"] = "lan"  # the first step is refused

    approved = await post(reviewer, f"{PAGE}/phe-duyet", {"which": "all"})

    assert approved.status_code == 403
    assert len(collection.approvals()) == STEPS_SIDE_BY_SIDE  # the last 5 never sent
    assert f"Kết quả duyệt: {APPROVE_STEP:,}".replace(",", ".") in approved.text


async def test_approving_ones_own_proposal_is_refused_in_the_pages_language(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.proposals[proposal_id(0)]["author"] = "lan"
    form = {"which": "ticked", "id": [proposal_id(0)]}

    vietnamese = await post(reviewer, f"{PAGE}/phe-duyet", form)
    reviewer.cookies.set("lang", "en")
    english = await post(reviewer, f"{PAGE}/phe-duyet", form)

    assert (vietnamese.status_code, english.status_code) == (403, 403)
    assert f"Bạn đã lập hoặc gửi đề xuất {proposal_id(0)}" in vietnamese.text
    assert 'class="error-summary"' in english.text
    assert f'href="#approve">You made or submitted proposal {proposal_id(0)}' in english.text
    assert collection.proposals[proposal_id(0)]["state"] == "submitted"


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([], "Chọn ít nhất một đề xuất để duyệt"),
        (["not-an-id"], "Chọn ít nhất một đề xuất để duyệt"),
        ([str(UUID(int=n)) for n in range(APPROVE_STEP + 1)], "tối đa 1.000 đề xuất"),
    ],
)
async def test_a_wrong_choice_of_proposals_is_shown_and_never_sent(
    reviewer: httpx.AsyncClient, collection: FakeReview, ids: list[str], message: str
) -> None:
    answer = await post(reviewer, f"{PAGE}/phe-duyet", {"which": "ticked", "id": ids})

    assert answer.status_code == 422
    assert 'href="#approve"' in answer.text
    assert message in answer.text
    assert collection.writes() == []


async def test_the_imports_page_lists_its_proposals_a_page_at_a_time_keeping_the_state(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    count = 2 * PAGE_SIZE + 3
    collection.proposals = {
        proposal_id(n): proposal(n, "submitted" if n % 2 else "draft") for n in range(count)
    }
    submitted = sorted(p["id"] for p in collection.proposals.values() if p["state"] == "submitted")

    first = await reviewer.get(f"{PAGE}?trang-thai=submitted")
    second = await reviewer.get(f"{PAGE}?trang-thai=submitted&sau={submitted[PAGE_SIZE - 1]}")
    back = await reviewer.get(f"{PAGE}?trang-thai=submitted&truoc={submitted[PAGE_SIZE]}")
    every = await reviewer.get(PAGE)

    assert first.text.count('form="approve" name="id"') == PAGE_SIZE
    assert f'value="{submitted[0]}"' in first.text
    assert f'href="{PAGE}?trang-thai=submitted&amp;sau={submitted[PAGE_SIZE - 1]}"' in first.text
    assert 'rel="prev"' not in first.text
    assert second.text.count('form="approve" name="id"') == len(submitted) - PAGE_SIZE
    assert f'href="{PAGE}?trang-thai=submitted&amp;truoc={submitted[PAGE_SIZE]}"' in second.text
    assert 'rel="next"' not in second.text
    assert back.text.count('form="approve" name="id"') == PAGE_SIZE
    assert f'value="{submitted[0]}"' in back.text
    assert 'rel="prev"' not in back.text
    assert '<option value="submitted" selected>' in first.text
    assert every.text.count(f'href="{PROPOSALS}/') == PAGE_SIZE
    assert f'href="{PAGE}?sau=' in every.text
    asked = [r.url.params for r in collection.sent if r.url.path == "/v1/proposals"]
    assert {params["limit"] for params in asked} == {str(PAGE_SIZE + 1)}
    assert asked[2]["before"] == submitted[PAGE_SIZE]


async def test_approving_every_one_is_offered_while_any_waits_whatever_the_page_shows(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    drafts_only = await reviewer.get(f"{PAGE}?trang-thai=draft")
    for found in collection.proposals.values():
        found["state"] = "applied"
    none_waiting = await reviewer.get(PAGE)

    assert 'name="which" value="all"' in drafts_only.text
    assert 'value="ticked"' not in drafts_only.text  # nothing on the page to tick
    assert f'href="{PAGE}?trang-thai=submitted"' in drafts_only.text
    asked = [dict(r.url.params) for r in collection.sent if r.url.path == "/v1/proposals"]
    assert asked[1] == {"batch": BATCH, "state": "submitted", "limit": "1"}
    assert 'id="approve"' not in none_waiting.text


async def test_a_wrong_paging_query_lists_the_first_page_of_every_state(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    answer = await reviewer.get(f"{PAGE}?trang-thai=gone&sau=not-an-id&truoc={'x' * 500}")

    assert answer.status_code == 200
    (asked,) = [r.url.params for r in collection.sent if r.url.path == "/v1/proposals"]
    assert dict(asked) == {"limit": str(PAGE_SIZE + 1), "batch": BATCH}


async def test_a_stale_proposal_is_shown_field_by_field_beside_its_record_then_and_now(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.proposals[proposal_id(1)] = update_of_the_record(1)

    listed = await reviewer.get(PAGE)
    page = await reviewer.get(f"{PROPOSALS}/{proposal_id(1)}")
    rows = {
        cells[0]: cells[1:]
        for cells in (
            re.findall(r"<(?:th|td)[^>]*>(.*?)</t[hd]>", row, flags=re.DOTALL)
            for row in re.findall(r"<tr>(.*?)</tr>", page.text, flags=re.DOTALL)
        )
        if cells
    }

    assert f'href="{PROPOSALS}/{proposal_id(1)}">Xem đề xuất dòng 3</a>' in listed.text
    assert page.status_code == 200
    assert "phiên bản 1, nay là phiên bản 2" in page.text
    changed = 'Số thành viên <strong class="tag tag-stopped">Đã thay đổi</strong>'
    assert rows[changed] == ["10", "12", "20"]  # each field by its label
    assert rows["Tên"] == [RECORD["name"]] * 3
    assert f'action="{PROPOSALS}/{proposal_id(1)}/lay-ban-moi"' in page.text
    assert 'name="comment:members_count"' in page.text
    assert 'name="comment:_"' in page.text


async def test_a_new_registrations_page_lists_what_it_proposes_and_offers_no_rebase(
    reviewer: httpx.AsyncClient, collection: FakeReview, registry: FakeStaffRegistry
) -> None:
    page = await reviewer.get(f"{PROPOSALS}/{proposal_id(0)}")

    assert "Địa chỉ <code>commune_code</code></th><td>32025</td>" in page.text
    assert "lay-ban-moi" not in page.text
    assert not any("/organizations/" in r.url.path for r in registry.requests)


async def test_the_proposals_page_shows_its_audit_trail(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.proposals[proposal_id(1)] = update_of_the_record(1)
    await post(reviewer, f"{PROPOSALS}/{proposal_id(1)}/lay-ban-moi", {})

    page = await reviewer.get(f"{PROPOSALS}/{proposal_id(1)}")

    assert "<td>15/01/2026 10:00</td>" in page.text
    assert "<td>Gửi duyệt</td>" in page.text
    assert "Từ phiên bản 1 sang phiên bản 2" in page.text


async def test_a_reviewer_returns_a_proposal_with_a_comment_per_field_and_on_the_whole(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.proposals[proposal_id(1)] = update_of_the_record(1)
    target = f"{PROPOSALS}/{proposal_id(1)}/tra-lai"
    form = {
        "comment:members_count": " Số thành viên không khớp với biên bản ",
        "comment:name": "",
        "comment:_": "Kiểm tra lại với sổ của xã",
    }

    returned = await post(reviewer, target, form)
    shown = await reviewer.get(returned.headers["location"])

    assert returned.headers["location"] == f"{PROPOSALS}/{proposal_id(1)}?da-tra-lai=1"
    (sent,) = collection.writes()
    assert json.loads(sent.content) == {
        "comments": {
            "members_count": "Số thành viên không khớp với biên bản",
            "_": "Kiểm tra lại với sổ của xã",
        }
    }
    assert "Đã trả lại đề xuất cho người lập." in shown.text
    assert "<li>Số thành viên: Số thành viên không khớp với biên bản</li>" in shown.text
    assert "<li>Cả đề xuất: Kiểm tra lại với sổ của xã</li>" in shown.text
    assert "<td>Trả lại</td>" in shown.text  # in the audit trail
    assert 'name="comment:_"' not in shown.text  # returned: nothing more to return


@pytest.mark.parametrize(
    ("form", "control", "message"),
    [
        ({"comment:_": "   ", "comment:name": ""}, "comment-_", "Nhập nhận xét về ít nhất"),
        ({"comment:name": "x" * 2001}, "comment-name", "tối đa 2.000 ký tự"),
        ({"comment:Tên HTX": "sai"}, "comment-_", "Chọn trường mà nhận xét nói đến"),
    ],
)
async def test_a_wrong_comment_is_shown_in_the_summary_and_beside_its_field_and_never_sent(
    reviewer: httpx.AsyncClient,
    collection: FakeReview,
    form: dict[str, str],
    control: str,
    message: str,
) -> None:
    answer = await post(reviewer, f"{PROPOSALS}/{proposal_id(0)}/tra-lai", form)

    assert answer.status_code == 422
    summary = answer.text.partition('class="error-summary"')[2].partition("</div>")[0]
    assert f'<li><a href="#{control}">' in summary
    assert message in summary
    assert f'<p class="field-error" id="{control}-error">' in answer.text
    assert collection.writes() == []


async def test_more_comments_than_collection_takes_are_refused_before_they_are_sent(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    form = {f"comment:field_{n}": "sai" for n in range(100)}  # with the token, over the bound

    answer = await post(reviewer, f"{PROPOSALS}/{proposal_id(0)}/tra-lai", form)

    assert answer.status_code == 400
    assert collection.writes() == []


async def test_what_was_typed_is_kept_when_a_comment_is_refused(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    form = {"comment:_": "Xem lại tên", "comment:name": "x" * 2001}

    answer = await post(reviewer, f"{PROPOSALS}/{proposal_id(0)}/tra-lai", form)

    assert ">Xem lại tên</textarea>" in answer.text


async def test_a_refusal_of_a_return_is_shown_in_the_pages_language(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.proposals[proposal_id(2)]["state"] = "draft"

    reviewer.cookies.set("lang", "en")
    answer = await post(reviewer, f"{PROPOSALS}/{proposal_id(2)}/tra-lai", {"comment:_": "x"})

    assert answer.status_code == 409
    assert '<a href="#comment-_">Proposal' in answer.text


async def test_a_stale_proposal_is_rebased_on_the_records_current_version(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.proposals[proposal_id(1)] = update_of_the_record(1) | {"stale": True}
    target = f"{PROPOSALS}/{proposal_id(1)}/lay-ban-moi"

    rebased = await post(reviewer, target, {})
    shown = await reviewer.get(rebased.headers["location"])

    assert rebased.headers["location"] == f"{PROPOSALS}/{proposal_id(1)}?da-lay-ban-moi=1"
    assert "đã lấy phiên bản hiện tại của hồ sơ làm gốc" in shown.text
    assert "/lay-ban-moi" not in shown.text
    assert "Đã thay đổi</strong>" not in shown.text  # then is now: version 2


async def test_a_proposal_whose_record_is_gone_says_so_and_offers_no_rebase(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    gone = str(UUID(int=99))
    collection.proposals[proposal_id(1)] = update_of_the_record(1) | {"organization_id": gone}

    page = await reviewer.get(f"{PROPOSALS}/{proposal_id(1)}")

    assert page.status_code == 200
    assert "Hồ sơ mà đề xuất thay đổi không còn trên sổ đăng ký." in page.text
    assert "/lay-ban-moi" not in page.text
    assert "/tra-lai" in page.text


async def test_an_area_officer_may_not_approve_return_or_rebase(
    officer: httpx.AsyncClient, collection: FakeReview
) -> None:
    approved = await post(officer, f"{PAGE}/phe-duyet", {"which": "all"})
    returned = await post(officer, f"{PROPOSALS}/{proposal_id(0)}/tra-lai", {"comment:_": "sai"})
    rebased = await post(officer, f"{PROPOSALS}/{proposal_id(0)}/lay-ban-moi", {})
    page = await officer.get(f"{PROPOSALS}/{proposal_id(0)}")

    assert (approved.status_code, returned.status_code, rebased.status_code) == (403, 403, 403)
    assert collection.writes() == []
    assert not any(r.url.params.get("state") == "submitted" for r in collection.sent)
    assert page.status_code == 200
    assert "tra-lai" not in page.text


async def test_a_review_without_its_form_token_is_refused_before_it_is_sent(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    for path in (
        f"{PAGE}/gui-duyet",
        f"{PAGE}/phe-duyet",
        f"{PROPOSALS}/{proposal_id(0)}/tra-lai",
        f"{PROPOSALS}/{proposal_id(0)}/lay-ban-moi",
    ):
        answer = await reviewer.post(path, data={"which": "all", "comment:_": "x"})
        assert answer.status_code == 403
    assert collection.writes() == []


async def test_when_collection_does_not_answer_the_page_says_nothing_was_done(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.writes_down = True
    for path, form in (
        (f"{PAGE}/gui-duyet", {}),
        (f"{PAGE}/phe-duyet", {"which": "all"}),
        (f"{PROPOSALS}/{proposal_id(0)}/tra-lai", {"comment:_": "sai"}),
        (f"{PROPOSALS}/{proposal_id(0)}/lay-ban-moi", {}),
    ):
        answer = await post(reviewer, path, form)
        assert answer.status_code == 503
        assert "dịch vụ thu thập dữ liệu không trả lời" in answer.text
    assert collection.proposals[proposal_id(0)]["state"] == "submitted"
