"""Varied organisation events, the same every run, for the golden documents test: the relevance
corpus's organisations and a few hundred made up from a seeded random choice of official unit
codes (current, legacy, unknown), abbreviations, NFD and odd spacing, products, business lines,
flags and coordinates."""

from __future__ import annotations

import random
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from hoptac.contracts.codes import DIGITAL_FLAGS, Kind, OperatingInPractice, SectorGroup, Status
from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.domain.business_lines import DIVISIONS

from ..conftest import make_event, make_record

RELEVANCE = Path(__file__).parents[1] / "contract" / "relevance.yaml"
MADE_UP = 260

_TRADES = (
    "Nông nghiệp",
    "Dịch vụ Nông nghiệp",
    "DV NN",
    "SX NN TS",
    "Thủy sản",
    "Thuỷ lợi",
    "Chè",
    "Cà phê",
    "Hồ tiêu",
    "Vận tải",
    "VT",
    "Xây dựng",
    "Môi trường",
    "Gốm sứ",
    "Mây tre đan",
    "Rau sạch",
    "Nuôi ong",
    "Chăn nuôi",
    "CN",
    "Tiểu thủ công nghiệp",
    "Muối",
    "Lúa gạo ST25",
)
_KINDS = ("Hợp tác xã", "HTX", "H.T.X", "Liên hiệp hợp tác xã", "Tổ hợp tác", "QTDND")
_PRODUCTS = ("Gạo ST25", "Mật ong rừng", "Chè Shan tuyết", "Nước mắm", "Bưởi da xanh", "Tôm khô")
_FOREIGN = ("Tan Hung Agricultural Cooperative", "Green Co-op", "Đồng Tâm Co., Ltd")


def _name(rng: random.Random, place: str) -> str:
    name = f"{rng.choice(_KINDS)} {rng.choice(_TRADES)} {place}"
    if rng.random() < 0.2:
        name = unicodedata.normalize("NFD", name)
    if rng.random() < 0.2:
        name = f"  {name.replace(' ', '   ', 1)} "
    return name


def _made_up(rng: random.Random, n: int) -> dict[str, Any]:
    areas = official_areas()
    commune = areas.communes[rng.choice(sorted(areas.communes))]
    legacy = areas.legacy_communes[rng.choice(sorted(areas.legacy_communes))]
    district = areas.legacy_districts.get(legacy.parent or "")
    place = commune.name.split(" ", 1)[-1] if rng.random() < 0.7 else legacy.name
    legacy_area: dict[str, Any] | None = rng.choice(
        (
            None,
            {"commune_code": legacy.code},
            {
                "province_code": district.parent if district else None,
                "district_code": legacy.parent,
                "commune_code": legacy.code,
            },
            {"district_code": legacy.parent},
            {"commune_code": "99999"},  # unknown codes name nothing
        )
    )
    vsic = rng.sample(sorted(DIVISIONS), rng.randrange(0, 4))
    vsic = [code + rng.choice(("", "1", "10", "210")) for code in vsic]
    if rng.random() < 0.1:
        vsic.append("99")  # no such division
    products = [
        {"name": rng.choice((*_PRODUCTS, "")), "stars": rng.randrange(3, 6)}
        for _ in range(rng.choice((0, 0, 1, 2, 3)))
    ]
    province = commune.parent if rng.random() < 0.9 else "00"
    return make_record(
        id=str(uuid.UUID(int=rng.getrandbits(128))),
        registration_number=rng.choice((f"{province}01{n:06d}", f"{province}-01 {n:06d}")),
        name=_name(rng, place),
        name_abbreviation=rng.choice((None, "", f"HTX {place}", f"TP. {place}")),
        name_foreign=rng.choice((None, *_FOREIGN)),
        kind=rng.choice(list(Kind)).value,
        status=rng.choice(list(Status)).value,
        registered_on=date(
            rng.randrange(1997, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
        ).isoformat(),
        address={
            "province_code": province,
            "commune_code": commune.code if rng.random() < 0.85 else None,
            "legacy": legacy_area,
            "text": rng.choice(
                (None, f"Ấp {n % 9}, {commune.name}, {place}", f"Số {n}  đường 3/2, H. {place}")
            ),
            "lat": rng.choice((None, round(rng.uniform(8.5, 23.3), 5))),
            "lon": round(rng.uniform(102.1, 109.4), 5),
        },
        sector={"group": rng.choice(list(SectorGroup)).value, "vsic": vsic},
        digital={flag: rng.random() < 0.3 for flag in DIGITAL_FLAGS},
        ocop_products=products,
        operating_in_practice=rng.choice(list(OperatingInPractice)).value,
        version=rng.randrange(1, 9),
    )


def _from_corpus(n: int, key: str, entry: dict[str, Any]) -> dict[str, Any]:
    legacy = {"commune_code": entry["legacy"]} if "legacy" in entry else None
    return make_record(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"relevance/{key}")),
        name=entry["name"],
        registration_number=entry.get("regno", f"99{n:08d}"),
        kind=entry.get("kind", "cooperative"),
        sector={"group": entry.get("sector", "agriculture"), "vsic": entry.get("vsic", [])},
        name_abbreviation=entry.get("abbreviation"),
        name_foreign=entry.get("foreign"),
        address={
            "province_code": entry["province"],
            "commune_code": entry.get("commune"),
            "legacy": legacy,
            "text": entry.get("address"),
        },
        ocop_products=[{"name": name, "stars": 4} for name in entry.get("ocop", [])],
    )


def events() -> Iterator[bytes]:
    """Each case as the body of an event on the stream."""
    corpus = yaml.safe_load(RELEVANCE.read_text("utf-8"))["corpus"]
    for n, (key, entry) in enumerate(corpus.items()):
        yield make_event(_from_corpus(n, key, entry), sequence=n + 1)
    rng = random.Random(13)
    for n in range(MADE_UP):
        kind = rng.choice(("registered", "updated", "status_changed", "merged"))
        yield make_event(_made_up(rng, n), event=kind, sequence=len(corpus) + n + 1)
