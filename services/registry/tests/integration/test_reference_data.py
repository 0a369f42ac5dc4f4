"""The units and business lines the registry checks codes against, over HTTP."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration


async def test_the_current_provinces_and_a_provinces_communes(client: httpx.AsyncClient) -> None:
    provinces = (await client.get("/v1/reference/provinces")).json()
    assert len(provinces) == 34
    assert {"code": "96", "name": "Tỉnh Cà Mau"} in provinces
    communes = (await client.get("/v1/reference/provinces/96/communes")).json()
    bac_lieu = next(c for c in communes if c["code"] == "31825")
    assert bac_lieu["name"] == "Phường Bạc Liêu"


async def test_the_units_before_2025_say_what_they_became(client: httpx.AsyncClient) -> None:
    legacy = (await client.get("/v1/reference/provinces/96/legacy")).json()
    assert {p["code"] for p in legacy} == {"95", "96"}  # Bạc Liêu and Cà Mau became Cà Mau
    communes = (await client.get("/v1/reference/legacy-provinces/95/communes")).json()
    whole = next(c for c in communes if c["code"] == "31813")
    assert whole["became"] == ["31825"]
    assert all(c["district_name"] for c in communes)
    ca_mau = (await client.get("/v1/reference/legacy-provinces/96/communes")).json()
    split = next(c for c in ca_mau if c["code"] == "32142")
    assert len(split["became"]) > 1


async def test_vsic_sections_and_divisions(client: httpx.AsyncClient) -> None:
    vsic = (await client.get("/v1/reference/vsic")).json()
    assert vsic["sections"][0]["code"] == "A"
    assert set(vsic["sections"][0]) == {"code", "name"}
    assert any(d["code"] == "03" and d["section"] == "A" for d in vsic["divisions"])


async def test_the_legal_basis_of_every_transition_and_required_field(
    client: httpx.AsyncClient,
) -> None:
    answer = (await client.get("/v1/reference/legal-basis")).json()
    statuses = {s["status"] for s in answer["statuses"]}
    assert len(answer["transitions"]) == len(statuses) * (len(statuses) - 1)
    assert all(t["basis"] for t in answer["transitions"])
    suspending = next(
        t for t in answer["transitions"] if (t["from"], t["to"]) == ("operating", "suspended")
    )
    assert suspending["allowed"] is True
    assert suspending["rule"] == "status.suspended"
    assert {s["rule"] for s in answer["statuses"]} == {f"status.{status}" for status in statuses}
    assert {"number": "09/2024/TT-BKHĐT", "provision": "Phụ lục II-8"} in suspending["basis"]
    assert {f["field"] for f in answer["required_fields"]} >= {"registration_number", "name"}
    assert all(f["basis"] for f in answer["required_fields"])
    assert all(f["rule"] == f"field.{f['field']}" for f in answer["required_fields"])


@pytest.mark.parametrize(
    "path",
    ["/v1/reference/provinces/99/communes", "/v1/reference/legacy-provinces/99/communes"],
)
async def test_an_unknown_province_is_a_404(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.get(path)
    assert answer.status_code == 404
    assert answer.json()["message"]
