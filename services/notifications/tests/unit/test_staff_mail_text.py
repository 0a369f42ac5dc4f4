"""The e-mail text staff read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hoptac.notifications.domain.staff_mail import (
    Change,
    StaffArea,
    Unverified,
    digest_email,
    is_unverified,
    months_before,
    reminder_email,
)

pytestmark = pytest.mark.unit


def change(province: str, commune: str | None = None, **kw: object) -> Change:
    base = dict(
        sequence=1,
        event_type="organization.registered",
        recorded_at=datetime(2026, 11, 22, 2, 30, tzinfo=UTC),
        organization_id="6f1c",
        name="Hợp tác xã Nông nghiệp Tân Hưng",
        registration_number="6001000001",
        province_code=province,
        commune_code=commune,
        status="operating",
        changed_fields=("name", "address.commune_code"),
    )
    base.update(kw)
    return Change(**base)  # type: ignore[arg-type]


def test_months_before_handles_short_months_and_years() -> None:
    assert months_before(date(2026, 11, 22), 12) == date(2025, 11, 22)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 30), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_unverified_means_over_twelve_months_or_never_and_not_final() -> None:
    today = date(2026, 11, 22)
    assert is_unverified(date(2025, 11, 21), "operating", today, 12)
    assert not is_unverified(date(2025, 11, 22), "operating", today, 12)
    assert is_unverified(None, "suspended", today, 12)
    assert not is_unverified(None, "dissolved", today, 12)


def test_an_area_officer_sees_only_their_area() -> None:
    area = StaffArea(frozenset({"96"}), frozenset({"00004"}))
    assert area.covers("96", None)
    assert area.covers("01", "00004")
    assert not area.covers("01", "00007")
    assert StaffArea().covers("01", None)


def test_the_digest_is_vietnamese_and_skipped_when_empty() -> None:
    area = StaffArea(frozenset({"96"}))
    email = digest_email(
        "lan@x.vn", "chị Lan", area, date(2026, 11, 22), [change("96")], "http://p"
    )
    assert email is not None
    assert email.subject == "[hoptac] Bản tin thay đổi ngày 22/11/2026: 1 thay đổi"
    assert "Kính gửi chị Lan" in email.body
    assert "Đăng ký mới" in email.body
    assert "Trường thay đổi: name, address.commune_code" in email.body
    assert "http://p/organizations/6f1c" in email.body
    assert digest_email("a@x.vn", "A", area, date(2026, 11, 22), [change("01")], "p") is None


def test_the_reminder_lists_the_oldest_first() -> None:
    records = [
        Unverified("1", "HTX B", "2", "96", None, "operating", date(2025, 1, 1)),
        Unverified("2", "HTX A", "1", "96", None, "suspended", None),
    ]
    email = reminder_email("a@x.vn", "anh Hùng", StaffArea(), date(2026, 11, 22), records, 12, "p")
    assert email is not None
    assert email.body.index("HTX A") < email.body.index("HTX B")
    assert "chưa từng xác minh" in email.body
    assert "xác minh lần cuối 01/01/2025" in email.body
    assert "tạm ngừng hoạt động" in email.body
