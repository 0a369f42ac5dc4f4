"""The review of an import's proposals on its page, on a registry and a collection service in
memory: the importer puts the drafts forward; a reviewer approves those ticked or every one
submitted (in steps collection accepts) and sees what came of it, collection's refusals in the
page's language; a proposal returned with a comment on a field, a stale one rebased; every
write behind the form token and the person's role, each input bounded here, and a plain notice
when collection does not answer."""

from __future__ import annotations

import json
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
from hoptac.portal.domain.review_form import APPROVE_STEP
from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from ..fakes import FakeServices
from ..staff_fake import SESSION, FakeStaffRegistry
from .test_workspace import sign_in, token_of

pytestmark = pytest.mark.unit

BATCH = "5b0c9f3e-2f55-4c1e-9d0a-1f7c6e3b2a10"
PAGE = f"/quan-ly/nhap-du-lieu/{BATCH}"

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
    }


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
            return self._approve(json.loads(request.content)["ids"], english)
        proposal_id, _, action = path.removeprefix("/v1/proposals/").partition("/")
        found = self.proposals[proposal_id]
        if action == "rebase":
            found["stale"] = False
            return httpx.Response(200, json=found)
        assert action == "return"
        found["state"] = "returned"
        found["comments"] = [{"by": "lan", "fields": json.loads(request.content)["comments"]}]
        return httpx.Response(200, json=found)

    def _list(self, params: httpx.QueryParams) -> httpx.Response:
        assert params["batch"] == BATCH
        listed = sorted(self.proposals.values(), key=lambda p: p["id"])
        if "state" in params:
            listed = [p for p in listed if p["state"] == params["state"]]
        if "after" in params:
            listed = [p for p in listed if p["id"] > params["after"]]
        return httpx.Response(200, json=listed[: int(params["limit"])])

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
            answered.append(found)
        return httpx.Response(200, json=answered)

    def approvals(self) -> list[list[str]]:
        return [json.loads(r.content)["ids"] for r in self.sent if r.url.path.endswith("/approve")]

    def writes(self) -> list[httpx.Request]:
        return [r for r in self.sent if r.method == "POST"]


@pytest.fixture
def collection() -> FakeReview:
    states = ("submitted", "submitted", "draft")
    return FakeReview({proposal_id(n): proposal(n, state) for n, state in enumerate(states)})


@asynccontextmanager
async def portal_as(role: str, collection: FakeReview) -> AsyncIterator[httpx.AsyncClient]:
    """The portal with a person ("lan") of `role` in province 96 signed in."""
    app = create_app(
        PortalSettings(),
        FakeServices().backends(),
        today=lambda: date(2026, 1, 15),
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
async def reviewer(collection: FakeReview) -> AsyncIterator[httpx.AsyncClient]:
    async with portal_as("reviewer", collection) as client:
        yield client


@pytest.fixture
async def officer(collection: FakeReview) -> AsyncIterator[httpx.AsyncClient]:
    async with portal_as("area_officer", collection) as client:
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
    assert [len(step) for step in collection.approvals()] == [APPROVE_STEP, 5]
    assert f"Kết quả duyệt: {APPROVE_STEP + 5:,}".replace(",", ".") in approved.text


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


async def test_a_reviewer_returns_a_proposal_with_a_comment_on_a_field(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    page = await reviewer.get(PAGE)
    target = f"{PAGE}/tra-lai/{proposal_id(0)}"
    comment = "Mã xã không khớp với địa chỉ"
    returned = await post(reviewer, target, {"field": "address.commune_code", "comment": comment})
    shown = await reviewer.get(returned.headers["location"])

    assert f'action="{target}"' in page.text
    assert '<option value="address.commune_code">' in page.text
    assert returned.headers["location"] == f"{PAGE}?da-tra-lai=1"
    (sent,) = collection.writes()
    assert json.loads(sent.content) == {"comments": {"address.commune_code": comment}}
    assert "Đã trả lại đề xuất cho người lập." in shown.text
    assert f"address.commune_code: {comment}" in shown.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"field": "_", "comment": "   "}, "Nhập nhận xét"),
        ({"field": "_", "comment": "x" * 2001}, "tối đa 2.000 ký tự"),
        ({"field": "Tên HTX", "comment": "sai"}, "Chọn trường mà nhận xét nói đến"),
    ],
)
async def test_a_wrong_comment_is_shown_beside_its_proposal_and_never_sent(
    reviewer: httpx.AsyncClient, collection: FakeReview, form: dict[str, str], message: str
) -> None:
    answer = await post(reviewer, f"{PAGE}/tra-lai/{proposal_id(0)}", form)

    assert answer.status_code == 422
    assert f'href="#comment-{proposal_id(0)}"' in answer.text
    assert message in answer.text
    assert "<details open>" in answer.text
    assert collection.writes() == []


async def test_a_stale_proposal_is_rebased_on_the_records_current_version(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.proposals[proposal_id(1)]["stale"] = True
    target = f"{PAGE}/lay-ban-moi/{proposal_id(1)}"

    page = await reviewer.get(PAGE)
    rebased = await post(reviewer, target, {})
    shown = await reviewer.get(rebased.headers["location"])

    assert page.text.count("/lay-ban-moi/") == 1
    assert f'action="{target}"' in page.text
    assert rebased.headers["location"] == f"{PAGE}?da-lay-ban-moi=1"
    assert "đã lấy phiên bản hiện tại của hồ sơ làm gốc" in shown.text
    assert "/lay-ban-moi/" not in shown.text


async def test_an_area_officer_may_not_approve_return_or_rebase(
    officer: httpx.AsyncClient, collection: FakeReview
) -> None:
    approved = await post(officer, f"{PAGE}/phe-duyet", {"which": "all"})
    returned = await post(
        officer, f"{PAGE}/tra-lai/{proposal_id(0)}", {"field": "_", "comment": "sai"}
    )
    rebased = await post(officer, f"{PAGE}/lay-ban-moi/{proposal_id(0)}", {})

    assert (approved.status_code, returned.status_code, rebased.status_code) == (403, 403, 403)
    assert collection.writes() == []
    assert not any(r.url.params.get("state") == "submitted" for r in collection.sent)


async def test_a_review_without_its_form_token_is_refused_before_it_is_sent(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    for path in ("gui-duyet", "phe-duyet", f"tra-lai/{proposal_id(0)}", f"lay-ban-moi/{BATCH}"):
        answer = await reviewer.post(f"{PAGE}/{path}", data={"which": "all", "comment": "x"})
        assert answer.status_code == 403
    assert collection.writes() == []


async def test_when_collection_does_not_answer_the_page_says_nothing_was_done(
    reviewer: httpx.AsyncClient, collection: FakeReview
) -> None:
    collection.writes_down = True
    for path, form in (
        ("gui-duyet", {}),
        ("phe-duyet", {"which": "all"}),
        (f"tra-lai/{proposal_id(0)}", {"field": "_", "comment": "sai"}),
        (f"lay-ban-moi/{proposal_id(0)}", {}),
    ):
        answer = await post(reviewer, f"{PAGE}/{path}", form)
        assert answer.status_code == 503
        assert "dịch vụ thu thập dữ liệu không trả lời" in answer.text
    assert collection.proposals[proposal_id(0)]["state"] == "submitted"
