"""The demonstration province: deterministic, realistic, and valid for the registry."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import pytest

from hoptac.registry.adapters.admin_units import OfficialAdministrativeUnits, official_units
from hoptac.registry.demo import DemoOrganization, generate_province
from hoptac.registry.demo.generator import CA_MAU_2022
from hoptac.registry.domain.areas import check_address
from hoptac.registry.domain.vsic import VsicCatalog
from hoptac.registry.entrypoints.http.schemas import OrganizationCreate, StatusChange

pytestmark = pytest.mark.unit

REFORM_DAY = date(2025, 7, 1)
# The transitions the generator may use, all allowed by Cooperative Law 17/2023/QH15.
LEGAL = {
    ("operating", "suspended"),
    ("operating", "dissolved"),
    ("suspended", "operating"),
    ("operating", "dissolving"),
    ("dissolving", "dissolved"),
    ("operating", "bankrupt"),
    ("operating", "certificate_revoked"),
    ("certificate_revoked", "operating"),
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def units() -> OfficialAdministrativeUnits:
    return official_units()


@pytest.fixture(scope="module")
def province(units) -> list[DemoOrganization]:
    return generate_province(units, "96", count=300, seed=2025)


@pytest.fixture(scope="module")
def reported(units) -> list[DemoOrganization]:
    return generate_province(units, "96", count=450, seed=2025, report=CA_MAU_2022)


@pytest.fixture(scope="module", params=["province", "reported"])
def any_province(request) -> list[DemoOrganization]:
    """Both the freely drawn province and the one that reproduces a report."""
    return request.getfixturevalue(request.param)


def test_the_same_seed_gives_the_same_province(units, province):
    again = generate_province(units, "96", count=300, seed=2025)
    assert [o.body for o in again] == [o.body for o in province]
    assert [o.status_changes for o in again] == [o.status_changes for o in province]


def test_another_seed_gives_another_province(units, province):
    other = generate_province(units, "96", count=300, seed=7)
    assert [o.body["name"] for o in other] != [o.body["name"] for o in province]


def test_every_kind_is_present_in_realistic_shares(province):
    kinds = Counter(o.body["kind"] for o in province)
    assert kinds == {
        "cooperative": 240,
        "cooperative_group": 30,
        "peoples_credit_fund": 18,
        "cooperative_union": 12,
    }


def test_a_small_province_still_has_every_kind(units):
    kinds = {o.body["kind"] for o in generate_province(units, "96", count=8, seed=1)}
    assert len(kinds) == 4


def test_names_and_registration_numbers_are_unique(any_province):
    assert len({o.body["name"] for o in any_province}) == len(any_province)
    assert len({o.registration_number for o in any_province}) == len(any_province)
    assert all(o.registration_number.isdigit() for o in any_province)


def test_every_address_passes_the_area_checks(units, any_province):
    for organization in any_province:
        address = organization.body["address"]
        problems = check_address(
            units, address["province_code"], address["commune_code"], address["legacy"]
        )
        assert problems == [], (organization.body["name"], problems)


def test_records_from_before_the_reform_carry_legacy_codes_and_later_ones_do_not(units, province):
    for organization in province:
        address = organization.body["address"]
        before_reform = date.fromisoformat(organization.body["registered_on"]) < REFORM_DAY
        assert (address["legacy"] is not None) == before_reform
        if address["commune_code"] is None:
            split = units.current_communes_for_legacy(address["legacy"]["commune_code"])
            assert len(split) > 1
    assert any(o.body["address"]["commune_code"] is None for o in province)
    assert any(o.body["address"]["legacy"] is None for o in province)


def test_business_lines_are_vsic_codes_consistent_with_the_sector_group(province):
    vsic = VsicCatalog.official()
    for organization in province:
        sector = organization.body["sector"]
        assert sector["vsic"], organization.body["name"]
        assert all(vsic.check_code(code) is None for code in sector["vsic"])
        if sector["group"] != "other":
            assert vsic.default_sector_group(sector["vsic"][0]) == sector["group"]
    groups = Counter(o.body["sector"]["group"] for o in province)
    assert groups.most_common(1)[0][0] == "agriculture"
    assert groups["agriculture"] > len(province) / 2


def test_peoples_credit_funds_are_credit_and_nothing_else_is(province):
    for organization in province:
        is_fund = organization.body["kind"] == "peoples_credit_fund"
        assert (organization.body["sector"] == {"group": "credit", "vsic": ["6419"]}) == is_fund


def test_status_changes_follow_the_law_in_order(any_province):
    for organization in any_province:
        status = "operating"
        since = date.fromisoformat(organization.body["registered_on"])
        for change in organization.status_changes:
            assert (status, change["status"]) in LEGAL
            day = date.fromisoformat(change["effective_date"])
            assert day > since
            if change["status"] == "suspended":
                assert date.fromisoformat(change["suspended_until"]) > day
            assert len(change["reason"]) >= 3
            status, since = change["status"], day


def test_about_three_quarters_end_operating(province):
    ending = Counter(
        o.status_changes[-1]["status"] if o.status_changes else "operating" for o in province
    )
    assert 0.65 < ending["operating"] / len(province) < 0.85
    assert {"suspended", "dissolved", "certificate_revoked"} <= set(ending)


def test_no_date_is_in_the_future(any_province):
    _assert_nothing_after(any_province, date.today())


def test_no_date_comes_after_the_today_it_is_given(units):
    today = date(2025, 3, 1)
    province = generate_province(units, "96", count=100, seed=5, today=today)
    _assert_nothing_after(province, today)
    assert all(o.body["address"]["legacy"] is not None for o in province)


def test_bodies_and_status_changes_fit_the_http_contract(any_province):
    for organization in any_province:
        OrganizationCreate.model_validate(organization.body)
        for change in organization.status_changes:
            StatusChange.model_validate(change)


def test_the_effective_date_of_a_registration_is_its_registration_day(province):
    assert all(o.body["effective_date"] == o.body["registered_on"] for o in province)


def _assert_nothing_after(province: list[DemoOrganization], today: date) -> None:
    for organization in province:
        for value in [*_strings(organization.body), *_strings(organization.status_changes)]:
            if ISO_DATE.match(value):
                assert date.fromisoformat(value) <= today or _is_suspension_end(organization, value)
        for year in organization.body["financials"]:
            assert year["year"] < today.year


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _is_suspension_end(organization: DemoOrganization, value: str) -> bool:
    """A suspension's planned end may lie ahead: it is a plan, not an event."""
    return any(c.get("suspended_until") == value for c in organization.status_changes)


def test_the_demo_reproduces_the_ca_mau_report_of_30_july_2022(reported):
    """277 cooperatives: 222 operating, 55 stopped; agriculture 195 (27 stopped), the rest 82
    (28 stopped); 4,497 members; 4,796 workers; 16 agricultural cooperatives in OCOP, with 31
    products."""
    day = CA_MAU_2022.day
    counted = Counter()
    members = workers = ocop_cooperatives = ocop_products = 0
    for organization in reported:
        body = organization.body
        if body["kind"] != "cooperative" or date.fromisoformat(body["registered_on"]) > day:
            continue
        assert body["address"]["legacy"]["province_code"] == "96"
        status = "operating"
        for change in organization.status_changes:
            if date.fromisoformat(change["effective_date"]) <= day:
                status = change["status"]
        agriculture = body["sector"]["group"] == "agriculture"
        counted[agriculture, status == "operating"] += 1
        members += body["members_count"]
        workers += body["workers_count"]
        products = [
            p for p in body["ocop_products"] if date.fromisoformat(p["certified_on"]) <= day
        ]
        ocop_cooperatives += bool(products) and agriculture
        ocop_products += len(products)
    assert counted == {(True, True): 168, (True, False): 27, (False, True): 54, (False, False): 28}
    assert (members, workers) == (4497, 4796)
    assert (ocop_cooperatives, ocop_products) == (16, 31)
