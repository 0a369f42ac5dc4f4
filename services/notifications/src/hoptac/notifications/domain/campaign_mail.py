"""The reminder staff read during an annual update campaign (Circular 09/2024: every
cooperative updates its information once a year, by 15 December): where each commune of their
area stands, and how many records are still to update. Vietnamese, plain text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from hoptac.notifications.domain.staff_mail import MAX_LINES, Email, StaffArea


@dataclass(frozen=True)
class CommuneStanding:
    commune_code: str | None
    in_scope: int
    updated: int


@dataclass(frozen=True)
class CampaignReminder:
    campaign_id: UUID
    year: int
    province_code: str
    deadline: date
    communes: Sequence[CommuneStanding]


def campaign_reminder_email(
    to: str,
    recipient: str,
    area: StaffArea,
    reminder: CampaignReminder,
    today: date,
    portal: str,
) -> Email | None:
    """None when the recipient's area has no record still to update."""
    mine = [
        row
        for row in reminder.communes
        if area.covers(reminder.province_code, row.commune_code) and row.updated < row.in_scope
    ]
    if not mine:
        return None
    left = sum(row.in_scope - row.updated for row in mine)
    days = (reminder.deadline - today).days
    when = f"còn {days} ngày" if days >= 0 else "đã quá hạn"
    lines = [
        f"Kính gửi {recipient},",
        "",
        f"Đợt cập nhật thông tin hằng năm {reminder.year} (Thông tư 09/2024) của tỉnh/thành "
        f"{reminder.province_code} kết thúc ngày {reminder.deadline:%d/%m/%Y} ({when}). "
        f"Trong phạm vi {area.describe()}, {left} tổ chức chưa cập nhật:",
        "",
    ]
    for row in sorted(mine, key=lambda r: r.updated / r.in_scope)[:MAX_LINES]:
        rate = 100 * row.updated / row.in_scope
        commune = row.commune_code or "chưa có mã xã/phường"
        lines.append(
            f"- Xã/phường {commune}: đã cập nhật {row.updated}/{row.in_scope} "
            f"({rate:.1f} %)".replace(".", ",")
        )
    if len(mine) > MAX_LINES:
        lines.append(f"... và {len(mine) - MAX_LINES} xã/phường khác.")
    lines += [
        "",
        "Các hồ sơ này đã bị đánh dấu quá hạn cập nhật, cho đến khi được cập nhật."
        if days < 0
        else "Hồ sơ không cập nhật trước hạn sẽ bị đánh dấu quá hạn cập nhật.",
        f"Xem chi tiết: {portal}/quan-ly/dot-cap-nhat/{reminder.campaign_id}",
        "",
        "Thư này được gửi tự động bởi hệ thống dữ liệu kinh tế tập thể (hoptac).",
    ]
    subject = (
        f"[hoptac] Cập nhật thông tin năm {reminder.year}: {left} tổ chức chưa cập nhật, "
        f"hạn {reminder.deadline:%d/%m/%Y}"
    )
    return Email(to, subject, "\n".join(lines))
