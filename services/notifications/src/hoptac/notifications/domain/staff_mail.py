"""The e-mails staff read: a daily digest of changes in their area and a reminder about records
nobody has verified for a year. Written in Vietnamese, plain text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from hoptac.contracts import labels
from hoptac.contracts.codes import FINAL_STATUSES

EVENT_LABELS = {
    "organization.registered": "Đăng ký mới",
    "organization.updated": "Cập nhật thông tin",
    "organization.status_changed": "Thay đổi tình trạng pháp lý",
    "organization.merged": "Sáp nhập",
    "organization.removed": "Xóa bản ghi nhập nhầm",
}
# The contract's labels, lower case: they stand inside a sentence.
STATUS_LABELS = {code: label.lower() for code, label in labels.STATUS.items()}
MAX_LINES = 500  # an e-mail stays readable; the rest is in the portal


@dataclass(frozen=True)
class StaffArea:
    """Empty provinces and communes: the whole register (a reviewer of the province alliance)."""

    provinces: frozenset[str] = frozenset()
    communes: frozenset[str] = frozenset()

    def covers(self, province_code: str | None, commune_code: str | None) -> bool:
        if not self.provinces and not self.communes:
            return True
        if province_code is not None and province_code in self.provinces:
            return True
        return commune_code is not None and commune_code in self.communes

    def describe(self) -> str:
        if not self.provinces and not self.communes:
            return "toàn bộ sổ đăng ký"
        parts = []
        if self.provinces:
            parts.append("tỉnh/thành " + ", ".join(sorted(self.provinces)))
        if self.communes:
            parts.append("xã/phường " + ", ".join(sorted(self.communes)))
        return "; ".join(parts)


@dataclass(frozen=True)
class Change:
    sequence: int
    event_type: str
    recorded_at: datetime
    organization_id: str
    name: str
    registration_number: str
    province_code: str
    commune_code: str | None
    status: str
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class Unverified:
    organization_id: str
    name: str
    registration_number: str
    province_code: str
    commune_code: str | None
    status: str
    last_verified_on: date | None


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


def is_unverified(last_verified_on: date | None, status: str, today: date, months: int) -> bool:
    if status in FINAL_STATUSES:
        return False
    return last_verified_on is None or last_verified_on < months_before(today, months)


def digest_email(
    to: str, recipient: str, area: StaffArea, day: date, changes: Sequence[Change], portal: str
) -> Email | None:
    """None when nothing in the area changed: nobody wants an empty digest."""
    mine = [c for c in changes if area.covers(c.province_code, c.commune_code)]
    if not mine:
        return None
    lines = [
        f"Kính gửi {recipient},",
        "",
        f"Bản tin thay đổi ngày {day:%d/%m/%Y} trong phạm vi {area.describe()}: "
        f"{len(mine)} thay đổi.",
        "",
    ]
    for change in mine[:MAX_LINES]:
        label = EVENT_LABELS.get(change.event_type, change.event_type)
        lines.append(f"- {change.name} (số ĐK {change.registration_number}): {label}")
        status = STATUS_LABELS.get(change.status, change.status)
        where = change.commune_code or change.province_code
        lines.append(f"  Tình trạng: {status}; địa bàn: {where}; lúc {change.recorded_at:%H:%M}")
        if change.changed_fields:
            lines.append("  Trường thay đổi: " + ", ".join(change.changed_fields))
        lines.append(f"  {portal}/organizations/{change.organization_id}")
    if len(mine) > MAX_LINES:
        lines.append(f"... và {len(mine) - MAX_LINES} thay đổi khác, xem trên cổng thông tin.")
    lines += ["", "Thư này được gửi tự động bởi hệ thống dữ liệu kinh tế tập thể (hoptac)."]
    subject = f"[hoptac] Bản tin thay đổi ngày {day:%d/%m/%Y}: {len(mine)} thay đổi"
    return Email(to, subject, "\n".join(lines))


def reminder_email(
    to: str,
    recipient: str,
    area: StaffArea,
    today: date,
    records: Iterable[Unverified],
    months: int,
    portal: str,
) -> Email | None:
    mine = sorted(
        (r for r in records if area.covers(r.province_code, r.commune_code)),
        key=lambda r: (r.last_verified_on or date.min, r.name),
    )
    if not mine:
        return None
    lines = [
        f"Kính gửi {recipient},",
        "",
        f"{len(mine)} tổ chức trong phạm vi {area.describe()} chưa được xác minh thực tế "
        f"trong {months} tháng qua (tính đến ngày {today:%d/%m/%Y}). "
        "Đề nghị kiểm tra, xác minh và cập nhật tình trạng hoạt động thực tế.",
        "",
    ]
    for record in mine[:MAX_LINES]:
        verified = (
            f"xác minh lần cuối {record.last_verified_on:%d/%m/%Y}"
            if record.last_verified_on
            else "chưa từng xác minh"
        )
        status = STATUS_LABELS.get(record.status, record.status)
        lines.append(f"- {record.name} (số ĐK {record.registration_number}): {verified}; {status}")
        lines.append(f"  {portal}/organizations/{record.organization_id}")
    if len(mine) > MAX_LINES:
        lines.append(f"... và {len(mine) - MAX_LINES} tổ chức khác.")
    lines += ["", "Thư này được gửi tự động bởi hệ thống dữ liệu kinh tế tập thể (hoptac)."]
    subject = f"[hoptac] Nhắc xác minh: {len(mine)} tổ chức chưa xác minh trong {months} tháng"
    return Email(to, subject, "\n".join(lines))
