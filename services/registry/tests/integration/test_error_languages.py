"""The same bad request answered in Vietnamese or English as `Accept-Language` asks, with the
same codes and field paths; English when the header says nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .conftest import Tokens

pytestmark = pytest.mark.integration

ELSEWHERE = {"province_code": "01", "commune_code": "31825"}


@pytest.mark.parametrize(
    ("accept_language", "language", "said"),
    [
        ("vi", "vi", "Đơn vị cấp xã '31825' (Phường Bạc Liêu) thuộc Tỉnh Cà Mau ('96')"),
        ("en", "en", "Commune '31825' (Phường Bạc Liêu) lies in Tỉnh Cà Mau ('96')"),
        (None, "en", "Commune '31825' (Phường Bạc Liêu) lies in Tỉnh Cà Mau ('96')"),
    ],
)
async def test_the_same_bad_registration_is_answered_in_the_language_asked_for(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    accept_language: str | None,
    language: str,
    said: str,
) -> None:
    headers = Tokens.header(issued.admin)
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    response = await client.post(
        "/v1/organizations", json=make_body(address=ELSEWHERE), headers=headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["Content-Language"] == language
    body = response.json()
    assert body["error"] == "invalid_request"
    assert [e["field"] for e in body["errors"]] == ["address.commune_code"]
    assert body["errors"][0]["message"].startswith(said)
    assert said in body["message"]


async def test_invalid_json_says_where_in_vietnamese(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    response = await client.post(
        "/v1/organizations",
        content=b'{"name": "HTX",\n "kind" "cooperative"}',
        headers={
            **Tokens.header(issued.admin),
            "Content-Type": "application/json",
            "Accept-Language": "vi",
        },
    )
    assert response.status_code == 422
    assert response.json()["message"] == (
        "JSON không hợp lệ tại dòng 2, cột 9: thiếu dấu hai chấm."
    )
    assert response.json()["errors"][0]["field"] == "body"


async def test_a_form_body_is_told_to_send_json_in_both_languages(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    said = {}
    for language in ("vi", "en"):
        response = await client.post(
            "/v1/organizations",
            data={"name": "HTX"},
            headers={**Tokens.header(issued.admin), "Accept-Language": language},
        )
        assert response.status_code == 422
        said[language] = response.json()["message"]
    assert said["vi"].startswith("Hãy gửi JSON")
    assert said["en"].startswith("Send JSON")


async def test_a_refused_transition_names_the_status_in_vietnamese_with_its_code(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> None:
    created = (
        await client.post(
            "/v1/organizations", json=make_body(), headers=Tokens.header(issued.admin)
        )
    ).json()
    response = await client.post(
        f"/v1/organizations/{created['id']}/status",
        json={"status": "operating", "effective_date": "2024-01-02", "reason": "Kiểm tra"},
        headers={**Tokens.header(issued.reviewer), "Accept-Language": "vi"},
    )
    assert response.status_code == 409
    assert response.json() == {
        "error": "invalid_transition",
        "message": "Tổ chức đã ở trạng thái đang hoạt động (operating).",
        "rule": "status.operating",  # the library keeps, under it, the article staff recorded
        "basis": [  # the documents the rule rests on, the same in every language
            {"number": "17/2023/QH15", "provision": None},
            {"number": "92/2024/NĐ-CP", "provision": None},
        ],
    }


async def test_a_missing_token_is_refused_in_vietnamese(
    client: httpx.AsyncClient, make_body: Callable[..., dict[str, Any]]
) -> None:
    response = await client.post(
        "/v1/organizations", json=make_body(), headers={"Accept-Language": "vi"}
    )
    assert response.status_code == 401
    assert response.json()["message"] == (
        "Thao tác này cần mã truy cập: hãy gửi Authorization: Bearer <token>."
    )
    assert response.headers["WWW-Authenticate"] == "Bearer"
