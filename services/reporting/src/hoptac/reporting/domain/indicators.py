"""The catalogue of the digital-transformation indicators (Directive 19/CT-TTg) that the summary
reports as rates: what each rate counts, over what, and on what legal basis.

One indicator per digital-adoption flag of the record (the contract's `DIGITAL_FLAGS`); each is
the share of the organisations operating on the day asked that report the flag, among all
operating ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.reporting.domain.labels import DIGITAL

LEGAL_BASIS = {
    "vi": "Chỉ thị số 19/CT-TTg của Thủ tướng Chính phủ",
    "en": "Directive No. 19/CT-TTg of the Prime Minister",
}
DENOMINATOR = {
    "vi": "Số tổ chức đang hoạt động (tình trạng pháp lý: đang hoạt động) vào ngày thống kê",
    "en": "Organisations operating (legal status: operating) on the day of the figures",
}
_ENGLISH = {
    "computer": "Has computers",
    "internet": "Connected to the Internet",
    "website": "Has a website",
    "social_media": "Uses social media",
    "ecommerce": "Sells through e-commerce",
    "digital_signature": "Uses digital signatures",
    "accounting_software": "Uses management or accounting software",
    "e_invoice": "Uses e-invoices",
    "iot": "Uses IoT in production",
    "traceability": "Traces its products' origin",
}


@dataclass(frozen=True)
class Indicator:
    flag: str  # the key of the record's `digital` object, and of the summary's rates

    @property
    def code(self) -> str:
        return f"digital.{self.flag}"

    def as_dict(self) -> dict[str, Any]:
        name = {"vi": DIGITAL[self.flag], "en": _ENGLISH[self.flag]}
        return {
            "code": self.code,
            "flag": self.flag,
            "name": name,
            "definition": {
                "vi": f"Tỷ lệ tổ chức đang hoạt động có chỉ tiêu “{name['vi']}” trên tổng số "
                "tổ chức đang hoạt động, theo dữ liệu khảo sát ghi trong sổ đăng ký",
                "en": f"Share of the operating organisations that report “{name['en']}”, "
                "among all operating organisations, from the survey data in the register",
            },
            "numerator": {
                "vi": f"Số tổ chức đang hoạt động có digital.{self.flag} = true",
                "en": f"Operating organisations with digital.{self.flag} = true",
            },
            "denominator": DENOMINATOR,
            "unit": "rate",
            "legal_basis": LEGAL_BASIS,
        }


INDICATORS = tuple(Indicator(flag) for flag in DIGITAL_FLAGS)


def catalogue() -> dict[str, Any]:
    return {"indicators": [indicator.as_dict() for indicator in INDICATORS]}
