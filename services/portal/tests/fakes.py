"""Backends answered in memory (handlers of httpx requests, called through `HandlerTransport` in
place of aiohttp), shaped like the real services' answers, so the pages can be tested without
servers; each can be taken down on purpose."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from hoptac.portal.adapters.backends import Backend, Backends
from hoptac.portal.adapters.http_transport import Answer, Params, TransportError
from hoptac.portal.adapters.library import LibraryBackends
from hoptac.portal.adapters.recent_answers import RecentAnswers

ORG_ID = "2b1c6f0e-8f0e-4c59-9f0b-1d6f3c2a1b00"

HIT = {
    "id": ORG_ID,
    "name": "HTX Nông nghiệp Tân Hưng",
    "registration_number": "9600000001",
    "kind": "cooperative",
    "status": "operating",
    "sector_group": "agriculture",
    "province_code": "96",
    "commune_code": "32025",
    "address_text": "Khóm 2",
    "registered_on": "2019-05-20",
    "operating_in_practice": "yes",
    "ocop_stars": 3,
    "version": 2,
}
SUMMARY = {
    "as_of": "2022-07-30",
    "totals": {"organizations": 277, "operating": 222, "stopped": 55, "members": 4497,
               "workers": 4796, "charter_capital": 0},
    "by_kind": [{"kind": "cooperative", "organizations": 277, "operating": 222, "stopped": 55}],
    "by_sector_class": [
        {"sector_class": "agriculture", "organizations": 195, "operating": 168, "stopped": 27},
        {"sector_class": "non_agriculture", "organizations": 82, "operating": 54, "stopped": 28},
    ],
    "ocop": {"organizations": 28, "products": 28, "by_stars": [{"stars": 3, "products": 10}]},
    "digital": {"base": 222, "rates": [{"flag": "internet", "organizations": 100, "rate": 0.4505}]},
}  # fmt: skip
STATS = {
    "rows": [
        {"kind": "cooperative", "organizations": 4275, "members": 4497, "workers": 4796},
        {"kind": "cooperative_group", "organizations": 1, "members": 7, "workers": 7},
    ],
    "totals": {"organizations": 4276, "members": 4504, "workers": 4803, "charter_capital": 0},
    "notes": [],
}
INDICATOR = {
    "code": "digital.internet",
    "flag": "internet",
    "name": {"vi": "Có kết nối Internet", "en": "Connected to the Internet"},
    "definition": {"vi": "Tỷ lệ tổ chức đang hoạt động có Internet", "en": "Share online"},
    "numerator": {"vi": "Số có Internet", "en": "Online ones"},
    "denominator": {"vi": "Số đang hoạt động", "en": "Operating ones"},
    "unit": "rate",
    "legal_basis": {"vi": "Chỉ thị số 19/CT-TTg", "en": "Directive No. 19/CT-TTg"},
}
BY_COMMUNE = {
    "rows": [
        {"commune": "31825", "organizations": 12, "members": 100, "workers": 90},
        {"commune": "20333", "organizations": 1, "members": 7, "workers": 7},  # Hoàng Sa
        {"commune": None, "counted_at": "province", "organizations": 2, "members": 9,
         "workers": 9},
    ],
    "totals": {"organizations": 15, "members": 116, "workers": 106, "charter_capital": 0},
    "notes": [],
}  # fmt: skip
# The same organisations as the search service places them on a map: two with no certain commune.
COMMUNE_COUNTS = {"total": 15, "communes": {"31825": 12, "20333": 1}}
RECORD = {
    "id": ORG_ID,
    "registration_number": "9600000001",
    "name": "HTX Nông nghiệp Tân Hưng",
    "kind": "cooperative",
    "status": "operating",
    "status_since": "2019-05-20",
    "registered_on": "2019-05-20",
    "address": {"province_code": "96", "commune_code": "32025", "street": "Khóm 2",
                "legacy": {"province_code": "96", "district_code": "969", "commune_code": "32026"}},
    "sector": {"group": "agriculture", "vsic": ["0322"]},
    "members_count": 12,
    "workers_count": 30,
    "charter_capital": 1500000000,
    "ocop_products": [{"name": "Tôm khô", "stars": 4}],
    "digital": {"internet": True},
    "operating_in_practice": "yes",
    "version": 2,
    "updated_at": "2024-01-02T03:04:05+00:00",
}  # fmt: skip
HISTORY = [
    {"version": 1, "event_type": "organization.registered", "effective_date": "2019-05-20",
     "recorded_at": "2019-05-21T01:00:00+00:00", "reason": None,
     "changes": [{"field": "status", "before": None, "after": "operating"},
                 {"field": "name", "before": None, "after": "HTX Nông nghiệp Tân Hưng"}]},
    {"version": 2, "event_type": "organization.status_changed", "effective_date": "2023-03-01",
     "recorded_at": "2023-03-02T01:00:00+00:00", "reason": "rà soát",
     "changes": [{"field": "status", "before": "operating", "after": "suspended"},
                 {"field": "legal_representative.id_number", "before": "[restricted]",
                  "after": "[restricted]"}]},
]  # fmt: skip

LEGAL_BASIS = {
    "statuses": [
        {"status": "operating", "rule": "status.operating",
         "basis": [{"number": "17/2023/QH15", "provision": None}]},
        {"status": "suspended", "rule": "status.suspended",
         "basis": [{"number": "92/2024/NĐ-CP", "provision": None},
                   {"number": "09/2024/TT-BKHĐT", "provision": "Phụ lục II-8"}]},
        {"status": "dissolving", "rule": "status.dissolving",
         "basis": [{"number": "17/2023/QH15", "provision": None}]},
    ],
    "transitions": [],
    "final": ["bankrupt", "dissolved"],
    "required_fields": [
        {"field": "registration_number", "rule": "field.registration_number",
         "basis": [{"number": "92/2024/NĐ-CP", "provision": None}]},
        {"field": "name", "rule": "field.name",
         "basis": [{"number": "17/2023/QH15", "provision": None},
                   {"number": "92/2024/NĐ-CP", "provision": None}]},
        {"field": "address.province_code", "rule": "field.address.province_code",
         "basis": [{"number": "92/2024/NĐ-CP", "provision": None}]},
        {"field": "sector.group", "rule": "field.sector.group",
         "basis": [{"number": "09/2024/TT-BKHĐT", "provision": None}]},
    ],
}  # fmt: skip

Handler = Callable[[httpx.Request], httpx.Response]


class HandlerTransport:
    """A backend's transport answered by `handler` in memory; a connection it refuses (an
    httpx error raised by the handler) is a `TransportError`, as aiohttp's would be."""

    def __init__(self, part: str, handler: Handler) -> None:
        self.base_url = f"http://{part}.fake"
        self.handler = handler

    async def get(self, path: str, params: Params, headers: Mapping[str, str]) -> Answer:
        request = httpx.Request(
            "GET", self.base_url + path, params=list(params), headers=dict(headers)
        )
        try:
            response = self.handler(request)
        except httpx.HTTPError as error:
            raise TransportError(type(error).__name__) from error
        return Answer(response.status_code, response.read(), response.headers)

    async def close(self) -> None:
        pass


@dataclass
class FakeServices:
    """What each fake service answers; `down` holds the parts that refuse connections."""

    down: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)
    record_without: set[str] = field(default_factory=set)  # fields the registry leaves out
    record_version: int = RECORD["version"]  # type: ignore[assignment]
    search_answer: dict[str, Any] = field(
        default_factory=lambda: {"total": 1, "items": [HIT], "next_cursor": "c2",
                                 "facets": {"kind": {"cooperative": 1}, "status": {"operating": 1},
                                            "province": {"96": 1}}}
    )  # fmt: skip

    def handler(self, part: str) -> Handler:
        def answer(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            if part in self.down:
                raise httpx.ConnectError("connection refused", request=request)
            return self._answer(request)

        return answer

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/search":
            last_page = "cursor" in request.url.params  # one more page, then the end
            return httpx.Response(200, json={**self.search_answer, **(
                {"next_cursor": None} if last_page else {})})  # fmt: skip
        if path == "/v1/search/communes":
            return httpx.Response(200, json=COMMUNE_COUNTS)
        if path == "/v1/suggest":
            return httpx.Response(200, json={"items": [HIT]})
        if path == "/v1/reports/summary":
            return httpx.Response(200, json=SUMMARY)
        if path == "/v1/indicators":
            return httpx.Response(200, json={"indicators": [INDICATOR]})
        if path == "/v1/stats":
            if request.url.params.get("format") == "csv":
                return httpx.Response(200, content=b"kind,organizations\r\n")
            if request.url.params.get("group_by") == "commune":
                return httpx.Response(200, json=BY_COMMUNE)
            return httpx.Response(200, json=STATS)
        if path == "/v1/organizations":
            return httpx.Response(200, json={"items": [RECORD], "next_cursor": None})
        if path == f"/v1/organizations/{ORG_ID}":
            if request.url.params.get("as_of", "9999") < RECORD["registered_on"]:
                return httpx.Response(404, json={"error": "not_found", "message": "no"})
            as_of = request.url.params.get("as_of")
            if as_of is None and request.headers.get("if-none-match") == f'"{self.record_version}"':
                return httpx.Response(304, headers={"ETag": f'"{self.record_version}"'})
            status = "suspended" if as_of is None else "operating"
            record = {k: v for k, v in RECORD.items() if k not in self.record_without}
            return httpx.Response(
                200, json={**record, "status": status, "version": self.record_version}
            )
        if path == f"/v1/organizations/{ORG_ID}/history":
            return httpx.Response(200, content=json.dumps({"versions": HISTORY}))
        if path == "/v1/reference/legal-basis":
            return httpx.Response(200, json=LEGAL_BASIS)
        return httpx.Response(404, json={"error": "not_found", "message": "no"})

    def backends(self, search_seconds: float = 0.0, histories: int = 0) -> Backends:
        def backend(part: str) -> Backend:
            return Backend(part, "http://fake", 1.0, HandlerTransport(part, self.handler(part)))

        parts = (backend("search"), backend("reporting"), backend("registry"))
        return Backends(*parts, search_seconds=search_seconds, histories=histories)

    def library(self) -> LibraryBackends:
        """A library that holds no document for any organisation (404 to every path)."""
        search, library = (
            Backend(part, "http://fake", 1.0, HandlerTransport(part, self.handler(part)))
            for part in ("search", "library")
        )
        return LibraryBackends(search, library, RecentAnswers(0.0))
