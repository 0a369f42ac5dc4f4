"""Shared test data for the registry: a valid registration body in Cà Mau (province 96)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from hoptac.registry.bootstrap import reference_data
from hoptac.registry.domain.validation import ReferenceData

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return reference_data()


@pytest.fixture(scope="session")
def today() -> date:
    return TODAY


@pytest.fixture(scope="session")
def make_body() -> Callable[..., dict[str, Any]]:
    return sample_body


def sample_body(**overrides: Any) -> dict[str, Any]:
    """A cooperative in Phường Bạc Liêu (31825), Cà Mau, registered in 2015."""
    body: dict[str, Any] = {
        "registration_number": "6001000001",
        "name": "Hợp tác xã Nông nghiệp Tân Hưng",
        "name_abbreviation": "HTX NN Tân Hưng",
        "kind": "cooperative",
        "registered_on": "2015-03-12",
        "registering_authority": "Phòng Tài chính - Kế hoạch huyện Cái Nước",
        "address": {
            "street": "Ấp 3",
            "province_code": "96",
            "commune_code": "31825",
            "text": "Ấp 3, phường Bạc Liêu, tỉnh Cà Mau",
        },
        "sector": {"group": "agriculture", "vsic": ["0111", "0321"]},
        "members_count": 25,
        "workers_count": 12,
        "charter_capital": 500_000_000,
        "legal_representative": {
            "name": "Nguyễn Văn An",
            "title": "Giám đốc",
            "id_number": "096080001234",
            "phone": "0912345678",
        },
        "digital": {"computer": True, "internet": True},
        "operating_in_practice": "yes",
        "last_verified_on": "2025-10-01",
    }
    body.update(copy.deepcopy(overrides))
    return body
