"""Administrative units, and the rules an organisation's address must follow.

Since 1 July 2025 Vietnam has 34 provinces whose communes sit directly under them; records made
earlier carry the codes of the time (63 provinces, their districts and communes). An address keeps
both: the current province and commune, and the legacy province, district and commune. The two
code sets overlap (current "52" is Gia Lai, legacy "52" was Bình Định), so a code alone never says
which era it belongs to: the field it arrives in does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from hoptac.platform.text import Text, shown

# Longest first, so that "Thành phố" is not read as something shorter.
_UNIT_TYPES = (
    "Thành phố",
    "Thị trấn",
    "Thị xã",
    "Đặc khu",
    "Phường",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
)


def unit_short_name(name: str) -> str:
    """The name without its unit type: "Xã Tân Hưng" -> "Tân Hưng", "Tỉnh Cà Mau" -> "Cà Mau"."""
    folded = name.casefold()
    for unit_type in _UNIT_TYPES:
        if folded.startswith(unit_type.casefold() + " "):
            return name[len(unit_type) + 1 :]
    return name


@dataclass(frozen=True)
class Province:
    code: str
    name: str

    @property
    def short_name(self) -> str:
        return unit_short_name(self.name)


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    province_code: str
    lat: float
    lon: float

    @property
    def short_name(self) -> str:
        return unit_short_name(self.name)


@dataclass(frozen=True)
class LegacyDistrict:
    code: str
    name: str
    province_code: str

    @property
    def short_name(self) -> str:
        return unit_short_name(self.name)


@dataclass(frozen=True)
class LegacyCommune:
    code: str
    name: str
    district_code: str
    province_code: str

    @property
    def short_name(self) -> str:
        return unit_short_name(self.name)


class AdministrativeUnits(Protocol):
    """Current units (since 1 July 2025), legacy units (before it) and how the second became the
    first."""

    def province(self, code: str) -> Province | None: ...

    def commune(self, code: str) -> Commune | None: ...

    def communes_of(self, province_code: str) -> list[Commune]: ...

    def provinces(self) -> list[Province]: ...

    def legacy_province(self, code: str) -> Province | None: ...

    def legacy_district(self, code: str) -> LegacyDistrict | None: ...

    def legacy_commune(self, code: str) -> LegacyCommune | None: ...

    def current_communes_for_legacy(self, legacy_commune_code: str) -> list[str]:
        """Current communes the legacy one went into: one if it moved whole, several if it was
        split, none if unknown."""
        ...

    def current_province_for_legacy(self, legacy_province_code: str) -> str | None: ...

    def legacy_provinces_of(self, province_code: str) -> list[Province]:
        """The legacy provinces that became (part of) a current province."""
        ...

    def legacy_communes_of(self, legacy_province_code: str) -> list[LegacyCommune]: ...


@dataclass(frozen=True)
class AreaProblem:
    field: str
    message: Text


class LegacyAreaCodes(Protocol):
    @property
    def province_code(self) -> str | None: ...

    @property
    def district_code(self) -> str | None: ...

    @property
    def commune_code(self) -> str | None: ...


@dataclass(frozen=True)
class _LegacyCodes:
    province_code: str | None
    district_code: str | None
    commune_code: str | None

    @classmethod
    def of(cls, legacy: LegacyAreaCodes | Mapping[str, object]) -> _LegacyCodes:
        if isinstance(legacy, Mapping):
            values = [
                legacy.get(name) for name in ("province_code", "district_code", "commune_code")
            ]
        else:
            values = [legacy.province_code, legacy.district_code, legacy.commune_code]
        province, district, commune = (str(value) if value else None for value in values)
        return cls(province, district, commune)


def check_address(
    units: AdministrativeUnits,
    province_code: str | None,
    commune_code: str | None,
    legacy: LegacyAreaCodes | Mapping[str, object] | None,
) -> list[AreaProblem]:
    """Every problem with an address's administrative codes; an empty list means it is sound."""
    province = units.province(province_code) if province_code else None
    problems: list[AreaProblem] = []
    if province is None:
        problems.append(
            AreaProblem("address.province_code", _province_message(units, province_code))
        )
    if commune_code:
        problem = _commune_problem(units, commune_code, province)
        if problem is not None:
            problems.append(problem)
    if legacy is not None:
        problems += _legacy_problems(units, _LegacyCodes.of(legacy), province)
    return problems


def derive_current_commune(units: AdministrativeUnits, legacy_commune_code: str) -> str | None:
    """The current commune a legacy commune became, when it went whole into one; None when it was
    split (only the address itself can tell which part an organisation lies in) or is unknown."""
    current = units.current_communes_for_legacy(legacy_commune_code)
    return current[0] if len(current) == 1 else None


def legacy_disagreement(
    units: AdministrativeUnits, commune_code: str | None, legacy_commune_code: str | None
) -> str | None:
    """A message when the current commune is not one the legacy commune went into.

    A warning, not a refusal: the official mapping may miss a partial split, and a person must
    decide which of the two codes is wrong.
    """
    if not commune_code or not legacy_commune_code:
        return None
    became = units.current_communes_for_legacy(legacy_commune_code)
    if not became or commune_code in became:
        return None
    current, legacy = units.commune(commune_code), units.legacy_commune(legacy_commune_code)
    names = ", ".join(
        f"'{code}' ({commune.name})" for code in became if (commune := units.commune(code))
    )
    return (
        f"legacy commune '{legacy_commune_code}' ({legacy.name if legacy else '?'}) became "
        f"{names}, not commune '{commune_code}' ({current.name if current else '?'}): "
        "check which of the two codes is wrong"
    )


def split_candidates(
    units: AdministrativeUnits, commune_code: str | None, legacy_commune_code: str | None
) -> list[Commune]:
    """When only a legacy commune is known and it was split in 2025: the current communes it
    went into, one of which a person must choose."""
    if commune_code or not legacy_commune_code:
        return []
    became = units.current_communes_for_legacy(legacy_commune_code)
    if len(became) < 2:
        return []
    return [commune for code in became if (commune := units.commune(code)) is not None]


def _province_message(units: AdministrativeUnits, code: str | None) -> Text:
    count = len(units.provinces())
    if not code:
        return Text("registry.province_required", count=count)
    legacy = units.legacy_province(code)
    absorbed_by = units.province(units.current_province_for_legacy(code) or "")
    if legacy is not None and absorbed_by is not None:
        return Text(
            "registry.province_from_before_reform",
            code=shown(code),
            name=legacy.name,
            count=count,
            absorbed=absorbed_by.name,
            new_code=shown(absorbed_by.code),
        )
    padded = code.zfill(2)
    if code.isdigit() and padded != code and units.province(padded) is not None:
        return Text("registry.province_padded", code=shown(code), padded=shown(padded))
    codes = ", ".join(province.code for province in units.provinces())
    return Text("registry.province_unknown", code=shown(code), count=count, codes=codes)


def _commune_problem(
    units: AdministrativeUnits, code: str, province: Province | None
) -> AreaProblem | None:
    field = "address.commune_code"
    commune = units.commune(code)
    if commune is None:
        return AreaProblem(field, _unknown_commune_message(units, code, province))
    if province is None or commune.province_code == province.code:
        return None
    home = units.province(commune.province_code)
    return AreaProblem(
        field,
        Text(
            "registry.commune_in_other_province",
            code=shown(code),
            name=commune.name,
            home=home.name if home is not None else shown(commune.province_code),
            home_code=shown(commune.province_code),
            province=province.name,
            province_code=shown(province.code),
        ),
    )


def _unknown_commune_message(
    units: AdministrativeUnits, code: str, province: Province | None
) -> Text:
    legacy = units.legacy_commune(code)
    if legacy is not None:
        return _legacy_commune_fate(units, legacy)
    padded = code.zfill(5)
    if code.isdigit() and padded != code and units.commune(padded) is not None:
        return Text("registry.commune_padded", code=shown(code), padded=shown(padded))
    if province is not None:
        return Text("registry.commune_unknown_in", code=shown(code), province=province.name)
    return Text("registry.commune_unknown", code=shown(code))


def _legacy_commune_fate(units: AdministrativeUnits, legacy: LegacyCommune) -> Text:
    """Where a legacy commune sent as a current one went, phrased as what to send."""
    district = units.legacy_district(legacy.district_code)
    place = f"{legacy.name}, {district.name}" if district is not None else legacy.name
    current = [units.commune(code) for code in units.current_communes_for_legacy(legacy.code)]
    known = [commune for commune in current if commune is not None]
    if len(known) == 1:
        return Text(
            "registry.legacy_commune_moved",
            code=shown(legacy.code),
            place=place,
            new_code=shown(known[0].code),
            new_name=known[0].name,
        )
    if known:
        names = ", ".join(f"{shown(commune.code)} ({commune.name})" for commune in known)
        return Text(
            "registry.legacy_commune_split", code=shown(legacy.code), place=place, communes=names
        )
    return Text("registry.legacy_commune_gone", code=shown(legacy.code), place=place)


def _legacy_problems(
    units: AdministrativeUnits, codes: _LegacyCodes, current: Province | None
) -> list[AreaProblem]:
    problems: list[AreaProblem] = []
    province = units.legacy_province(codes.province_code) if codes.province_code else None
    district = units.legacy_district(codes.district_code) if codes.district_code else None
    commune = units.legacy_commune(codes.commune_code) if codes.commune_code else None

    if codes.province_code and province is None:
        problems.append(
            AreaProblem(
                "address.legacy.province_code",
                Text("registry.legacy_province_unknown", code=shown(codes.province_code)),
            )
        )
    if codes.district_code and district is None:
        problems.append(
            AreaProblem(
                "address.legacy.district_code",
                Text("registry.legacy_district_unknown", code=shown(codes.district_code)),
            )
        )
    if codes.commune_code and commune is None:
        problems.append(
            AreaProblem(
                "address.legacy.commune_code",
                Text("registry.legacy_commune_unknown", code=shown(codes.commune_code)),
            )
        )

    if district is not None and province is not None and district.province_code != province.code:
        problems.append(
            AreaProblem(
                "address.legacy.district_code",
                Text(
                    "registry.legacy_district_in_other_province",
                    code=shown(district.code),
                    name=district.name,
                    home=_legacy_province_name(units, district.province_code),
                    province=province.name,
                    province_code=shown(province.code),
                ),
            )
        )
    if commune is not None:
        problem = _legacy_commune_parent_problem(units, commune, district, province)
        if problem is not None:
            problems.append(problem)

    if current is not None:
        problem = _legacy_to_current_problem(units, codes, province, district, commune, current)
        if problem is not None:
            problems.append(problem)
    return problems


def _legacy_commune_parent_problem(
    units: AdministrativeUnits,
    commune: LegacyCommune,
    district: LegacyDistrict | None,
    province: Province | None,
) -> AreaProblem | None:
    field = "address.legacy.commune_code"
    if district is not None:
        if commune.district_code == district.code:
            return None
        home = units.legacy_district(commune.district_code)
        return AreaProblem(
            field,
            Text(
                "registry.legacy_commune_in_other_district",
                code=shown(commune.code),
                name=commune.name,
                home=home.name if home is not None else shown(commune.district_code),
                district=district.name,
                district_code=shown(district.code),
            ),
        )
    if province is not None and commune.province_code != province.code:
        return AreaProblem(
            field,
            Text(
                "registry.legacy_commune_in_other_province",
                code=shown(commune.code),
                name=commune.name,
                home=_legacy_province_name(units, commune.province_code),
                province=province.name,
                province_code=shown(province.code),
            ),
        )
    return None


def _legacy_to_current_problem(
    units: AdministrativeUnits,
    codes: _LegacyCodes,
    province: Province | None,
    district: LegacyDistrict | None,
    commune: LegacyCommune | None,
    current: Province,
) -> AreaProblem | None:
    """The legacy address must lie in the current province: the legacy province given, or else
    the one its district or commune belonged to."""
    if province is not None:
        legacy_code, field = province.code, "address.legacy.province_code"
    elif district is not None:
        legacy_code, field = district.province_code, "address.legacy.district_code"
    elif commune is not None:
        legacy_code, field = commune.province_code, "address.legacy.commune_code"
    else:
        return None
    absorbed_by = units.current_province_for_legacy(legacy_code)
    if absorbed_by == current.code:
        return None
    legacy_name = _legacy_province_name(units, legacy_code)
    new_home = units.province(absorbed_by) if absorbed_by else None
    here = {"legacy": legacy_name, "current": current.name, "current_code": shown(current.code)}
    if new_home is None:
        return AreaProblem(field, Text("registry.legacy_not_in_any_province", **here))
    return AreaProblem(
        field,
        Text(
            "registry.legacy_not_in_current",
            new=new_home.name,
            new_code=shown(new_home.code),
            **here,
        ),
    )


def _legacy_province_name(units: AdministrativeUnits, code: str) -> str:
    province = units.legacy_province(code)
    return f"{province.name} ({shown(code)})" if province is not None else shown(code)


def unknown_area_codes(
    units: AdministrativeUnits, provinces: list[str], communes: list[str]
) -> list[Text]:
    """The codes of a token's area that name no current province or commune, each explained."""
    problems = [
        Text("registry.area_not_a_province", code=code)
        for code in provinces
        if units.province(code) is None
    ]
    problems += [
        Text("registry.area_not_a_commune", code=code)
        for code in communes
        if units.commune(code) is None
    ]
    return problems
