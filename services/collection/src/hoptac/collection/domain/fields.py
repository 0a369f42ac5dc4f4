"""The columns of the survey template: each a field of the register by its JSON path, with the
Vietnamese header people read, the kind of value a cell holds and, for coded fields, the list
its drop-down offers. Files written by programs name their columns by the JSON paths alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hoptac.contracts.labels import DIGITAL

# Carried by every template and checked on import: a file made from another version of the
# template gets a message saying so instead of columns silently read as other fields.
TEMPLATE_VERSION = "hoptac-khao-sat-1"


class Value(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"
    BOOLEAN = "boolean"
    CODE = "code"  # one value of a code list
    CODES = "codes"  # several values of a code list, separated by ";"


class CodeList(StrEnum):
    """The code lists offered as drop-downs (each on a hidden sheet of the template)."""

    KIND = "kind"
    STATUS = "status"
    SECTOR_GROUP = "sector_group"
    OPERATING = "operating_in_practice"
    YES_NO = "yes_no"
    PROVINCE = "province"
    COMMUNE = "commune"
    LEGACY_PROVINCE = "legacy_province"
    LEGACY_DISTRICT = "legacy_district"
    LEGACY_COMMUNE = "legacy_commune"
    VSIC = "vsic"


@dataclass(frozen=True)
class Field:
    path: str
    header: str
    value: Value = Value.TEXT
    codes: CodeList | None = None
    required: bool = False  # for a new registration; an update may leave any cell empty
    note: str = ""


def _ocop(slot: int) -> tuple[Field, ...]:
    n = slot + 1
    return (
        Field(f"ocop_products.{slot}.name", f"Sản phẩm OCOP {n}: tên"),
        Field(
            f"ocop_products.{slot}.stars",
            f"Sản phẩm OCOP {n}: số sao",
            Value.INTEGER,
            note="3, 4 hoặc 5",
        ),
        Field(
            f"ocop_products.{slot}.certified_on",
            f"Sản phẩm OCOP {n}: ngày quyết định công nhận",
            Value.DATE,
            note="kết quả đánh giá có giá trị 36 tháng kể từ ngày này",
        ),
    )


FIELDS: tuple[Field, ...] = (
    Field(
        "id",
        "Mã hồ sơ trên hệ thống",
        note="để trống khi khai báo tổ chức mới; giữ nguyên khi cập nhật hồ sơ đã tải về",
    ),
    Field("registration_number", "Mã số HTX / số đăng ký", required=True),
    Field("name", "Tên tổ chức", required=True),
    Field("name_foreign", "Tên bằng tiếng nước ngoài"),
    Field("name_abbreviation", "Tên viết tắt"),
    Field("kind", "Loại hình", Value.CODE, CodeList.KIND, required=True),
    Field(
        "status",
        "Tình trạng pháp lý",
        Value.CODE,
        CodeList.STATUS,
        note="tổ chức mới luôn bắt đầu ở tình trạng Đang hoạt động",
    ),
    Field("status_reason", "Lý do thay đổi tình trạng", note="bắt buộc khi đổi tình trạng"),
    Field("registered_on", "Ngày đăng ký", Value.DATE, required=True, note="dd/mm/yyyy"),
    Field("registering_authority", "Cơ quan cấp đăng ký"),
    Field("address.street", "Địa chỉ: số nhà, thôn, ấp"),
    Field(
        "address.province_code",
        "Tỉnh, thành phố (từ 01/7/2025)",
        Value.CODE,
        CodeList.PROVINCE,
        required=True,
    ),
    Field(
        "address.commune_code", "Xã, phường, đặc khu (từ 01/7/2025)", Value.CODE, CodeList.COMMUNE
    ),
    Field(
        "address.legacy.province_code",
        "Tỉnh cũ (trước 01/7/2025)",
        Value.CODE,
        CodeList.LEGACY_PROVINCE,
    ),
    Field(
        "address.legacy.district_code",
        "Huyện cũ (trước 01/7/2025)",
        Value.CODE,
        CodeList.LEGACY_DISTRICT,
    ),
    Field(
        "address.legacy.commune_code",
        "Xã cũ (trước 01/7/2025)",
        Value.CODE,
        CodeList.LEGACY_COMMUNE,
    ),
    Field("address.text", "Địa chỉ đầy đủ như trên giấy tờ"),
    Field("sector.group", "Lĩnh vực", Value.CODE, CodeList.SECTOR_GROUP, required=True),
    Field(
        "sector.vsic",
        "Ngành nghề kinh doanh (mã VSIC 2018)",
        Value.CODES,
        CodeList.VSIC,
        note="một hoặc nhiều mã, cách nhau bằng dấu chấm phẩy (;)",
    ),
    Field("members_count", "Số thành viên", Value.INTEGER),
    Field("workers_count", "Số lao động thường xuyên", Value.INTEGER),
    Field("charter_capital", "Vốn điều lệ (đồng)", Value.INTEGER),
    Field("financials.0.year", "Năm báo cáo tài chính", Value.INTEGER),
    Field("financials.0.revenue", "Doanh thu năm (đồng)", Value.INTEGER),
    Field("financials.0.profit", "Lợi nhuận năm (đồng)", Value.INTEGER, note="số âm nếu lỗ"),
    Field("legal_representative.name", "Người đại diện theo pháp luật"),
    Field("legal_representative.title", "Chức danh người đại diện"),
    Field("contact.phone", "Điện thoại liên hệ"),
    Field("contact.email", "Thư điện tử"),
    Field("contact.website", "Trang thông tin điện tử"),
    *_ocop(0),
    *_ocop(1),
    *_ocop(2),
    *(
        Field(f"digital.{name}", f"Chuyển đổi số: {label}", Value.BOOLEAN, CodeList.YES_NO)
        for name, label in DIGITAL.items()
    ),
    Field(
        "operating_in_practice",
        "Hoạt động thực tế",
        Value.CODE,
        CodeList.OPERATING,
    ),
    Field("last_verified_on", "Ngày xác minh thực tế", Value.DATE, note="dd/mm/yyyy"),
    Field("effective_date", "Ngày thay đổi có hiệu lực", Value.DATE, note="để trống: hôm nay"),
)

BY_PATH: dict[str, Field] = {field.path: field for field in FIELDS}
# Columns that steer the change rather than hold a field of the record.
CONTROL_PATHS = frozenset({"id", "status", "status_reason", "effective_date"})
