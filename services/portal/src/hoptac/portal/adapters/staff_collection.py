"""The collection service as a signed-in person uses it: for "my area", the proposals waiting for
review, the public challenges still open (and resolving one) and the records whose data quality
is low; for the
import page, the survey template, a file checked or imported, and the batches made so far; for
an import's page, its proposals page by page, put forward for review and approved; for a
proposal's page, the proposal with its audit trail, returned with comments or, stale, rebased
on its record's current version; for
the campaign pages, the annual update campaigns, their completion per commune and reminders, and
opening, reminding and closing one. Every call carries the person's session, so collection shows
only what their role and area allow, and refuses what they may not do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import httpx

from hoptac.portal.adapters.backends import NotFound, Unavailable
from hoptac.portal.adapters.staff import Refused, SessionEnded

PART = "collection"
SHOWN = 20
LOW_BANDS = ("red", "orange")  # score ≤ 95 %
IMPORT_SECONDS = 600.0  # a file is checked row by row, by the registry too
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTED = 500  # the most proposals collection lists at once
MOST_PER_IMPORT = 100_000  # an import's rows, so its proposals, at most


@dataclass(frozen=True)
class StaffCollection:
    http: httpx.AsyncClient

    async def _get(self, session: str, path: str, params: dict[str, str]) -> Any:
        try:
            response = await self.http.get(
                path, params=params, headers={"Authorization": f"Bearer {session}"}
            )
        except httpx.HTTPError as error:
            raise Unavailable(PART, type(error).__name__) from error
        if response.status_code != 200:
            raise Unavailable(PART, f"HTTP {response.status_code}")
        return response.json()

    async def waiting_for_review(self, session: str) -> list[dict[str, Any]]:
        found = await self._get(
            session, "/v1/proposals", {"state": "submitted", "limit": str(SHOWN)}
        )
        return list(found)

    async def open_challenges(self, session: str) -> list[dict[str, Any]]:
        found = await self._get(session, "/v1/challenges", {"open": "true", "limit": str(SHOWN)})
        return list(found)

    async def resolve_challenge(
        self, session: str, challenge_id: UUID, resolution: str, language: str
    ) -> dict[str, Any]:
        """Says how a challenge of the person's area was resolved; refused if it was already."""
        path = f"/v1/challenges/{challenge_id}/resolve"
        body = {"resolution": resolution}
        answer: dict[str, Any] = (
            await self._send("POST", path, session, language, json=body)
        ).json()
        return answer

    async def low_quality(self, session: str, province: str) -> list[dict[str, Any]]:
        found = await self._get(session, "/v1/quality", {"province": province})
        return [item for item in found.get("items", []) if item.get("band") in LOW_BANDS][:SHOWN]

    async def _send(
        self, method: str, path: str, session: str | None, language: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {session}"} if session else {}
        if language:
            headers["Accept-Language"] = language
        try:
            response = await self.http.request(method, path, headers=headers, **kw)
        except httpx.HTTPError as error:
            raise Unavailable(PART, type(error).__name__) from error
        if response.status_code == 401:
            raise SessionEnded
        if response.status_code == 404:
            raise NotFound
        if response.status_code in (400, 403, 409, 413, 422, 429):
            raise Refused(response.status_code, _message(response))
        if response.status_code not in (200, 201):
            raise Unavailable(PART, f"HTTP {response.status_code}")
        return response

    async def template(self, kind: str) -> bytes:
        """The survey template, "xlsx" or "csv"."""
        return (await self._send("GET", f"/v1/imports/template.{kind}", None)).content

    async def _upload(
        self, session: str, filename: str, content: bytes, language: str, params: dict[str, str]
    ) -> httpx.Response:
        return await self._send(
            "POST",
            "/v1/imports",
            session,
            language,
            params=params,
            files={"file": (filename, content)},
            timeout=IMPORT_SECONDS,
        )

    async def check(
        self, session: str, filename: str, content: bytes, dry_run: bool, language: str
    ) -> dict[str, Any]:
        """The file's report (a dry run keeps nothing), in `language`."""
        asked = {"dry_run": "true" if dry_run else "false"}
        answer: dict[str, Any] = (
            await self._upload(session, filename, content, language, asked)
        ).json()
        return answer

    async def annotated(self, session: str, filename: str, content: bytes, language: str) -> bytes:
        """A dry run's report as the uploaded workbook with a column of its problems."""
        asked = {"dry_run": "true", "report": "xlsx"}
        return (await self._upload(session, filename, content, language, asked)).content

    async def batches(self, session: str) -> list[dict[str, Any]]:
        found = await self._send("GET", "/v1/imports", session, params={"limit": str(SHOWN)})
        return list(found.json())

    async def batch(self, session: str, batch_id: UUID, language: str) -> dict[str, Any]:
        answer: dict[str, Any] = (
            await self._send("GET", f"/v1/imports/{batch_id}", session, language)
        ).json()
        return answer

    async def batch_workbook(self, session: str, batch_id: UUID, language: str) -> bytes:
        path = f"/v1/imports/{batch_id}/report.xlsx"
        return (await self._send("GET", path, session, language)).content

    async def proposals_of(
        self, session: str, batch_id: UUID, asked: dict[str, str]
    ) -> list[dict[str, Any]]:
        """A page of an import's proposals of the person's area: `asked` says which
        (`state`, `after` or `before` an id, `limit`; domain/review_form.py's Listing)."""
        params = {**asked, "batch": str(batch_id)}
        return list((await self._send("GET", "/v1/proposals", session, params=params)).json())

    async def proposal(self, session: str, proposal_id: UUID, language: str) -> dict[str, Any]:
        """One proposal of the person's area with its audit trail (`history`)."""
        path = f"/v1/proposals/{proposal_id}"
        answer: dict[str, Any] = (await self._send("GET", path, session, language)).json()
        return answer

    async def submit_batch(self, session: str, batch_id: UUID, language: str) -> int:
        """Every draft of an import (of the person's area) put forward for review: how many."""
        path = f"/v1/imports/{batch_id}/submit"
        return int((await self._send("POST", path, session, language)).json()["submitted"])

    async def submitted_of(self, session: str, batch_id: UUID) -> list[str]:
        """The ids of every proposal of an import waiting for review, page by page (a page of
        the person's area is full while more follow; an empty one ends)."""
        ids: list[str] = []
        asked = {"batch": str(batch_id), "state": "submitted", "limit": str(LISTED)}
        while len(ids) < MOST_PER_IMPORT:
            found = (await self._send("GET", "/v1/proposals", session, params=asked)).json()
            if not found:
                break
            ids.extend(str(proposal["id"]) for proposal in found)
            asked = {**asked, "after": ids[-1]}
        return ids

    async def approve(self, session: str, ids: list[str], language: str) -> list[dict[str, Any]]:
        """Approves (at most 1000 at once) and applies through the registry: what came of each
        proposal (collection's brief answer: its state, applied, refused, or still submitted
        and flagged stale, and its outcome)."""
        found = await self._send(
            "POST",
            "/v1/proposals/approve",
            session,
            language,
            params={"brief": "true"},
            json={"ids": ids},
            timeout=IMPORT_SECONDS,
        )
        return list(found.json())

    async def return_proposal(
        self, session: str, proposal_id: UUID, comments: dict[str, str], language: str
    ) -> dict[str, Any]:
        """Sends a submitted proposal back to its author with a comment per field."""
        path = f"/v1/proposals/{proposal_id}/return"
        answer: dict[str, Any] = (
            await self._send("POST", path, session, language, json={"comments": comments})
        ).json()
        return answer

    async def rebase(self, session: str, proposal_id: UUID, language: str) -> dict[str, Any]:
        """A stale proposal takes its record's current version as its base, to be approved."""
        path = f"/v1/proposals/{proposal_id}/rebase"
        answer: dict[str, Any] = (await self._send("POST", path, session, language)).json()
        return answer

    async def campaigns(self, session: str) -> list[dict[str, Any]]:
        """The campaigns of the person's area, newest year first, each with its totals."""
        found = await self._send("GET", "/v1/campaigns", session)
        return list(found.json()["items"])

    async def campaign(self, session: str, campaign_id: UUID) -> dict[str, Any]:
        """A campaign with its completion per commune (of the person's area) and in all."""
        answer: dict[str, Any] = (
            await self._send("GET", f"/v1/campaigns/{campaign_id}", session)
        ).json()
        return answer

    async def reminders(self, session: str, campaign_id: UUID) -> list[dict[str, Any]]:
        """The reminders sent for a campaign, newest first."""
        found = await self._send("GET", f"/v1/campaigns/{campaign_id}/reminders", session)
        return list(found.json()["items"])

    async def open_campaign(
        self, session: str, year: int, province: str, deadline: date | None, language: str
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"year": year, "province_code": province}
        if deadline is not None:
            body["deadline"] = deadline.isoformat()
        answer: dict[str, Any] = (
            await self._send("POST", "/v1/campaigns", session, language, json=body)
        ).json()
        return answer

    async def remind(self, session: str, campaign_id: UUID, language: str) -> dict[str, Any]:
        """Has the notifications service e-mail the area's staff where each commune stands."""
        path = f"/v1/campaigns/{campaign_id}/reminders"
        answer: dict[str, Any] = (await self._send("POST", path, session, language)).json()
        return answer

    async def close_campaign(
        self, session: str, campaign_id: UUID, language: str
    ) -> dict[str, Any]:
        """After the deadline: the records in scope not updated become lapsed."""
        path = f"/v1/campaigns/{campaign_id}/close"
        answer: dict[str, Any] = (await self._send("POST", path, session, language)).json()
        return answer

    async def close(self) -> None:
        await self.http.aclose()


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", ""))[:500]
    except ValueError:
        return ""
