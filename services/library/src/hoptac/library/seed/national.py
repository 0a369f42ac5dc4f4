"""The national documents entered on a new library: metadata as published in the official
gazette, summaries written for this project. Where a date was not certain it is left empty for
staff to enter from the gazette rather than guessed. No files: staff attach them where their
licence allows (the texts of Vietnamese legal documents are not subject to copyright, Law on
Intellectual Property art. 15, but a publisher's PDF may be)."""

from __future__ import annotations

from typing import Any

ALL_KINDS = ["cooperative", "cooperative_union", "cooperative_group"]

DOCUMENTS: list[dict[str, Any]] = [
    {
        "number": "23/2012/QH13",
        "title": "Luật Hợp tác xã",
        "type": "law",
        "issuer": "Quốc hội",
        "signed_on": "2012-11-20",
        "in_force_from": "2013-07-01",
        "status": "replaced",
        "kinds": ["cooperative", "cooperative_union"],
        "topics": ["organisation", "support"],
        "summary": "Luật Hợp tác xã năm 2012: tổ chức và hoạt động của hợp tác xã, liên hiệp "
        "hợp tác xã. Đã được thay thế bởi Luật Hợp tác xã số 17/2023/QH15 từ 01/07/2024.",
    },
    {
        "number": "17/2023/QH15",
        "title": "Luật Hợp tác xã",
        "type": "law",
        "issuer": "Quốc hội",
        "signed_on": "2023-06-20",
        "in_force_from": "2024-07-01",
        "status": "in_force",
        "replaces": ["23/2012/QH13"],
        "kinds": ALL_KINDS,
        "topics": [
            "organisation",
            "support",
            "credit",
            "land",
            "tax",
            "training",
            "digital_transformation",
        ],
        "summary": "Luật Hợp tác xã năm 2023: thành lập, tổ chức quản trị, hoạt động, tổ chức "
        "lại, giải thể và phá sản của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã; chính sách "
        "hỗ trợ, ưu đãi của Nhà nước (đào tạo, đất đai, tín dụng, chuyển đổi số…). Cơ sở của "
        "các trạng thái pháp lý mà sổ đăng ký ghi nhận.",
    },
    {
        "number": "92/2024/NĐ-CP",
        "title": "Nghị định về đăng ký tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã",
        "type": "decree",
        "issuer": "Chính phủ",
        "signed_on": None,
        "in_force_from": None,
        "status": "in_force",
        "kinds": ALL_KINDS,
        "topics": ["organisation"],
        "summary": "Nghị định hướng dẫn Luật Hợp tác xã năm 2023 về đăng ký: hồ sơ, trình tự "
        "đăng ký thành lập, thay đổi, tạm ngừng, giải thể và thu hồi giấy chứng nhận đăng ký. "
        "Ngày ký và ngày hiệu lực: nhân viên nhập theo Công báo.",
    },
    {
        "number": "09/2024/TT-BKHĐT",
        "title": "Thông tư của Bộ Kế hoạch và Đầu tư về biểu mẫu đăng ký tổ hợp tác, hợp tác xã, "
        "liên hiệp hợp tác xã",
        "type": "circular",
        "issuer": "Bộ Kế hoạch và Đầu tư",
        "signed_on": None,
        "in_force_from": None,
        "status": "in_force",
        "kinds": ALL_KINDS,
        "topics": ["organisation"],
        "summary": "Thông tư hướng dẫn thi hành quy định về đăng ký tổ hợp tác, hợp tác xã, "
        "liên hiệp hợp tác xã. Ngày ký và ngày hiệu lực: nhân viên nhập theo Công báo.",
    },
    {
        "number": "19/CT-TTg",
        "title": "Chỉ thị về tiếp tục đẩy mạnh triển khai thi hành Luật Hợp tác xã năm 2012",
        "type": "directive",
        "issuer": "Thủ tướng Chính phủ",
        "signed_on": "2017-07-24",
        "in_force_from": None,
        "status": "in_force",
        "kinds": ["cooperative", "cooperative_union"],
        "topics": ["organisation", "support", "statistics"],
        "summary": "Chỉ thị giao các bộ, ngành và địa phương rà soát, củng cố các hợp tác xã "
        "(giải thể những hợp tác xã chỉ tồn tại trên danh nghĩa), kiện toàn quản lý nhà nước "
        "về kinh tế tập thể và thực hiện các chính sách hỗ trợ hợp tác xã.",
    },
    {
        "number": "919/QĐ-TTg",
        "title": "Quyết định phê duyệt Chương trình mỗi xã một sản phẩm giai đoạn 2021-2025",
        "type": "decision",
        "issuer": "Thủ tướng Chính phủ",
        "signed_on": "2022-08-01",
        "in_force_from": None,
        "status": "in_force",
        "kinds": ALL_KINDS,
        "sectors": ["agriculture", "industry_handicraft", "trade_services"],
        "topics": ["ocop", "support"],
        "summary": "Chương trình OCOP giai đoạn 2021-2025: phát triển sản phẩm đặc trưng của "
        "địa phương, trong đó hợp tác xã là chủ thể chính, cùng các chính sách hỗ trợ.",
    },
    {
        "number": "148/QĐ-TTg",
        "title": "Quyết định ban hành Bộ tiêu chí và Quy trình đánh giá, phân hạng sản phẩm "
        "Chương trình mỗi xã một sản phẩm",
        "type": "decision",
        "issuer": "Thủ tướng Chính phủ",
        "signed_on": "2023-02-24",
        "in_force_from": None,
        "status": "in_force",
        "kinds": ALL_KINDS,
        "sectors": ["agriculture", "industry_handicraft", "trade_services"],
        "topics": ["ocop"],
        "summary": "Bộ tiêu chí và quy trình đánh giá, phân hạng sản phẩm OCOP từ 1 đến 5 sao, "
        "theo đó các sản phẩm OCOP của hợp tác xã trong sổ đăng ký được xếp hạng.",
    },
]
