"""Vietnamese labels of coded values, for the people who read reports and workbooks."""

from __future__ import annotations

KIND = {
    "cooperative": "Hợp tác xã",
    "cooperative_union": "Liên hiệp hợp tác xã",
    "cooperative_group": "Tổ hợp tác",
    "peoples_credit_fund": "Quỹ tín dụng nhân dân",
}
STATUS = {
    "operating": "Đang hoạt động",
    "suspended": "Tạm ngừng hoạt động",
    "dissolving": "Đang giải thể",
    "dissolved": "Đã giải thể",
    "bankrupt": "Phá sản",
    "certificate_revoked": "Bị thu hồi giấy chứng nhận đăng ký",
}
SECTOR_GROUP = {
    "agriculture": "Nông, lâm, ngư nghiệp, diêm nghiệp",
    "industry_handicraft": "Công nghiệp, tiểu thủ công nghiệp",
    "construction": "Xây dựng",
    "trade_services": "Thương mại, dịch vụ",
    "transport": "Vận tải",
    "credit": "Tín dụng",
    "environment": "Môi trường",
    "housing": "Nhà ở",
    "other": "Lĩnh vực khác",
}
SECTOR_CLASS = {"agriculture": "Nông nghiệp", "non_agriculture": "Phi nông nghiệp"}
STATUS_CLASS = {"operating": "Đang hoạt động", "stopped": "Ngừng hoạt động"}
DIGITAL = {
    "computer": "Có máy vi tính",
    "internet": "Có kết nối Internet",
    "website": "Có trang thông tin điện tử",
    "social_media": "Dùng mạng xã hội",
    "ecommerce": "Bán hàng qua thương mại điện tử",
    "digital_signature": "Dùng chữ ký số",
    "accounting_software": "Dùng phần mềm quản lý, kế toán",
    "e_invoice": "Dùng hóa đơn điện tử",
    "iot": "Ứng dụng IoT trong sản xuất",
    "traceability": "Truy xuất nguồn gốc sản phẩm",
}
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
