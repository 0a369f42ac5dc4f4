"""The Vietnamese label of every coded value of the contract, for the people who read reports,
workbooks and survey templates. One list, so that a template and a report never disagree."""

from __future__ import annotations

from hoptac.contracts.codes import Kind, OperatingInPractice, SectorGroup, Status

KIND: dict[str, str] = {
    Kind.COOPERATIVE: "Hợp tác xã",
    Kind.COOPERATIVE_UNION: "Liên hiệp hợp tác xã",
    Kind.COOPERATIVE_GROUP: "Tổ hợp tác",
    Kind.PEOPLES_CREDIT_FUND: "Quỹ tín dụng nhân dân",
}
STATUS: dict[str, str] = {
    Status.OPERATING: "Đang hoạt động",
    Status.SUSPENDED: "Tạm ngừng hoạt động",
    Status.DISSOLVING: "Đang giải thể",
    Status.DISSOLVED: "Đã giải thể",
    Status.BANKRUPT: "Phá sản",
    Status.CERTIFICATE_REVOKED: "Bị thu hồi giấy chứng nhận đăng ký",
}
SECTOR_GROUP: dict[str, str] = {
    SectorGroup.AGRICULTURE: "Nông, lâm, ngư nghiệp, diêm nghiệp",
    SectorGroup.INDUSTRY_HANDICRAFT: "Công nghiệp, tiểu thủ công nghiệp",
    SectorGroup.CONSTRUCTION: "Xây dựng",
    SectorGroup.TRADE_SERVICES: "Thương mại, dịch vụ",
    SectorGroup.TRANSPORT: "Vận tải",
    SectorGroup.CREDIT: "Tín dụng",
    SectorGroup.ENVIRONMENT: "Môi trường",
    SectorGroup.HOUSING: "Nhà ở",
    SectorGroup.OTHER: "Lĩnh vực khác",
}
OPERATING_IN_PRACTICE: dict[str, str] = {
    OperatingInPractice.YES: "Có hoạt động thực tế",
    OperatingInPractice.NOMINAL: "Chỉ tồn tại trên giấy",
    OperatingInPractice.NOT_AT_ADDRESS: "Không hoạt động tại địa chỉ đăng ký",
    OperatingInPractice.UNKNOWN: "Chưa xác minh",
}
# The digital-transformation questions of Directive 19/CT-TTg, by field of `digital`.
DIGITAL: dict[str, str] = {
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
