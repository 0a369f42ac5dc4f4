"""The same bad request answered in Vietnamese or English as `Accept-Language` asks, with the
same codes: English when the header says nothing, like every service. An import's report is
for the officers who fill the survey: Vietnamese unless the request asks for English."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from .conftest import Tokens, bearer
from .files import as_csv, row

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("accept_language", "language", "said"),
    [
        ("vi", "vi", "Không có lô nhập nào mã"),
        ("en", "en", "There is no import batch"),
        (None, "en", "There is no import batch"),
    ],
)
async def test_the_same_unknown_batch_is_answered_in_the_language_asked_for(
    client: httpx.AsyncClient,
    issued: Tokens,
    accept_language: str | None,
    language: str,
    said: str,
) -> None:
    headers = bearer(issued.officer_96)
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    missing = uuid4()

    response = await client.get(f"/v1/imports/{missing}", headers=headers)

    assert response.status_code == 404
    assert response.headers["Content-Language"] == language
    body = response.json()
    assert body["error"] == "not_found"
    assert body["message"].startswith(said)
    assert str(missing) in body["message"]


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [("vi", "vi"), ("en", "en")],
)
async def test_a_refused_token_is_answered_in_the_language_asked_for(
    client: httpx.AsyncClient, accept_language: str, language: str
) -> None:
    response = await client.get(
        "/v1/proposals",
        headers={"Authorization": "Bearer not-a-known-token", "Accept-Language": accept_language},
    )

    assert response.status_code == 401
    assert response.headers["Content-Language"] == language
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"] == "unauthenticated"


@pytest.mark.parametrize(
    ("accept_language", "said"),
    [
        (None, "Giá trị “nhiều” không phải là số nguyên"),
        ("vi-VN,vi;q=0.9", "Giá trị “nhiều” không phải là số nguyên"),
        ("en-GB,en;q=0.9", "The value “nhiều” is not a whole number"),
    ],
)
async def test_a_dry_run_report_is_in_vietnamese_unless_english_is_asked_for(
    client: httpx.AsyncClient, issued: Tokens, accept_language: str | None, said: str
) -> None:
    headers = bearer(issued.officer_96)
    if accept_language is not None:
        headers["Accept-Language"] = accept_language

    report = (
        await client.post(
            "/v1/imports",
            params={"dry_run": "true"},
            files={"file": ("a.csv", as_csv([row(members_count="nhiều")]))},
            headers=headers,
        )
    ).json()

    (problem,) = report["problems"]
    assert (problem["row"], problem["field"], problem["code"]) == (2, "members_count", "type_error")
    assert problem["message"].startswith(said)


async def test_a_kept_batch_reads_in_either_language(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    content = as_csv([row(), row(registration_number="6001000002", members_count="nhiều")])
    imported = (
        await client.post(
            "/v1/imports", files={"file": ("a.csv", content)}, headers=bearer(issued.officer_96)
        )
    ).json()

    batch = f"/v1/imports/{imported['batch_id']}"

    in_vi = await client.get(batch, headers=bearer(issued.officer_96))
    in_en = await client.get(batch, headers={**bearer(issued.officer_96), "Accept-Language": "en"})

    assert in_vi.json()["problems"][0]["message"].startswith("Giá trị “nhiều”")
    assert in_en.json()["problems"][0]["message"].startswith("The value “nhiều”")
