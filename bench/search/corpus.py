"""Synthetic organisations for the search benchmark: varied Vietnamese names across the 34
provinces, in official communes (current, and the pre-2025 commune of the same code where there
is one), with VSIC business lines and, for some, OCOP products: as public records and as the
events that carry them. Deterministic for a seed."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from hoptac.search.adapters.admin_units import official_areas

PROVINCES = [
    "01",
    "04",
    "08",
    "11",
    "12",
    "14",
    "15",
    "19",
    "20",
    "22",
    "24",
    "25",
    "31",
    "33",
    "37",
    "38",
    "40",
    "42",
    "44",
    "46",
    "48",
    "51",
    "52",
    "56",
    "66",
    "68",
    "75",
    "79",
    "80",
    "82",
    "86",
    "91",
    "92",
    "96",
]
KINDS = (
    ("cooperative", "Hợp tác xã", "HTX", 80),
    ("cooperative_group", "Tổ hợp tác", "THT", 14),
    ("cooperative_union", "Liên hiệp hợp tác xã", "LH HTX", 3),
    ("peoples_credit_fund", "Quỹ tín dụng nhân dân", "QTDND", 3),
)
TRADES = (
    ("Nông nghiệp", "NN", "agriculture"),
    ("Dịch vụ Nông nghiệp", "DVNN", "agriculture"),
    ("Thủy sản", "TS", "agriculture"),
    ("Nuôi trồng thủy sản", "NTS", "agriculture"),
    ("Chăn nuôi", "CN", "agriculture"),
    ("Rau an toàn", "RAT", "agriculture"),
    ("Chè", "C", "agriculture"),
    ("Cà phê", "CP", "agriculture"),
    ("Muối", "M", "agriculture"),
    ("Thủ công mỹ nghệ", "TCMN", "industry_handicraft"),
    ("Mây tre đan", "MTĐ", "industry_handicraft"),
    ("Xây dựng", "XD", "construction"),
    ("Thương mại Dịch vụ", "TMDV", "trade_services"),
    ("Vận tải", "VT", "transport"),
    ("Môi trường", "MT", "environment"),
    ("Điện năng", "ĐN", "other"),
)
# The VSIC 2018 business lines of each trade above, in the same order.
TRADE_VSIC = (
    ["0111", "0118"], ["0161", "0163"], ["0321", "1020"], ["0322"], ["0145", "0146"],
    ["0118"], ["0127", "1076"], ["0126"], ["0893"], ["3290", "1629"], ["1629"], ["4100"],
    ["4620", "4719"], ["4933"], ["3811", "3821"], ["3510"],
)  # fmt: skip
PRODUCTS = (
    "Mật ong hoa tràm", "Gạo thơm", "Tôm khô", "Chè búp", "Cà phê rang xay", "Nước mắm",
    "Muối hầm", "Bưởi da xanh", "Khô cá lóc", "Miến dong", "Mắm ba khía", "Trà mãng cầu",
)  # fmt: skip
PLACES = (
    "Tân Hưng", "Hoà Bình", "Hòa Thuận", "Đồng Tâm", "Phú Lộc", "Bình Minh", "An Phú",
    "Thuỷ Thanh", "Thủy Xuân", "Khánh Hòa", "Đông Sơn", "Mỹ Thọ", "Vĩnh Hải", "Tân Hiệp",
    "Phước Hưng", "Quế Lâm", "Bát Tràng", "Vạn Phúc", "Hàm Yên", "Thanh Hà", "Cái Nước",
    "Đầm Dơi", "Ea Tul", "Chư Sê", "Suối Giàng", "Mộc Châu", "Yên Phong", "Nghi Lộc",
    "Hậu Lộc", "Bình Liêu", "Trà Lĩnh", "Tân Cương", "Thạnh Phú", "Tháp Mười", "Mỹ Xương",
    "Đồng Phú", "Bù Đăng", "Thái An", "Phú Diễn", "Xuân Hương", "Hưng Thịnh", "Cầu Đất",
    "Đồng Xuân", "Quy Nhơn", "Kế Sách", "Năm Roi", "Hải Châu", "Lê Chân", "Kinh Bắc",
    "Long Điền", "Hợp Lực", "Thắng Lợi", "Đoàn Kết", "Quyết Tiến", "Tiến Thành", "Hưng Phát",
)  # fmt: skip
STATUSES = (("operating", 80), ("suspended", 6), ("dissolving", 4), ("dissolved", 8))
STATUSES += (("bankrupt", 1), ("certificate_revoked", 1))
PRACTICE = (("yes", 60), ("nominal", 15), ("not_at_address", 5), ("unknown", 20))
DIGITAL = ("computer", "internet", "website", "social_media", "ecommerce", "e_invoice")


@dataclass(frozen=True)
class Organisation:
    record: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.record["id"])

    def event(self, sequence: int) -> bytes:
        now = datetime.now(UTC).isoformat()
        return orjson.dumps(
            {
                "event_id": str(uuid.uuid4()),
                "event_type": "organization.registered",
                "schema_version": 1,
                "occurred_at": now,
                "recorded_at": now,
                "sequence": sequence,
                "organization_id": self.id,
                "organization_version": 1,
                "actor": "bench",
                "correlation_id": None,
                "data": {
                    "record": self.record,
                    "changed_fields": [],
                    "effective_date": "2026-01-01",
                    "reason": None,
                },
            }
        )


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _communes_by_province() -> dict[str, list[str]]:
    by_province: dict[str, list[str]] = {}
    for code, unit in sorted(official_areas().communes.items()):
        by_province.setdefault(str(unit.parent), []).append(code)
    return by_province


def generate(count: int, seed: int = 20261122) -> list[Organisation]:
    rng = random.Random(seed)
    communes = _communes_by_province()
    legacy = official_areas().legacy_communes
    districts = official_areas().legacy_districts
    out = []
    for n in range(count):
        kind, kind_name, kind_abbr, _ = rng.choices(KINDS, [k[3] for k in KINDS])[0]
        trade_index = rng.randrange(len(TRADES))
        trade, trade_abbr, sector = TRADES[trade_index]
        vsic = TRADE_VSIC[trade_index]
        if kind == "peoples_credit_fund":
            trade, trade_abbr, sector = "", "", "credit"
        place = rng.choice(PLACES)
        name = " ".join(p for p in (kind_name, trade, place) if p)
        if rng.random() < 0.5:
            name += f" {rng.randint(1, 40)}"  # many share a place name: numbered
        province = PROVINCES[n % len(PROVINCES)]
        commune = rng.choice(communes[province])
        # most current communes took the code of one of the communes merged into them
        legacy_commune = commune if commune in legacy else rng.choice(sorted(legacy)[:50])
        registered = date(1997, 1, 1) + timedelta(days=rng.randint(0, 10500))
        lat, lon = 8.6 + rng.random() * 14.5, 102.2 + rng.random() * 7.2
        status = _pick(rng, STATUSES)
        record: dict[str, Any] = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "registration_number": f"{province}{n:08d}",
            "name": name,
            "name_abbreviation": " ".join(p for p in (kind_abbr, trade_abbr, place) if p),
            "kind": kind,
            "status": status,
            "status_since": registered.isoformat(),
            "registered_on": registered.isoformat(),
            "address": {
                "street": f"Ấp {rng.randint(1, 12)}",
                "province_code": province,
                "commune_code": commune,
                "legacy": {
                    "province_code": districts[str(legacy[legacy_commune].parent)].parent,
                    "district_code": legacy[legacy_commune].parent,
                    "commune_code": legacy_commune,
                },
                "text": f"Ấp {rng.randint(1, 12)}, xã {rng.choice(PLACES)}",
                "lat": round(lat, 5),
                "lon": round(lon, 5),
            },
            "sector": {"group": sector, "vsic": [] if kind == "peoples_credit_fund" else vsic},
            "members_count": rng.randint(7, 300),
            "ocop_products": (
                [{"name": f"{rng.choice(PRODUCTS)} {place}", "stars": rng.choice((3, 4, 5))}]
                if rng.random() < 0.08
                else []
            ),
            "digital": {flag: rng.random() < 0.3 for flag in DIGITAL},
            "operating_in_practice": _pick(rng, PRACTICE),
            "version": 1,
            "updated_at": "2026-01-01T00:00:00Z",
        }
        out.append(Organisation(record))
    return out
