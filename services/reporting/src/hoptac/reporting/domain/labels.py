"""Vietnamese labels for reports: the contract's coded values (`hoptac.contracts.labels`) and
reporting's own keys and classes."""

from __future__ import annotations

from hoptac.contracts.labels import DIGITAL, KIND, SECTOR_GROUP, STATUS

__all__ = ["AREA_LEVEL", "BY_KEY", "DIGITAL", "KEY", "KIND", "SECTOR_GROUP", "STATUS", "label"]

SECTOR_CLASS = {"agriculture": "Nông nghiệp", "non_agriculture": "Phi nông nghiệp"}
STATUS_CLASS = {"operating": "Đang hoạt động", "stopped": "Ngừng hoạt động"}
AREA_LEVEL = {
    "province": "tỉnh, thành phố",
    "commune": "xã, phường, đặc khu",
    "legacy_province": "tỉnh cũ (trước 01/7/2025)",
    "legacy_district": "huyện cũ (trước 01/7/2025)",
    "legacy_commune": "xã cũ (trước 01/7/2025)",
    "unknown": "chưa xác định",
}
KEY = {
    "kind": "Loại hình",
    "status": "Tình trạng pháp lý",
    "status_class": "Hoạt động",
    "sector_group": "Lĩnh vực",
    "sector_class": "Nhóm ngành",
    "province": "Mã tỉnh",
    "commune": "Mã xã",
    "legacy_province": "Mã tỉnh cũ",
    "legacy_district": "Mã huyện cũ",
    "legacy_commune": "Mã xã cũ",
    "organizations": "Số tổ chức",
    "members": "Số thành viên (người)",
    "workers": "Số lao động thường xuyên (người)",
    "charter_capital": "Vốn điều lệ (đồng)",
    "counted_at": "Cấp địa bàn được tính",
}

BY_KEY = {
    "kind": KIND,
    "status": STATUS,
    "sector_group": SECTOR_GROUP,
    "sector_class": SECTOR_CLASS,
    "status_class": STATUS_CLASS,
}


def label(key: str, value: object) -> str | None:
    """The Vietnamese label of a coded value, or None for codes without one (area codes)."""
    names = BY_KEY.get(key)
    if names is None or value is None:
        return None
    return names.get(str(value), str(value))
