"""The words the demo generator draws from: activities by sector, names, places and rates.

Weighted like a Mekong delta province (shrimp, rice-shrimp, fishing and salt dominate).
"""

from __future__ import annotations

from dataclasses import dataclass

COOPERATIVE = "cooperative"
COOPERATIVE_GROUP = "cooperative_group"
PEOPLES_CREDIT_FUND = "peoples_credit_fund"
COOPERATIVE_UNION = "cooperative_union"


@dataclass(frozen=True)
class Activity:
    group: str
    title: str  # "Hợp tác xã {title} Tân Hưng"
    abbreviation: str  # "HTX {abbreviation} Tân Hưng"
    english: str  # "Tan Hung {english} Cooperative"
    group_task: str  # "Tổ hợp tác {group_task} ấp 3 xã Tân Thành"
    vsic: tuple[str, ...]  # the first is the main business line
    weight: float
    products: tuple[str, ...] = ()  # OCOP product names, completed with a place


# Weighted like a Mekong delta province: shrimp, rice-shrimp, fishing and salt dominate.
# fmt: off
ACTIVITIES = (
    Activity(
        "agriculture", "Nông nghiệp", "NN", "Agricultural", "trồng lúa",
        ("0111", "0161", "0163", "4620"), 12, ("Gạo ST25", "Gạo thơm"),
    ),
    Activity(
        "agriculture", "Dịch vụ Nông nghiệp", "DVNN", "Agricultural Service", "sản xuất lúa",
        ("0161", "0111", "4620"), 6, ("Gạo sạch",),
    ),
    Activity(
        "agriculture", "Tôm lúa", "TL", "Shrimp-Rice", "nuôi tôm trên đất lúa",
        ("03221", "0111"), 7, ("Gạo hữu cơ tôm lúa", "Tôm khô"),
    ),
    Activity(
        "agriculture", "Thủy sản", "TS", "Fishery", "nuôi tôm",
        ("0322", "0321", "4620"), 9, ("Tôm khô", "Cua biển", "Khô cá kèo"),
    ),
    Activity(
        "agriculture", "Nuôi trồng thủy sản", "NTTS", "Aquaculture", "nuôi tôm quảng canh",
        ("0321", "0322", "0323"), 6, ("Tôm sú sinh thái", "Cua gạch"),
    ),
    Activity(
        "agriculture", "Khai thác thủy sản", "KTTS", "Fishing", "khai thác thủy sản",
        ("0311", "1020"), 4, ("Khô cá đù", "Chả cá thác lác"),
    ),
    Activity(
        "agriculture", "Nuôi nghêu", "Nghêu", "Clam Farming", "nuôi nghêu",
        ("0321",), 2, ("Nghêu sạch",),
    ),
    Activity(
        "agriculture", "Lâm nghiệp", "LN", "Forestry", "trồng rừng", ("0210", "0240"), 2,
    ),
    Activity(
        "agriculture", "Nuôi ong", "NO", "Beekeeping", "nuôi ong lấy mật",
        ("0149",), 1.5, ("Mật ong rừng tràm",),
    ),
    Activity(
        "agriculture", "Sản xuất muối", "SX Muối", "Salt Production", "sản xuất muối",
        ("0893",), 2, ("Muối hạt", "Muối tôm"),
    ),
    Activity(
        "agriculture", "Chăn nuôi", "CN", "Livestock", "chăn nuôi heo",
        ("0145", "0146", "0162"), 3,
    ),
    Activity(
        "agriculture", "Rau an toàn", "RAT", "Safe Vegetable", "trồng rau",
        ("0118",), 2, ("Rau sạch",),
    ),
    Activity(
        "agriculture", "Cây ăn trái", "CAT", "Fruit", "trồng cây ăn trái",
        ("0121", "0122"), 2, ("Chuối sấy", "Dừa sáp"),
    ),
    Activity(
        "industry_handicraft", "Tiểu thủ công nghiệp", "TTCN", "Handicraft", "đan đát",
        ("1629", "3290"), 3, ("Giỏ đan lục bình", "Túi xách đan bàng"),
    ),
    Activity(
        "industry_handicraft", "Chế biến thủy sản", "CBTS", "Seafood Processing",
        "chế biến khô", ("1020", "4632"), 3, ("Khô cá dứa", "Ba khía muối", "Tôm khô"),
    ),
    Activity(
        "industry_handicraft", "Cơ khí", "CK", "Mechanical", "gia công cơ khí",
        ("2592", "3312"), 1,
    ),
    Activity(
        "industry_handicraft", "Đóng ghe", "ĐG", "Boatbuilding", "đóng ghe",
        ("3011", "3315"), 1,
    ),
    Activity(
        "industry_handicraft", "Sản xuất nước đá", "SXNĐ", "Ice", "sản xuất nước đá",
        ("3530",), 1,
    ),
    Activity(
        "construction", "Xây dựng", "XD", "Construction", "xây dựng",
        ("4101", "4299", "4330"), 2,
    ),
    Activity(
        "construction", "Xây dựng Giao thông", "XDGT", "Road Construction",
        "làm đường giao thông nông thôn", ("4212", "4299"), 1,
    ),
    Activity(
        "trade_services", "Thương mại Dịch vụ", "TMDV", "Trading and Service", "buôn bán",
        ("4620", "4632", "4711"), 5,
    ),
    Activity(
        "trade_services", "Dịch vụ Tổng hợp", "DVTH", "General Service", "dịch vụ",
        ("4669", "4773", "5610"), 3,
    ),
    Activity(
        "trade_services", "Du lịch Cộng đồng", "DLCĐ", "Community Tourism",
        "làm du lịch cộng đồng", ("7990", "5510", "5610"), 2,
    ),
    Activity(
        "trade_services", "Cung ứng Vật tư Nông nghiệp", "CUVT", "Agricultural Supplies",
        "cung ứng vật tư", ("4669", "4620"), 2,
    ),
    Activity(
        "transport", "Vận tải", "VT", "Transport", "vận tải hàng hóa",
        ("4933", "4932"), 2,
    ),
    Activity(
        "transport", "Vận tải thủy", "VTT", "Waterway Transport", "chạy đò ngang",
        ("5021", "5022", "5222"), 2,
    ),
    Activity(
        "transport", "Vận tải Hành khách", "VTHK", "Passenger Transport", "chở khách",
        ("4932",), 1,
    ),
    Activity(
        "environment", "Môi trường", "MT", "Environmental", "thu gom rác",
        ("3811", "3821"), 2,
    ),
    Activity(
        "environment", "Cấp nước sinh hoạt", "CNSH", "Water Supply", "cấp nước",
        ("3600",), 2,
    ),
    Activity("housing", "Nhà ở", "Nhà ở", "Housing", "xây nhà ở", ("6810", "4101"), 1),
    Activity(
        "other", "Dịch vụ Bảo vệ", "DVBV", "Security Service", "bảo vệ", ("8010",), 1,
    ),
    Activity(
        "other", "Dịch vụ Việc làm", "DVVL", "Employment Service", "giới thiệu việc làm",
        ("7810",), 1,
    ),
    Activity(
        "other", "Dịch vụ Tang lễ", "DVTL", "Funeral Service", "phục vụ tang lễ",
        ("9632",), 1,
    ),
)
CREDIT_FUND_ACTIVITY = Activity(
    "credit", "Tín dụng", "TD", "Credit", "tín dụng", ("6419",), 1
)
UNION_GROUPS = ("agriculture", "trade_services", "transport")

LUCKY_NAMES = (
    "Thành Công", "Phát Đạt", "Hòa Thuận", "Đồng Tâm", "Thắng Lợi", "Tiến Phát", "Hưng Thịnh",
    "Phú Lợi", "Quyết Thắng", "Hiệp Lực", "Thịnh Phát", "Đoàn Kết", "Tân Tiến", "Phước Lộc",
    "Hợp Lực", "Vạn Phát", "Bình Minh", "Phú Thịnh", "Kiên Cường", "Sáng Tạo",
)
HAMLETS = (
    "Cái Keo", "Rạch Gốc", "Kênh Xáng", "Xóm Mới", "Mương Điều", "Bà Hính", "Cây Dương",
    "Tân Điền", "Thạnh Điền", "Nhà Máy", "Giáp Nước", "Bào Sen", "Cái Nháp", "Kinh Tư",
    "Vàm Đình", "Lung Lá", "Xẻo Đước", "Bến Dựa", "Cái Cám", "Đường Đào",
)
STREETS = (
    "Nguyễn Tất Thành", "Trần Hưng Đạo", "Lý Thường Kiệt", "Ngô Quyền", "Phan Ngọc Hiển",
    "Hùng Vương", "Lê Lợi", "Nguyễn Trãi", "Quang Trung", "Trần Phú", "3 Tháng 2", "30 Tháng 4",
)

SURNAMES = {
    "Nguyễn": 30, "Trần": 11, "Lê": 9, "Phạm": 6, "Huỳnh": 6, "Võ": 5, "Phan": 4, "Trương": 3,
    "Đặng": 2, "Bùi": 2, "Đỗ": 2, "Hồ": 2, "Ngô": 2, "Dương": 2, "Lý": 2, "Lâm": 2, "Tô": 1,
    "Quách": 1, "Châu": 1, "Đoàn": 1, "Mai": 1, "Thái": 1, "Cao": 1, "Danh": 1, "Thạch": 1,
}
MIDDLE_NAMES = {
    "male": {"Văn": 10, "Minh": 2, "Thanh": 2, "Hoàng": 1, "Quốc": 1, "Hữu": 1, "Công": 1,
             "Trọng": 1, "Tấn": 1, "Chí": 1},
    "female": {"Thị": 10, "Ngọc": 2, "Thanh": 1, "Kim": 1, "Mỹ": 1, "Bích": 1, "Hồng": 1},
}
GIVEN_NAMES = {
    "male": ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam",
             "Phong", "Phúc", "Quang", "Sơn", "Tâm", "Thắng", "Thành", "Tuấn", "Việt", "Vinh",
             "Tài", "Lợi", "Hậu", "Nghĩa", "Trung", "Hiếu", "Toàn", "Út", "Tư", "Bảy", "Đức",
             "Lộc", "Phước", "Thuận", "Hòa", "Kiệt", "Nhân"),
    "female": ("Bích", "Hoa", "Hồng", "Lan", "Linh", "Mai", "Ngọc", "Nhung", "Phương", "Thảo",
               "Trang", "Tuyết", "Yến", "Hạnh", "Diễm", "Loan", "Thủy", "Hằng", "Cúc", "Xuân",
               "Nga", "Huệ", "Thắm", "Út"),
}
MOBILE_PREFIXES = (
    "90", "91", "94", "83", "84", "85", "88", "97", "98", "96", "86", "32", "33", "34", "35",
    "36", "37", "38", "39", "70", "76", "77", "78", "79", "81", "82", "56", "58",
)
# fmt: on

# Each plan starts from `operating` and uses only transitions the law allows.
STATUS_PLANS: tuple[tuple[tuple[str, ...], float], ...] = (
    ((), 0.62),
    (("suspended", "operating"), 0.09),
    (("certificate_revoked", "operating"), 0.02),
    (("suspended",), 0.06),
    (("suspended", "operating", "suspended"), 0.01),
    (("dissolving",), 0.03),
    (("dissolving", "dissolved"), 0.09),
    (("bankrupt",), 0.01),
    (("certificate_revoked",), 0.04),
)
# Days from one change to the next when the second answers the first.
FOLLOW_UP_DAYS = {
    ("suspended", "operating"): (60, 365),
    ("certificate_revoked", "operating"): (90, 540),
    ("dissolving", "dissolved"): (30, 300),
}
REASONS = {
    ("operating", "suspended"): (
        "Tạm ngừng hoạt động theo nghị quyết Đại hội thành viên",
        "Tạm ngừng kinh doanh do thiếu vốn sản xuất",
        "Tạm ngừng do dịch bệnh trên tôm nuôi",
        "Tạm ngừng để củng cố, tổ chức lại bộ máy quản lý",
    ),
    ("suspended", "operating"): ("Hoạt động trở lại sau thời gian tạm ngừng",),
    ("certificate_revoked", "operating"): (
        "Được khôi phục giấy chứng nhận đăng ký sau khi khắc phục vi phạm",
    ),
    ("operating", "dissolving"): (
        "Đại hội thành viên quyết định giải thể",
        "Giải thể do không còn đủ số lượng thành viên tối thiểu",
        "Giải thể do hết thời hạn hoạt động ghi trong điều lệ",
    ),
    ("dissolving", "dissolved"): ("Hoàn tất thủ tục giải thể, đã thông báo cơ quan đăng ký",),
    ("operating", "dissolved"): (
        "Giải thể theo nghị quyết Đại hội thành viên",
        "Giải thể, đã hoàn tất thủ tục với cơ quan đăng ký",
    ),
    ("operating", "bankrupt"): ("Tòa án nhân dân tỉnh ra quyết định tuyên bố phá sản",),
    ("operating", "certificate_revoked"): (
        "Thu hồi giấy chứng nhận đăng ký do ngừng hoạt động 12 tháng liên tục không thông báo",
        "Thu hồi giấy chứng nhận đăng ký do không gửi báo cáo tình hình hoạt động 2 năm liền",
    ),
}

# fmt: off
DIGITAL_RATES = {
    COOPERATIVE: {
        "computer": 0.7, "internet": 0.65, "social_media": 0.45, "ecommerce": 0.12,
        "digital_signature": 0.4, "accounting_software": 0.3, "e_invoice": 0.45, "iot": 0.04,
        "traceability": 0.1,
    },
    COOPERATIVE_GROUP: {
        "computer": 0.15, "internet": 0.35, "social_media": 0.3, "ecommerce": 0.03,
        "digital_signature": 0.02, "accounting_software": 0.02, "e_invoice": 0.02, "iot": 0.01,
        "traceability": 0.03,
    },
    PEOPLES_CREDIT_FUND: {
        "computer": 1.0, "internet": 1.0, "social_media": 0.5, "ecommerce": 0.0,
        "digital_signature": 0.95, "accounting_software": 1.0, "e_invoice": 0.9, "iot": 0.0,
        "traceability": 0.0,
    },
    COOPERATIVE_UNION: {
        "computer": 0.95, "internet": 0.95, "social_media": 0.6, "ecommerce": 0.3,
        "digital_signature": 0.8, "accounting_software": 0.7, "e_invoice": 0.75, "iot": 0.08,
        "traceability": 0.25,
    },
}
WEBSITE_RATES = {
    COOPERATIVE: 0.08, COOPERATIVE_GROUP: 0.0, PEOPLES_CREDIT_FUND: 0.3, COOPERATIVE_UNION: 0.4,
}
FOREIGN_NAME_RATES = {
    COOPERATIVE: 0.2, COOPERATIVE_GROUP: 0.0, PEOPLES_CREDIT_FUND: 0.3, COOPERATIVE_UNION: 0.6,
}
OCOP_RATES = {
    COOPERATIVE: 0.22, COOPERATIVE_GROUP: 0.05, PEOPLES_CREDIT_FUND: 0.0, COOPERATIVE_UNION: 0.3,
}
# fmt: on
