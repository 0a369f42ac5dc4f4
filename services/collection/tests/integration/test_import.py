"""Imports through the API: a dry run reports every problem by row and column and changes
nothing; a real run turns each valid row into a proposal and reports the rest; the same file
again changes nothing; files that cannot be read faithfully are refused whole, saying why."""

from __future__ import annotations

import io
import socket
import unicodedata
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.collection import handlers
from hoptac.collection.adapters.registry import DryRun
from hoptac.collection.adapters.tables import import_batches, proposals

from .conftest import Tokens, bearer, limited_client
from .files import NEW_ROW, as_csv, edited, filled, row, typed_in, with_part

pytestmark = pytest.mark.integration


async def template(client: httpx.AsyncClient) -> bytes:
    return (await client.get("/v1/imports/template.xlsx")).content


async def upload(
    client: httpx.AsyncClient,
    token: str,
    content: bytes,
    name: str = "khao-sat.xlsx",
    dry_run: bool = False,
) -> httpx.Response:
    return await client.post(
        "/v1/imports",
        params={"dry_run": "true"} if dry_run else None,
        files={"file": (name, content)},
        headers=bearer(token),
    )


async def counts(collection_url: str) -> tuple[int, int]:
    engine = create_async_engine(collection_url)
    async with engine.connect() as conn:
        batches = await conn.scalar(select(func.count()).select_from(import_batches))
        proposed = await conn.scalar(select(func.count()).select_from(proposals))
    await engine.dispose()
    return int(batches or 0), int(proposed or 0)


def located(report: dict[str, Any]) -> set[tuple[int | None, str | None, str]]:
    return {(p.get("row"), p.get("column"), p["code"]) for p in report["problems"]}


async def test_a_dry_run_of_a_good_file_reports_no_problem_and_keeps_nothing(
    client: httpx.AsyncClient, issued: Tokens, collection_url: str
) -> None:
    content = filled(await template(client), [row(), row(registration_number="6001000002")])

    answer = await upload(client, issued.officer_96, content, dry_run=True)

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["problems"] == []
    assert (report["valid"], report["rows_total"], report["rows_valid"]) == (True, 2, 2)
    assert await counts(collection_url) == (0, 0)


async def test_a_dry_run_reports_every_problem_at_its_row_and_column(
    client: httpx.AsyncClient, issued: Tokens, collection_url: str
) -> None:
    rows = [
        row(),  # row 3: good
        row(registration_number="6001000002", registered_on="31/02/2015"),
        row(registration_number="6001000003", kind="Công ty"),
        row(registration_number="6001000004", name=None),
        row(registration_number="6001000005", **{"address.commune_code": "00004"}),
        row(registration_number="6001000001", name="HTX trùng"),
        row(registration_number="6001000007", members_count="nhiều"),
    ]

    report = (
        await upload(client, issued.officer_96, filled(await template(client), rows), dry_run=True)
    ).json()

    assert located(report) == {
        (4, "I", "type_error"),
        (5, "F", "unknown_code"),
        (6, "C", "missing"),
        (7, "M", "invalid_request"),
        (8, "B", "duplicate_row"),
        (9, "T", "type_error"),
    }
    assert report["rows_valid"] == 1
    assert report["rows_refused"] == 6
    assert all(p["message"] for p in report["problems"])
    assert await counts(collection_url) == (0, 0)


async def test_a_real_run_proposes_the_valid_rows_and_reports_the_others(
    client: httpx.AsyncClient, issued: Tokens, registry: httpx.AsyncClient, collection_url: str
) -> None:
    rows = [row(), row(registration_number="6001000002", kind="Công ty")]

    report = (await upload(client, issued.officer_96, filled(await template(client), rows))).json()

    assert report["proposals_added"] == 1
    assert located(report) == {(4, "F", "unknown_code")}
    assert await counts(collection_url) == (1, 1)
    listed = (await registry.get("/v1/organizations", headers=bearer(issued.admin))).json()
    assert listed["items"] == []  # nothing reaches the register before review


async def test_the_same_file_imported_twice_changes_nothing(
    client: httpx.AsyncClient, issued: Tokens, collection_url: str
) -> None:
    content = filled(await template(client), [row()])
    first = (await upload(client, issued.officer_96, content)).json()

    again = (await upload(client, issued.officer_96, content)).json()
    copied = (await upload(client, issued.officer_96, content + b"", name="ban-sao.xlsx")).json()

    assert again["already_imported"] is True
    assert again["batch_id"] == first["batch_id"] == copied["batch_id"]
    assert await counts(collection_url) == (1, 1)


async def test_a_row_already_proposed_from_another_file_is_not_proposed_twice(
    client: httpx.AsyncClient, issued: Tokens, collection_url: str
) -> None:
    await upload(client, issued.officer_96, filled(await template(client), [row()]))

    second = (await upload(client, issued.officer_96, as_csv([row()]), name="x.csv")).json()

    assert second["proposals_added"] == 0
    assert await counts(collection_url) == (2, 1)


async def test_a_csv_with_json_paths_as_its_header_imports_like_the_workbook(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    content = as_csv([row(), row(registration_number="6001000002", workers_count="x")])

    report = (
        await upload(client, issued.officer_96, content, name="tu-chuong-trinh.csv", dry_run=True)
    ).json()

    assert report["format"] == "csv"
    assert located(report) == {(3, "K", "type_error")}


async def test_rows_outside_an_area_officers_area_are_refused_by_the_registry(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    content = filled(await template(client), [row()])

    report = (await upload(client, issued.officer_01, content, dry_run=True)).json()

    assert {p["code"] for p in report["problems"]} == {"forbidden"}


async def test_an_agency_reader_cannot_import(client: httpx.AsyncClient, issued: Tokens) -> None:
    answer = await upload(client, issued.agency, as_csv([row()]), name="x.csv")

    assert answer.status_code == 403


async def test_an_upload_without_a_token_is_refused_before_it_is_read(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post(
        "/v1/imports",
        content=b"x" * 1000,
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )

    assert answer.status_code == 401


def _formula(book: Workbook) -> None:
    book["Dữ liệu"]["U3"] = "=1+1"


def _merged(book: Workbook) -> None:
    book["Dữ liệu"].merge_cells("C3:C4")


def _hidden(book: Workbook) -> None:
    book.create_sheet("Ghi chú").sheet_state = "hidden"


def _second_sheet(book: Workbook) -> None:
    book.create_sheet("Trang 2")["A1"] = "x"


def _old_version(book: Workbook) -> None:
    book["Hướng dẫn"]["B2"] = "hoptac-khao-sat-0"


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (_formula, "formula"),
        (_merged, "merged_cells"),
        (_hidden, "hidden_sheet"),
        (_second_sheet, "sheets"),
        (_old_version, "template_version"),
    ],
)
async def test_a_workbook_that_cannot_be_read_faithfully_is_refused_whole(
    client: httpx.AsyncClient, issued: Tokens, collection_url: str, edit: Any, code: str
) -> None:
    content = edited(await template(client), [row()], edit)

    report = (await upload(client, issued.officer_96, content)).json()

    assert [p["code"] for p in report["problems"]] == [code]
    assert report["problems"][0]["message"]
    assert await counts(collection_url) == (1, 0)


@pytest.mark.parametrize(
    ("make", "name", "code"),
    [
        (lambda t: with_part(t, "xl/vbaProject.bin", b"macro"), "a.xlsx", "macro"),
        (lambda t: t, "a.xlsm", "unsupported_format"),
        (lambda t: with_part(t, "xl/padding.bin", b"\0" * 3_000_000), "a.xlsx", "zip_bomb"),
        (
            lambda t: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "a.xls",
            "unsupported_format",
        ),
        (lambda t: "registration_number,name\n1,Hợp tác xã".encode("utf-16"), "a.csv", "encoding"),
        (lambda t: b"", "a.csv", "empty_file"),
        (lambda t: b"ten,dia chi\nHTX,Ap 3\n", "a.csv", "no_field_row"),
    ],
)
async def test_a_file_of_the_wrong_kind_or_size_is_refused_whole(
    collection_url: str,
    registry_transport: httpx.ASGITransport,
    issued: Tokens,
    client: httpx.AsyncClient,
    make: Any,
    name: str,
    code: str,
) -> None:
    async with limited_client(
        collection_url, registry_transport, max_unzipped_bytes=2_000_000
    ) as small:
        content = make(filled(await template(small), [row()]))
        report = (await upload(small, issued.officer_96, content, name=name, dry_run=True)).json()

    assert [p["code"] for p in report["problems"]] == [code]


async def test_more_rows_or_larger_cells_than_allowed_are_reported(
    collection_url: str, registry_transport: httpx.ASGITransport, issued: Tokens
) -> None:
    async with limited_client(
        collection_url, registry_transport, max_rows=2, max_cell_chars=50
    ) as small:
        many = as_csv([row(registration_number=f"600100000{n}") for n in range(3)])
        long = as_csv([row(name="Hợp tác xã " + "rất " * 20)])
        too_many = (await upload(small, issued.officer_96, many, name="a.csv", dry_run=True)).json()
        too_long = (await upload(small, issued.officer_96, long, name="a.csv", dry_run=True)).json()

    assert [p["code"] for p in too_many["problems"]] == ["too_many_rows"]
    assert located(too_long) == {(2, "B", "cell_too_large")}


TAN_HUNG = "Hợp tác xã Nông nghiệp Tân Hưng"


async def converted_name(client: httpx.AsyncClient, token: str, batch_id: str) -> str:
    (proposal,) = (
        await client.get(f"/v1/proposals?batch={batch_id}", headers=bearer(token))
    ).json()
    return str(proposal["change"]["record"]["name"])


async def test_a_csv_in_tcvn3_bytes_is_converted_and_the_report_names_each_cell(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    content = as_csv([typed_in("TCVN3", row())], encoding="latin-1")
    assert "Hîp t¸c x· N«ng nghiÖp T©n H\xadng".encode("latin-1") in content

    checked = (await upload(client, issued.officer_96, content, name="a.csv", dry_run=True)).json()
    imported = (await upload(client, issued.officer_96, content, name="a.csv")).json()

    converted = [w for w in checked["warnings"] if w["code"] == "converted_encoding"]
    assert checked["problems"] == []
    assert (2, "name") in {(w["row"], w["field"]) for w in converted}
    assert all("TCVN3" in w["message"] for w in converted)
    assert await converted_name(client, issued.officer_96, imported["batch_id"]) == TAN_HUNG


async def test_a_workbook_typed_with_vni_fonts_is_converted(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    content = filled(await template(client), [typed_in("VNI", row())])

    imported = (await upload(client, issued.officer_96, content)).json()

    assert imported["problems"] == []
    assert ("name", "converted_encoding") in {(w["field"], w["code"]) for w in imported["warnings"]}
    assert await converted_name(client, issued.officer_96, imported["batch_id"]) == TAN_HUNG


async def test_a_cell_that_reads_both_ways_beside_unicode_is_refused_naming_the_encoding(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    ambiguous = row(name=typed_in("TCVN3", row())["name"], **{"address.street": "Tân Phú"})
    mixed = {**typed_in("TCVN3", row()), "address.street": "AÁp 3"}

    in_doubt = (
        await upload(client, issued.officer_96, as_csv([ambiguous]), name="a.csv", dry_run=True)
    ).json()
    in_both = (
        await upload(client, issued.officer_96, as_csv([mixed]), name="a.csv", dry_run=True)
    ).json()

    # "Tân Phú" and "Có" read as TCVN3 too ("Tõn Phỳ", "Cú"), and other cells are Unicode.
    assert located(in_doubt) == {
        (2, "E", "legacy_encoding_ambiguous"),
        (2, "L", "legacy_encoding_ambiguous"),
    }
    assert "TCVN3" in in_doubt["problems"][0]["message"]
    assert [p["code"] for p in in_both["problems"]] == ["legacy_encoding"]
    assert "TCVN3, VNI" in in_both["problems"][0]["message"]


async def test_text_in_decomposed_unicode_is_stored_in_nfc(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    decomposed = unicodedata.normalize("NFD", "Hợp tác xã Hoà Bình")
    report = (
        await upload(client, issued.officer_96, as_csv([row(name=decomposed)]), name="a.csv")
    ).json()
    (proposal,) = (
        await client.get(
            f"/v1/proposals?batch={report['batch_id']}", headers=bearer(issued.officer_96)
        )
    ).json()

    assert proposal["change"]["record"]["name"] == unicodedata.normalize("NFC", decomposed)


async def test_a_new_row_like_a_registered_organisation_of_its_commune_is_flagged_not_merged(
    client: httpx.AsyncClient, issued: Tokens, registry: httpx.AsyncClient
) -> None:
    registered = {
        "registration_number": "6001009999",
        "name": "Hợp tác xã Nông nghiệp Tân Hưng",
        "kind": "cooperative",
        "registered_on": "2010-01-01",
        "address": {"province_code": "96", "commune_code": "31825"},
        "sector": {"group": "agriculture"},
    }
    await registry.post("/v1/organizations", json=registered, headers=bearer(issued.admin))
    rows = [
        row(name="HTX NN Tan Hung"),
        row(registration_number="6001000002", name="Hợp tác xã Nông nghiệp Tân Hưng."),
    ]

    report = (await upload(client, issued.officer_96, as_csv(rows), name="a.csv")).json()
    listed = await client.get(
        f"/v1/proposals?batch={report['batch_id']}", headers=bearer(issued.officer_96)
    )

    assert report["problems"] == []
    assert [(w["row"], w["code"]) for w in report["warnings"] if "duplicate" in w["code"]] == [
        (2, "probable_duplicate"),
        (3, "probable_duplicate"),
        (3, "probable_duplicate_in_file"),
    ]
    first = listed.json()[0]
    assert first["organization_id"] is None
    assert first["change"]["candidates"][0]["name"] == registered["name"]
    assert "cùng xã 31825" in first["change"]["candidates"][0]["why"]


async def test_the_report_comes_back_as_the_uploaded_workbook_with_a_column_of_problems(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    rows = [row(), row(registration_number="6001000002", kind="Công ty", members_count="x")]
    content = filled(await template(client), rows)

    answer = await client.post(
        "/v1/imports",
        params={"dry_run": "true", "report": "xlsx"},
        files={"file": ("khao-sat.xlsx", content)},
        headers=bearer(issued.officer_96),
    )
    stored = (await upload(client, issued.officer_96, content)).json()
    again = await client.get(
        f"/v1/imports/{stored['batch_id']}/report.xlsx", headers=bearer(issued.officer_96)
    )

    for workbook in (answer.content, again.content):
        sheet = load_workbook(io.BytesIO(workbook))["Dữ liệu"]
        errors = sheet.cell(row=1, column=sheet.max_column)
        assert errors.value == "Lỗi"
        assert sheet.cell(row=3, column=sheet.max_column).value is None
        noted = sheet.cell(row=4, column=sheet.max_column).value
        assert noted.startswith("F: ")
        assert "T: " in noted
        assert sheet["F4"].fill.fgColor.rgb.endswith("F4CCCC")
    fixed = (await upload(client, issued.officer_96, answer.content, dry_run=True)).json()
    assert {p["row"] for p in fixed["problems"]} == {4}  # the new column is ignored on re-upload


async def test_an_address_in_free_text_is_read_offline_and_a_split_commune_named_for_review(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    legacy = (await registry.get("/v1/reference/legacy-provinces/96/communes")).json()
    split = next(c for c in legacy if len(c["became"]) > 1)
    whole = next(c for c in legacy if len(c["became"]) == 1)

    def text(commune: dict[str, Any]) -> str:
        return f"Ấp 1, {commune['name']}, {commune['district_name']}, tỉnh Cà Mau"

    rows = [
        row(**{"address.commune_code": None, "address.street": None, "address.text": text(whole)}),
        row(
            registration_number="6001000002",
            **{"address.commune_code": None, "address.street": None, "address.text": text(split)},
        ),
    ]
    paths = [*NEW_ROW, "address.text"]
    content = as_csv(rows, paths)
    resolve = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"an address was looked up online ({host})")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)  # the database stays reachable

    report = (await upload(client, issued.officer_96, content, name="a.csv")).json()
    proposals = (
        await client.get(f"/v1/proposals?batch={report['batch_id']}", headers=bearer(issued.admin))
    ).json()

    assert report["problems"] == []
    by_row = {p["row"]: p["change"]["record"]["address"] for p in proposals}
    assert by_row[2]["legacy"]["commune_code"] == whole["code"]
    assert by_row[2]["street"] == "Ấp 1"
    assert by_row[3]["legacy"]["commune_code"] == split["code"]
    (warning,) = [w for w in report["warnings"] if w["code"] == "legacy_commune_split"]
    assert warning["row"] == 3
    assert all(code in warning["message"] for code in split["became"])


async def test_the_latest_batches_are_listed_for_their_author_and_for_reviewers(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    imported = (await upload(client, issued.officer_96, as_csv([row()]), name="a.csv")).json()

    def listed(token: str) -> Any:
        return client.get("/v1/imports", headers=bearer(token))

    mine, reviewed, others = [
        (await listed(token)).json()
        for token in (issued.officer_96, issued.reviewer, issued.officer_01)
    ]

    assert [b["batch_id"] for b in mine] == [imported["batch_id"]]
    assert mine[0]["filename"] == "a.csv"
    assert (mine[0]["valid"], mine[0]["rows_valid"]) == (True, 1)
    assert [b["batch_id"] for b in reviewed] == [imported["batch_id"]]
    assert others == []


@pytest.fixture
def registry_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows of each dry run of the registry's batch write collection asks for."""
    checks: list[int] = []
    results = DryRun.results

    async def counted(self: DryRun, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        checks.append(len(changes))
        return await results(self, changes)

    monkeypatch.setattr(DryRun, "results", counted)
    return checks


def _one_refused() -> bytes:
    in_ha_noi = row(
        registration_number="0101000001",
        **{"address.province_code": "01", "address.commune_code": "00004"},
    )
    return as_csv([row(), in_ha_noi])


async def test_an_import_right_after_its_dry_run_takes_the_dry_runs_whole_check(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry_checks: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[str] = []
    read_upload = handlers.read_upload

    def counted(data: bytes, filename: str, limits: Any) -> Any:
        reads.append(filename)
        return read_upload(data, filename, limits)

    monkeypatch.setattr(handlers, "read_upload", counted)
    content = _one_refused()

    checked = (await upload(client, issued.officer_96, content, "k.csv", dry_run=True)).json()
    imported = (await upload(client, issued.officer_96, content, "k.csv")).json()

    assert reads == ["k.csv"]  # the dry run's; the import read nothing
    assert registry_checks == [2]  # and asked nothing
    assert imported["checked_by_dry_run"] is True
    assert located(checked) == located(imported) == {(3, None, "forbidden")}
    assert (imported["problems"], imported["warnings"]) == (
        checked["problems"],
        checked["warnings"],
    )
    assert imported["proposals_added"] == 1


async def test_an_import_in_another_process_reuses_the_registrys_answers_to_its_dry_run(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry_checks: list[int],
    collection_url: str,
    registry_transport: httpx.ASGITransport,
) -> None:
    content = _one_refused()

    checked = (await upload(client, issued.officer_96, content, "k.csv", dry_run=True)).json()
    async with limited_client(collection_url, registry_transport) as other_process:
        imported = (await upload(other_process, issued.officer_96, content, "k.csv")).json()

    assert registry_checks == [2]  # the dry run's; the import read the file, asked nothing more
    assert imported["checked_by_dry_run"] is False
    assert located(checked) == located(imported) == {(3, None, "forbidden")}
    assert imported["problems"] == checked["problems"]
    assert imported["proposals_added"] == 1


async def test_an_import_checks_again_when_the_register_moved_or_someone_else_imports(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry: httpx.AsyncClient,
    registry_checks: list[int],
) -> None:
    answer = await registry.post(
        "/v1/organizations/batch",
        json={"changes": [{"op": "register", "body": _registered_body()}]},
        headers=bearer(issued.admin),
    )
    org_id = answer.json()["results"][0]["id"]
    update = as_csv([row(members_count=40)])
    other = as_csv([row(registration_number="6001000002")])

    await upload(client, issued.officer_96, update, "u.csv", dry_run=True)
    await registry.patch(
        f"/v1/organizations/{org_id}",
        json={"workers_count": 13},
        headers={**bearer(issued.admin), "If-Match": '"1"'},
    )
    moved = (await upload(client, issued.officer_96, update, "u.csv")).json()
    await upload(client, issued.reviewer, other, "o.csv", dry_run=True)
    by_another = (await upload(client, issued.admin, other, "o.csv")).json()

    assert registry_checks == [1, 1, 1, 1]
    assert (moved["checked_by_dry_run"], by_another["checked_by_dry_run"]) == (False, False)
    assert (moved["proposals_added"], by_another["proposals_added"]) == (1, 1)


def _registered_body() -> dict[str, Any]:
    """NEW_ROW as the registry's single route takes it."""
    return {
        "registration_number": "6001000001",
        "name": "Hợp tác xã Nông nghiệp Tân Hưng",
        "kind": "cooperative",
        "registered_on": "2015-03-12",
        "address": {"street": "Ấp 3", "province_code": "96", "commune_code": "31825"},
        "sector": {"group": "agriculture", "vsic": ["01", "03"]},
        "members_count": 1250,
    }


def _in_ha_noi(**changes: Any) -> dict[str, Any]:
    return row(**{"address.province_code": "01", "address.commune_code": "00004", **changes})


@pytest.mark.parametrize("read_part", [1, 2])
async def test_a_file_read_in_parts_is_checked_and_imported_as_one_read_whole(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    read_part: int,
    collection_url: str,
    registry_transport: httpx.ASGITransport,
) -> None:
    """The registry checks a file's first rows while the rest is read, aimed at the records of
    every province the file names; a province named only by a refused row (the last one
    here) must still aim no row at its records, as when the file is read whole."""
    await registry.post(
        "/v1/organizations/batch",
        json={"changes": [{"op": "register", "body": _registered_body()}]},
        headers=bearer(issued.admin),
    )
    rows = [
        _in_ha_noi(),  # the number of the record in Cà Mau, a province no kept row names
        _in_ha_noi(registration_number="6001000002"),
        _in_ha_noi(registration_number="6001000002", name="HTX khác"),  # said twice
        _in_ha_noi(registration_number="6001000004"),  # a name like the rows' before
        _in_ha_noi(registration_number="6001000005", members_count="nhiều"),
        row(registration_number="6001000006", members_count="nhiều"),  # Cà Mau, refused
    ]
    content = as_csv(rows)
    whole = (await upload(client, issued.admin, content, "w.csv", dry_run=True)).json()
    monkeypatch.setattr(handlers, "READ_PART", read_part)

    in_parts = (await upload(client, issued.admin, content, "w.csv", dry_run=True)).json()
    async with limited_client(collection_url, registry_transport) as other_process:
        imported = (await upload(other_process, issued.admin, content, "w.csv")).json()  # read
    without_cà_mau = (
        await upload(client, issued.admin, as_csv(rows[:-1]), "x.csv", dry_run=True)
    ).json()

    assert in_parts == whole
    assert located(whole) == {
        (2, None, "duplicate_registration_number"),
        (4, "A", "duplicate_row"),
        (6, "J", "type_error"),
        (7, "J", "type_error"),
    }
    # Row 3's name is like row 2's, which the registry refused: a warning only on row 5.
    assert [(w["row"], w["code"]) for w in whole["warnings"]] == [(5, "probable_duplicate_in_file")]
    assert imported["problems"] == whole["problems"]
    assert imported["proposals_added"] == 2
    assert without_cà_mau["problems"] == whole["problems"][:-1]
    assert without_cà_mau["warnings"] == whole["warnings"]
