"""Data quality following the register through its events, the month's XLSX report, and the
annual update campaigns: completion per commune, reminders e-mailed by the notifications
service, records lapsed after the deadline. A real registry and a real notifications service
(each on its own PostgreSQL database, in process over ASGI); the registry's own events, read
from its change log, are what collection keeps."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
import nats
import openpyxl
import pytest
from fastapi import FastAPI
from nats.js.api import StreamConfig
from sqlalchemy import text

from hoptac.collection.adapters.notifications import NotificationsClient
from hoptac.collection.adapters.registry import RegistryClient
from hoptac.collection.bootstrap import build_collection
from hoptac.collection.entrypoints.events import Background
from hoptac.collection.entrypoints.http.app import create_app
from hoptac.collection.scores import Scores, decode
from hoptac.collection.settings import CollectionSettings
from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.notifications.adapters import staff
from hoptac.notifications.adapters.migrations import migrate_async as migrate_notifications
from hoptac.notifications.bootstrap import build_notifications
from hoptac.notifications.domain.staff_mail import Email
from hoptac.notifications.entrypoints.http.app import create_app as create_notifications_app
from hoptac.notifications.settings import NotificationsSettings
from hoptac.platform.changelog import read_changes
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.identity import RegistryIdentity
from hoptac.platform.testing.waiting import wait_until
from hoptac.registry.adapters.outbox import assign_sequences
from hoptac.registry.entrypoints.http.app import create_app as create_registry_app
from hoptac.registry.settings import RegistrySettings

from .conftest import Tokens, bearer
from .test_cli import serving

pytestmark = pytest.mark.integration

COMMUNE = "31825"  # Phường Bạc Liêu, Cà Mau
OTHER_COMMUNE = "31834"  # Phường Vĩnh Trạch, Cà Mau


class Clock:
    """Collection's clock, moved by the test (the registry keeps the real one)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, day: str) -> None:
        self.moment = datetime.fromisoformat(f"{day}T05:00:00+00:00")  # noon in Viet Nam


@dataclass
class Recorded:
    sent: list[Email] = field(default_factory=list)

    async def send(self, email: Email) -> None:
        self.sent.append(email)


@dataclass
class Stack:
    http: httpx.AsyncClient
    app: FastAPI
    clock: Clock
    mail: Recorded
    notifications_engine: Any
    registry_engine: Any

    async def sequenced(self) -> None:
        """Number the registry's new events, as its relay does before anyone reads them."""
        async with self.registry_engine.begin() as conn:
            await assign_sequences(conn, 10_000)

    @property
    def scores(self) -> Scores:
        scores: Scores = self.app.state.scores
        return scores


@pytest.fixture
async def stack(
    collection_url: str, registry_transport: httpx.ASGITransport, pg_server: EmbeddedPostgres
) -> AsyncIterator[Stack]:
    name = f"notifications_{uuid.uuid4().hex[:12]}"
    notifications_url = pg_server.create_database(name)
    await migrate_notifications(notifications_url)
    notifications_settings = NotificationsSettings(
        database_url=notifications_url, registry_url="http://registry"
    )
    notifications = build_notifications(
        notifications_settings,
        RegistryIdentity("http://registry", cache_seconds=0, transport=registry_transport),
    )
    notifications_app = create_notifications_app(notifications_settings, notifications)
    mail = Recorded()
    notifications_app.state.mailer = mail

    clock = Clock(datetime(2026, 12, 10, 5, tzinfo=UTC))
    settings = CollectionSettings(
        database_url=collection_url, registry_url="http://registry", consume=False
    )
    service = build_collection(
        settings,
        identity=RegistryIdentity("http://registry", cache_seconds=0, transport=registry_transport),
        registry=RegistryClient("http://registry", 500, transport=registry_transport),
        clock=clock,
    )
    notifier = NotificationsClient(
        "http://notifications", transport=httpx.ASGITransport(app=notifications_app)
    )
    app = create_app(settings, service, notifier)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://collection"
    ) as http:
        registry_engine = registry_transport.app.state.registry.engine  # type: ignore[attr-defined]
        yield Stack(http, app, clock, mail, notifications.engine, registry_engine)
    await notifier.close()
    await service.registry.close()
    await service.identity.close()
    await service.engine.dispose()
    await notifications.identity.close()
    await notifications.engine.dispose()
    pg_server.drop_database(name)


async def register(
    registry: httpx.AsyncClient, token: str, number: str, name: str, commune: str = COMMUNE
) -> str:
    body = {
        "registration_number": number,
        "name": name,
        "kind": "cooperative",
        "registered_on": "2015-03-12",
        "address": {"province_code": "96", "commune_code": commune},
        "sector": {"group": "agriculture"},
    }
    answer = await registry.post("/v1/organizations", json=body, headers=bearer(token))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def change(
    registry: httpx.AsyncClient, token: str, org_id: str, version: int, body: dict[str, Any]
) -> None:
    answer = await registry.patch(
        f"/v1/organizations/{org_id}",
        json=body,
        headers={**bearer(token), "If-Match": f'"{version}"'},
    )
    assert answer.status_code == 200, answer.text


async def catch_up(stack: Stack, registry: httpx.AsyncClient, token: str) -> int:
    """What the service does at start: the registry's change log beyond what it keeps."""
    await stack.sequenced()
    after = (await stack.scores.read_tracking()).contiguous_through
    return await stack.scores.catch_up(
        read_changes("http://registry", token, after=after, client=registry)
    )


async def changes_recorded_on(
    stack: Stack,
    registry: httpx.AsyncClient,
    token: str,
    recorded: dict[str, str],
    after: int = 0,
) -> list[Any]:
    """The registry's events of the change log, each organisation's said to be recorded on the
    day given (a change made in another year, which the registry cannot be asked for today)."""
    await stack.sequenced()
    events = []
    async for page in read_changes("http://registry", token, after=after, client=registry):
        for envelope in page:
            day = recorded.get(envelope["organization_id"])
            if day is not None:
                envelope["recorded_at"] = f"{day}T03:00:00+00:00"
            events.append(decode(envelope))
    return events


async def get(stack: Stack, path: str, token: str, **params: Any) -> Any:
    answer = await stack.http.get(path, params=params, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer


async def post(stack: Stack, path: str, token: str, body: Any = None) -> httpx.Response:
    return await stack.http.post(path, json=body, headers=bearer(token))


def only(items: Sequence[dict[str, Any]], org_id: str) -> dict[str, Any]:
    (found,) = [item for item in items if item["id"] == org_id]
    return found


# Data quality


async def test_an_event_of_the_registry_changes_the_score_of_its_record(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    org_id = await register(registry, issued.admin, "9601000001", "HTX Nông nghiệp Tân Hưng")
    assert await catch_up(stack, registry, issued.admin) == 1
    before = (await get(stack, f"/v1/quality/records/{org_id}", issued.officer_96)).json()

    await change(
        registry,
        issued.admin,
        org_id,
        1,
        {
            "members_count": 27,
            "workers_count": 9,
            "charter_capital": 1_500_000_000,
            "operating_in_practice": "yes",
            "last_verified_on": "2026-11-20",
            "address": {"province_code": "96", "commune_code": COMMUNE, "street": "Ấp 3"},
            "sector": {"group": "agriculture", "vsic": ["01"]},
            "legal_representative": {"name": "Nguyễn Văn An", "title": "Giám đốc"},
        },
    )
    assert await catch_up(stack, registry, issued.admin) == 1
    after = (await get(stack, f"/v1/quality/records/{org_id}", issued.officer_96)).json()

    assert after["score"] > before["score"]
    assert after["completeness"] > before["completeness"]
    assert after["evidence"] == 100.0
    assert after["lapsed"] is False


async def test_the_service_follows_the_registrys_stream(
    stack: Stack,
    registry: httpx.AsyncClient,
    issued: Tokens,
    nats_url: str,
    collection_url: str,
    tmp_path: Any,
) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"]))

    async def relay(after: int) -> int:
        """Publish the registry's events beyond `after` as its relay does."""
        await stack.sequenced()
        async for page in read_changes(
            "http://registry", issued.admin, after=after, client=registry
        ):
            for envelope in page:
                name = envelope["event_type"].split(".", 1)[1]
                await js.publish(
                    f"{SUBJECT_PREFIX}.{name}.96",
                    json.dumps(envelope).encode(),
                    headers={"Nats-Msg-Id": envelope["event_id"]},
                )
                after = envelope["sequence"]
        return after

    async def score() -> float | None:
        answer = await stack.http.get(f"/v1/quality/records/{org_id}", headers=bearer(issued.admin))
        return answer.json()["score"] if answer.status_code == 200 else None

    settings = CollectionSettings(
        database_url=collection_url,
        nats_url=nats_url,
        var_dir=tmp_path,
        registry_url="http://registry",
    )
    background = Background(settings, stack.scores, stack.app.state.campaigns, None)
    await background.start()
    try:
        org_id = await register(registry, issued.admin, "9601000010", "HTX Nông nghiệp Long Điền")
        sent = await relay(0)
        first = await wait_until(score, message="the registered record scored")
        await change(
            registry,
            issued.admin,
            org_id,
            1,
            {"members_count": 40, "operating_in_practice": "yes", "last_verified_on": "2026-11-20"},
        )
        await relay(sent)
        await wait_until(
            lambda: _changed(score, first), message="the record scored again after its update"
        )
    finally:
        await background.stop()
        await nc.close()


async def test_at_start_the_service_catches_up_from_the_registrys_change_log(
    stack: Stack,
    registry: httpx.AsyncClient,
    issued: Tokens,
    fresh_database: str,
    nats_url: str,
    collection_url: str,
    tmp_path: Any,
) -> None:
    org_id = await register(registry, issued.admin, "9601000011", "HTX Dịch vụ Tân Lộc")
    await stack.sequenced()
    (tmp_path / "service-token").write_text(issued.agency)  # as `hoptac run` writes it

    async def kept() -> bool:
        answer = await stack.http.get(f"/v1/quality/records/{org_id}", headers=bearer(issued.admin))
        return answer.status_code == 200

    with serving(create_registry_app(RegistrySettings(database_url=fresh_database))) as url:
        settings = CollectionSettings(
            database_url=collection_url, nats_url=nats_url, var_dir=tmp_path, registry_url=url
        )
        background = Background(settings, stack.scores, stack.app.state.campaigns, None)
        await background.start()
        try:
            await wait_until(kept, message="the record of the change log kept")
        finally:
            await background.stop()
    assert (await stack.scores.read_tracking()).contiguous_through == 1


async def _changed(score: Any, before: float) -> bool:
    now = await score()
    return now is not None and now != before


async def test_events_applied_twice_or_late_change_nothing(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    org_id = await register(registry, issued.admin, "9601000002", "HTX Dịch vụ Phước Long")
    await change(registry, issued.admin, org_id, 1, {"members_count": 12})
    events = await changes_recorded_on(stack, registry, issued.admin, {})
    assert await stack.scores.apply(events) == 2
    kept = (await get(stack, f"/v1/quality/records/{org_id}", issued.admin)).json()

    assert await stack.scores.apply(events) == 0
    assert await stack.scores.apply(events[:1]) == 0  # the older version, delivered late

    again = (await get(stack, f"/v1/quality/records/{org_id}", issued.admin)).json()
    assert again == kept


async def test_a_probable_duplicate_lowers_both_records_of_the_commune(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    first = await register(registry, issued.admin, "9601000003", "HTX Nông nghiệp Tân Hưng")
    await catch_up(stack, registry, issued.admin)
    assert (await get(stack, f"/v1/quality/records/{first}", issued.admin)).json()[
        "uniqueness"
    ] == 100.0

    second = await register(registry, issued.admin, "9601000004", "Hợp tác xã NN Tân Hưng")
    await catch_up(stack, registry, issued.admin)

    for org_id in (first, second):
        found = (await get(stack, f"/v1/quality/records/{org_id}", issued.admin)).json()
        assert found["uniqueness"] == 0.0


async def test_a_neighbour_whose_scores_did_not_move_is_not_written_again(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    first = await register(registry, issued.admin, "9601000007", "HTX Nông nghiệp Vĩnh Trạch")
    await catch_up(stack, registry, issued.admin)
    before = await row_version(stack, first)

    second = await register(registry, issued.admin, "9601000008", "HTX Thủy sản Gành Hào Đông")
    events = await changes_recorded_on(stack, registry, issued.admin, {})
    assert await stack.scores.apply(events) == 1  # the second's; its commune scored again

    assert await row_version(stack, first) == before
    assert (await get(stack, f"/v1/quality/records/{second}", issued.admin)).json()["score"] > 0


async def test_events_make_and_end_a_probable_duplicate_of_a_neighbour(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    first = await register(registry, issued.admin, "9601000011", "HTX Nông nghiệp Tân Hưng")
    await catch_up(stack, registry, issued.admin)

    async def uniqueness(org_id: str) -> float:
        found = await get(stack, f"/v1/quality/records/{org_id}", issued.admin)
        return float(found.json()["uniqueness"])

    async def apply_new_events() -> None:
        after = (await stack.scores.read_tracking()).contiguous_through
        await stack.scores.apply(
            await changes_recorded_on(stack, registry, issued.admin, {}, after)
        )

    second = await register(registry, issued.admin, "9601000012", "Hợp tác xã NN Tân Hưng")
    await apply_new_events()
    assert (await uniqueness(first), await uniqueness(second)) == (0.0, 0.0)

    await change(registry, issued.admin, second, 1, {"name": "HTX Thủy sản Gành Hào Đông"})
    await apply_new_events()
    assert (await uniqueness(first), await uniqueness(second)) == (100.0, 100.0)

    third = await register(registry, issued.admin, "9601000013", "HTX NN Tân Hưng")
    await apply_new_events()
    assert (await uniqueness(first), await uniqueness(third)) == (0.0, 0.0)

    moved = {"address": {"province_code": "96", "commune_code": OTHER_COMMUNE}}
    await change(registry, issued.admin, third, 1, moved)
    await apply_new_events()
    assert (await uniqueness(first), await uniqueness(third)) == (100.0, 100.0)


async def row_version(stack: Stack, org_id: str) -> str:
    """The PostgreSQL row version (xmin) of a record's scores: it changes with every write."""
    async with stack.scores.engine.connect() as conn:
        found = await conn.execute(
            text("SELECT xmin::text FROM quality_records WHERE organization_id = :id"),
            {"id": uuid.UUID(org_id)},
        )
        return str(found.scalar_one())


async def test_the_area_shows_each_record_and_the_means_per_commune_as_json_and_csv(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    here = await register(registry, issued.admin, "9601000005", "HTX Thủy sản Gành Hào")
    there = await register(
        registry, issued.admin, "9601000006", "HTX Muối Đông Hải", commune=OTHER_COMMUNE
    )
    await catch_up(stack, registry, issued.admin)

    found = (await get(stack, "/v1/quality", issued.officer_96, province="96")).json()
    as_csv = (await get(stack, "/v1/quality", issued.admin, province="96", format="csv")).text

    assert found["records"] == 2
    assert {item["id"] for item in found["items"]} == {here, there}
    assert [c["commune_code"] for c in found["communes"]] == [COMMUNE, OTHER_COMMUNE]
    assert found["communes"][0]["commune_name"] == "Phường Bạc Liêu"
    assert found["band"] == "red"  # few fields, never verified
    lines = as_csv.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,name,commune_code,completeness")
    assert len(lines) == 3


async def test_the_quality_of_an_area_is_shown_within_the_callers_area_only(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    org_id = await register(registry, issued.admin, "9601000007", "HTX Chăn nuôi Hòa Bình")
    await catch_up(stack, registry, issued.admin)

    elsewhere = await stack.http.get(
        "/v1/quality", params={"province": "96"}, headers=bearer(issued.officer_01)
    )
    record = await stack.http.get(
        f"/v1/quality/records/{org_id}", headers=bearer(issued.officer_01)
    )
    agency = await stack.http.get(
        "/v1/quality", params={"province": "96"}, headers=bearer(issued.agency)
    )
    nobody = await stack.http.get("/v1/quality", params={"province": "96"})

    assert elsewhere.status_code == 403
    assert record.status_code == 404
    assert agency.status_code == 403
    assert nobody.status_code == 401


async def test_the_monthly_report_opens_and_holds_the_figures_of_the_endpoint(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    await register(registry, issued.admin, "9601000008", "HTX Nông nghiệp Vĩnh Lợi")
    done = await register(registry, issued.admin, "9601000009", "HTX Dịch vụ Hòa Thành")
    await change(
        registry,
        issued.admin,
        done,
        1,
        {"members_count": 30, "operating_in_practice": "yes", "last_verified_on": "2026-11-02"},
    )
    await catch_up(stack, registry, issued.admin)
    found = (await get(stack, "/v1/quality", issued.admin, province="96")).json()

    answer = await get(stack, "/v1/quality/report.xlsx", issued.admin, province="96")
    book = openpyxl.load_workbook(io.BytesIO(answer.content))

    assert "chat-luong-96-2026-12.xlsx" in answer.headers["content-disposition"]
    summary = book["Tổng hợp"]
    assert "tháng 12/2026" in summary["A1"].value
    assert [cell.value for cell in summary[4]][:3] == ["Mã xã/phường", "Xã/phường", "Số hồ sơ"]
    commune_row, total_row = [cell.value for cell in summary[5]], [c.value for c in summary[6]]
    dimensions = ["completeness", "validity", "freshness", "consistency", "uniqueness"]
    expected = [*dimensions, "evidence", "score"]
    assert commune_row[:3] == [COMMUNE, "Phường Bạc Liêu", 2]
    assert commune_row[3:10] == [found["communes"][0][name] for name in expected]
    assert total_row[1:10] == ["Toàn bộ", found["records"], *(found[n] for n in expected)]
    records = book["Hồ sơ"]
    rows = [[cell.value for cell in row] for row in records.iter_rows(min_row=2)]
    assert [row[0] for row in rows] == [item["id"] for item in found["items"]]
    assert [row[10] for row in rows] == [item["score"] for item in found["items"]]
    bands = {"Đỏ": "F4A6A6", "Cam": "F9CB9C", "Vàng": "FFE599", "Xanh": "B6D7A8"}
    for index, row in enumerate(rows, start=2):
        assert records.cell(index, 11).fill.start_color.rgb.endswith(bands[row[11]])


# Annual update campaigns


async def campaign(stack: Stack, token: str, year: int = 2026) -> dict[str, Any]:
    answer = await post(stack, "/v1/campaigns", token, {"year": year, "province_code": "96"})
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


async def two_records(registry: httpx.AsyncClient, stack: Stack, issued: Tokens) -> list[str]:
    """One record the registry changed in the campaign's year, one it last changed the year
    before."""
    updated = await register(registry, issued.admin, "9602000001", "HTX Nông nghiệp Tân Thành")
    stale = await register(registry, issued.admin, "9602000002", "HTX Thủy sản Rạch Gốc")
    events = await changes_recorded_on(
        stack, registry, issued.admin, {updated: "2026-03-02", stale: "2025-06-01"}
    )
    await stack.scores.apply(events)
    return [updated, stale]


async def test_only_reviewers_and_admins_open_a_campaign_once_per_year_and_province(
    stack: Stack, issued: Tokens
) -> None:
    body = {"year": 2026, "province_code": "96"}
    officer = await post(stack, "/v1/campaigns", issued.officer_96, body)
    agency = await post(stack, "/v1/campaigns", issued.agency, body)
    nobody = await stack.http.post("/v1/campaigns", json={"unread": True})
    made = await campaign(stack, issued.reviewer)
    again = await post(stack, "/v1/campaigns", issued.admin, body)
    wrong = await post(stack, "/v1/campaigns", issued.admin, {**body, "deadline": "2027-01-10"})

    assert officer.status_code == agency.status_code == 403
    assert nobody.status_code == 401
    assert made["deadline"] == "2026-12-15"  # Circular 09/2024
    assert made["province_name"] == "Tỉnh Cà Mau"
    assert again.status_code == 409
    assert wrong.status_code == 400


async def test_completion_per_commune_counts_what_the_registry_recorded_in_the_year(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    await two_records(registry, stack, issued)
    made = await campaign(stack, issued.admin)

    found = (await get(stack, f"/v1/campaigns/{made['id']}", issued.officer_96)).json()
    as_csv = (await get(stack, f"/v1/campaigns/{made['id']}", issued.admin, format="csv")).text

    (commune,) = found["communes"]
    assert commune == {
        "commune_code": COMMUNE,
        "commune_name": "Phường Bạc Liêu",
        "in_scope": 2,
        "updated": 1,
        "not_updated": 1,
        "lapsed": 0,
        "rate": 50.0,
    }
    assert found["totals"]["rate"] == 50.0
    lines = as_csv.lstrip("\ufeff").splitlines()
    assert lines[0] == "commune_code,commune_name,in_scope,updated,not_updated,lapsed,rate"
    assert lines[1] == f"{COMMUNE},Phường Bạc Liêu,2,1,1,0,50.0"
    assert lines[2] == ",Toàn bộ,2,1,1,0,50.0"


async def test_a_verification_in_the_year_counts_as_the_annual_update(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    _, stale = await two_records(registry, stack, issued)
    await change(registry, issued.admin, stale, 1, {"last_verified_on": "2026-11-20"})
    after = (await stack.scores.read_tracking()).contiguous_through
    late = await changes_recorded_on(stack, registry, issued.admin, {stale: "2026-12-20"}, after)
    await stack.scores.apply(late)  # recorded after the deadline, verified before it
    made = await campaign(stack, issued.admin)

    found = (await get(stack, f"/v1/campaigns/{made['id']}", issued.admin)).json()

    assert found["totals"]["updated"] == 2


async def test_reminders_go_by_email_to_the_staff_of_the_area_through_notifications(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    await two_records(registry, stack, issued)
    made = await campaign(stack, issued.admin)
    async with stack.notifications_engine.begin() as conn:
        for email, provinces, reminders in (
            ("can-bo-ca-mau@example.org", ["96"], True),
            ("can-bo-ha-noi@example.org", ["01"], True),
            ("khong-nhan@example.org", ["96"], False),
        ):
            await staff.upsert(
                conn, email, "chị Lan", "area_officer", provinces, [], True, reminders
            )

    officer = await post(stack, f"/v1/campaigns/{made['id']}/reminders", issued.officer_96)
    sent = await post(stack, f"/v1/campaigns/{made['id']}/reminders", issued.reviewer)

    assert officer.status_code == 403
    assert sent.status_code == 200, sent.text
    assert sent.json()["sent"] == 1
    (email,) = stack.mail.sent
    assert email.to == "can-bo-ca-mau@example.org"
    assert "15/12/2026" in email.subject
    assert f"Xã/phường {COMMUNE}: đã cập nhật 1/2 (50,0 %)" in email.body
    listed = (await get(stack, "/v1/campaigns", issued.admin)).json()["items"]
    assert listed[0]["last_reminded_at"] is not None
    progress = (await get(stack, f"/v1/campaigns/{made['id']}", issued.admin)).json()
    assert listed[0]["totals"] == progress["totals"]


async def test_after_the_deadline_records_not_updated_are_lapsed_until_a_later_change(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    updated, stale = await two_records(registry, stack, issued)
    made = await campaign(stack, issued.admin)
    path = f"/v1/campaigns/{made['id']}/close"

    early = await post(stack, path, issued.admin)
    stack.clock.set("2026-12-16")
    officer = await post(stack, path, issued.officer_96)
    closed = await post(stack, path, issued.admin)
    twice = await post(stack, path, issued.admin)

    assert early.status_code == 409
    assert officer.status_code == 403
    assert closed.status_code == 200, closed.text
    assert closed.json()["lapsed_now"] == 1
    assert twice.json()["lapsed_now"] == 0
    assert closed.json()["totals"]["lapsed"] == 1
    items = (await get(stack, "/v1/quality", issued.admin, province="96")).json()["items"]
    assert only(items, stale)["lapsed"] is True
    assert only(items, updated)["lapsed"] is False
    record = await registry.get(f"/v1/organizations/{stale}", headers=bearer(issued.admin))
    assert record.json()["status"] == "operating"  # the legal status is the registry's

    await change(registry, issued.admin, stale, 1, {"members_count": 8})
    after = (await stack.scores.read_tracking()).contiguous_through
    await stack.scores.apply(
        await changes_recorded_on(stack, registry, issued.admin, {stale: "2026-12-20"}, after)
    )

    items = (await get(stack, "/v1/quality", issued.admin, province="96")).json()["items"]
    assert only(items, stale)["lapsed"] is False


async def test_the_service_closes_the_campaigns_whose_deadline_has_passed(
    stack: Stack, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    await two_records(registry, stack, issued)
    made = await campaign(stack, issued.admin)
    runs = stack.app.state.campaigns

    assert await runs.close_due() == 0
    stack.clock.moment = datetime(2026, 12, 15, 16, 59, tzinfo=UTC)  # 23:59 in Viet Nam
    assert await runs.close_due() == 0
    stack.clock.set("2026-12-16")
    assert await runs.close_due() == 1

    found = (await get(stack, f"/v1/campaigns/{made['id']}", issued.admin)).json()
    assert found["closed_by"] == "system"
    assert found["totals"]["lapsed"] == 1
    assert date.fromisoformat(found["closed_at"][:10]) == date(2026, 12, 16)
