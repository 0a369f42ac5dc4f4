"""A realistic synthetic province: organisations as `POST /v1/organizations` bodies, each with
the status changes that happened to it since.

Places and codes are real (the province's communes, current and legacy; VSIC 2018 divisions);
organisations and people are invented. One seeded generator draws everything, so a seed and a
`today` always give the same province.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.contracts.vietnamese_text import fold, without_diacritics
from hoptac.registry.demo import vocabulary
from hoptac.registry.demo.vocabulary import (
    COOPERATIVE,
    COOPERATIVE_GROUP,
    COOPERATIVE_UNION,
    PEOPLES_CREDIT_FUND,
)
from hoptac.registry.domain.areas import (
    AdministrativeUnits,
    Commune,
    LegacyCommune,
    Province,
    unit_short_name,
)

REFORM_DAY = date(2025, 7, 1)
# Departments of Planning and Investment merged into Departments of Finance on this day.
DPI_MERGER_DAY = date(2025, 3, 1)


T = TypeVar("T")


@dataclass(frozen=True)
class DemoOrganization:
    body: dict[str, Any]
    status_changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def registration_number(self) -> str:
        return str(self.body["registration_number"])


@dataclass(frozen=True)
class Report:
    """A published report the demo reproduces exactly: the cooperatives of a province (as it
    was then) on one day. Cooperatives registered by that day are these and no others."""

    day: date
    legacy_province: str
    agriculture: tuple[int, int]  # operating, stopped ("stopped": any status but operating)
    other: tuple[int, int]
    members: int
    workers: int
    ocop_cooperatives: int  # agricultural cooperatives with OCOP products certified by then
    ocop_products: int

    @property
    def cooperatives(self) -> int:
        return sum(self.agriculture) + sum(self.other)


# Cà Mau's report of 30 July 2022 (the province before its 2025 merger with Bạc Liêu).
CA_MAU_2022 = Report(date(2022, 7, 30), "96", (168, 27), (54, 28), 4497, 4796, 16, 31)
# The statuses of the stopped cooperatives of a report, in turn.
_STOPPED = ("dissolved", "dissolved", "suspended", "certificate_revoked", "dissolving")


def generate_province(
    units: AdministrativeUnits,
    province_code: str = "96",
    count: int = 300,
    seed: int = 2025,
    today: date | None = None,
    report: Report | None = None,
) -> list[DemoOrganization]:
    """`count` organisations of one current province, the same ones for the same seed and
    `today` (the day nothing may come after; the real today by default). With a `report`, its
    cooperatives come first (counted in `count`) and the other cooperatives were registered
    after its day."""
    province = units.province(province_code)
    if province is None:
        raise ValueError(f"'{province_code}' is not a current province code")
    generator = _Generator(units, province, random.Random(seed), today or date.today())
    organizations = generator.report_cooperatives(report) if report else []
    after = report.day if report else None
    for kind in generator.kinds(count - len(organizations)):
        organizations.append(generator.organization(kind, after if kind == COOPERATIVE else None))
    return organizations


@dataclass(frozen=True)
class _Site:
    """Where an organisation is: its current commune and, when registered before the reform,
    the legacy commune its papers name."""

    current: Commune
    legacy: LegacyCommune | None
    commune_known: bool  # False when the legacy commune was split and the record says so
    hamlet: str  # "Ấp 3", "Ấp Cái Keo", "Khóm 2"
    street: str


class _Generator:
    def __init__(
        self, units: AdministrativeUnits, province: Province, rng: random.Random, today: date
    ):
        self.units = units
        self.province = province
        self.rng = rng
        self.today = today
        self.communes = units.communes_of(province.code)
        self.legacy_provinces = units.legacy_provinces_of(province.code)
        self.legacy_communes = [
            (commune, targets)
            for legacy_province in self.legacy_provinces
            for commune in units.legacy_communes_of(legacy_province.code)
            if (targets := self._targets_in_province(commune.code))
        ]
        self.names: set[str] = set()
        self.numbers: set[str] = set()

    def _targets_in_province(self, legacy_commune_code: str) -> list[Commune]:
        codes = self.units.current_communes_for_legacy(legacy_commune_code)
        targets = [self.units.commune(code) for code in codes]
        return [c for c in targets if c is not None and c.province_code == self.province.code]

    def kinds(self, count: int) -> list[str]:
        shares = {COOPERATIVE_GROUP: 0.10, PEOPLES_CREDIT_FUND: 0.06, COOPERATIVE_UNION: 0.04}
        floor = 1 if count >= len(shares) + 1 else 0
        minor = {kind: max(floor, round(count * share)) for kind, share in shares.items()}
        kinds = [kind for kind, n in minor.items() for _ in range(n)]
        kinds = [COOPERATIVE] * (count - len(kinds)) + kinds
        self.rng.shuffle(kinds)
        return kinds[:count]

    def organization(self, kind: str, after: date | None = None) -> DemoOrganization:
        """One organisation of `kind`, registered after `after` when it is given."""
        activity = self._activity(kind)
        registered_on = self._registered_on(kind, after=after)
        site, name, abbreviation, foreign = self._named_site(kind, activity, registered_on)
        return self._built(kind, activity, registered_on, site, name, abbreviation, foreign)

    def report_cooperatives(self, report: Report) -> list[DemoOrganization]:
        plan: list[tuple[bool, str | None]] = [(True, None)] * report.agriculture[0]
        plan += [(False, None)] * report.other[0]
        plan += [(True, _STOPPED[i % len(_STOPPED)]) for i in range(report.agriculture[1])]
        plan += [(False, _STOPPED[(i + 2) % len(_STOPPED)]) for i in range(report.other[1])]
        made = [
            self._report_cooperative(report, agriculture, stopped) for agriculture, stopped in plan
        ]
        _fit_total([o.body for o in made], "members_count", report.members, minimum=7)
        _fit_total([o.body for o in made], "workers_count", report.workers, minimum=2)
        self._fit_ocop(report, made)
        self.rng.shuffle(made)
        return made

    def _report_cooperative(
        self, report: Report, agriculture: bool, stopped_as: str | None
    ) -> DemoOrganization:
        choices = [a for a in vocabulary.ACTIVITIES if (a.group == "agriculture") == agriculture]
        activity = _pick(self.rng, choices, lambda a: a.weight)
        registered_on = self._registered_on(COOPERATIVE, until=report.day - timedelta(days=90))
        site, name, abbreviation, foreign = self._named_site(
            COOPERATIVE, activity, registered_on, report.legacy_province
        )
        changes = self._report_changes(registered_on, report.day, stopped_as)
        return self._built(
            COOPERATIVE, activity, registered_on, site, name, abbreviation, foreign, changes
        )

    def _report_changes(
        self, registered_on: date, day: date, stopped_as: str | None
    ) -> list[dict[str, Any]]:
        """The status on the report's day is `stopped_as` (operating when None); what happens
        after that day follows the usual plans."""
        later = [
            change
            for change in self._status_changes(COOPERATIVE, registered_on)
            if date.fromisoformat(change["effective_date"]) > day
        ]
        if stopped_as is None:
            return later if later and later[0]["status"] != "operating" else []
        stopped_on = _day_between(self.rng, registered_on + timedelta(days=60), day)
        change: dict[str, Any] = {
            "status": stopped_as,
            "effective_date": stopped_on.isoformat(),
            "reason": self.rng.choice(vocabulary.REASONS["operating", stopped_as]),
        }
        if stopped_as == "suspended":
            change["suspended_until"] = (
                day + timedelta(days=self.rng.choice((60, 150)))
            ).isoformat()
        return [change]

    def _fit_ocop(self, report: Report, made: list[DemoOrganization]) -> None:
        """Exactly `ocop_products` products of `ocop_cooperatives` agricultural cooperatives
        certified by the report's day; other products of theirs come after it."""
        for organization in made:
            organization.body["ocop_products"] = [
                p
                for p in organization.body["ocop_products"]
                if date.fromisoformat(p["certified_on"]) > report.day
            ]
        farms = [o for o in made if o.body["sector"]["group"] == "agriculture"]
        chosen = self.rng.sample(farms, report.ocop_cooperatives)
        per = [report.ocop_products // report.ocop_cooperatives] * report.ocop_cooperatives
        for index in range(report.ocop_products % report.ocop_cooperatives):
            per[index] += 1
        for organization, products in zip(chosen, per, strict=True):
            body = organization.body
            earliest = max(date.fromisoformat(body["registered_on"]), date(2019, 6, 1))
            place = body["name"].rsplit(" ", 1)[-1]
            body["ocop_products"] += [
                {
                    "name": f"Sản phẩm {n + 1} {place}",
                    "stars": self.rng.choices((3, 4, 5), (70, 27, 3))[0],
                    "certified_on": _day_between(self.rng, earliest, report.day).isoformat(),
                }
                for n in range(products)
            ]

    def _built(
        self,
        kind: str,
        activity: vocabulary.Activity,
        registered_on: date,
        site: _Site,
        name: str,
        abbreviation: str | None,
        foreign: str | None,
        changes: list[dict[str, Any]] | None = None,
    ) -> DemoOrganization:
        members, workers = self._headcount(kind)
        capital = self._charter_capital(kind, members)
        if changes is None:
            changes = self._status_changes(kind, registered_on)
        final_status = changes[-1]["status"] if changes else "operating"
        stopped_on = date.fromisoformat(changes[-1]["effective_date"]) if changes else None
        website = self._website(kind, abbreviation or name)
        operating_in_practice = self._operating_in_practice(final_status)
        body: dict[str, Any] = {
            "registration_number": self._registration_number(site),
            "name": name,
            "name_foreign": foreign,
            "name_abbreviation": abbreviation,
            "kind": kind,
            "registered_on": registered_on.isoformat(),
            "registering_authority": self._authority(kind, site, registered_on),
            "address": self._address(site),
            "sector": {"group": activity.group, "vsic": self._vsic(activity)},
            "members_count": members,
            "workers_count": workers,
            "charter_capital": capital,
            "financials": self._financials(kind, capital, registered_on, final_status, stopped_on),
            "legal_representative": self._representative(kind),
            "contact": {
                "phone": self._phone(),
                "email": self._email(abbreviation or name, website),
                "website": website,
            },
            "ocop_products": self._ocop_products(kind, activity, site, registered_on),
            "digital": self._digital(kind, website is not None),
            "operating_in_practice": operating_in_practice,
            "last_verified_on": self._last_verified_on(operating_in_practice, registered_on),
            "effective_date": registered_on.isoformat(),
        }
        return DemoOrganization(body, changes)

    # --- what it does and when it started ----------------------------------------------------

    def _activity(self, kind: str) -> vocabulary.Activity:
        if kind == PEOPLES_CREDIT_FUND:
            return vocabulary.CREDIT_FUND_ACTIVITY
        choices = [
            a
            for a in vocabulary.ACTIVITIES
            if kind != COOPERATIVE_UNION or a.group in vocabulary.UNION_GROUPS
        ]
        # Cooperative groups are mostly farmers and fishers working side by side.
        boost = 1.5 if kind == COOPERATIVE_GROUP else 1.0
        return _pick(
            self.rng, choices, lambda a: a.weight * (boost if a.group == "agriculture" else 1)
        )

    def _registered_on(
        self, kind: str, after: date | None = None, until: date | None = None
    ) -> date:
        last = min(until or self.today - timedelta(days=1), self.today - timedelta(days=1))
        first = after + timedelta(days=1) if after else date(1997, 1, 1)
        last_year = min(REFORM_DAY.year, last.year)
        years = list(range(first.year, max(first.year, last_year) + 1))
        year = self.rng.choices(years, [_year_weight(kind, year) for year in years])[0]
        start = max(date(year, 1, 1), first)
        end = min(date(year, 12, 31), last)
        return _day_between(self.rng, start, end)

    # --- where it is, and what it is called --------------------------------------------------

    def _named_site(
        self,
        kind: str,
        activity: vocabulary.Activity,
        registered_on: date,
        legacy_province: str | None = None,
    ) -> tuple[_Site, str, str | None, str | None]:
        for _ in range(200):
            site = self._site(activity, registered_on, legacy_province)
            name, abbreviation, foreign = self._name(kind, activity, site)
            if name not in self.names:
                break
        else:
            name = f"{name} {len(self.names) + 1}"
        self.names.add(name)
        if self.rng.random() >= vocabulary.FOREIGN_NAME_RATES[kind]:
            foreign = None
        return site, name, abbreviation, foreign

    def _site(
        self, activity: vocabulary.Activity, registered_on: date, legacy_province: str | None
    ) -> _Site:
        def weight(name: str) -> float:
            if activity.group == "agriculture":
                return 1.0 if _is_urban(name) else 4.0
            return 2.0 if _is_urban(name) else 1.0

        legacy: LegacyCommune | None = None
        known = True
        places = [
            pair
            for pair in self.legacy_communes
            if legacy_province in (None, pair[0].province_code)
        ]
        if registered_on < REFORM_DAY and places:
            legacy, targets = _pick(self.rng, places, lambda pair: weight(pair[0].name))
            current = self.rng.choice(targets)
            known = len(targets) == 1 or self.rng.random() < 0.5
        else:
            current = _pick(self.rng, self.communes, lambda commune: weight(commune.name))
        urban = _is_urban(legacy.name if legacy else current.name)
        number = self.rng.randint(1, 12)
        if urban:
            hamlet = f"Khóm {number}"
            street = hamlet
            if self.rng.random() < 0.6:
                house = self.rng.randint(1, 350)
                street = f"Số {house} {self.rng.choice(vocabulary.STREETS)}, khóm {number}"
        else:
            use_name = self.rng.random() < 0.4
            hamlet = f"Ấp {self.rng.choice(vocabulary.HAMLETS) if use_name else number}"
            street = hamlet
        return _Site(current, legacy, known, hamlet, street)

    def _name(
        self, kind: str, activity: vocabulary.Activity, site: _Site
    ) -> tuple[str, str | None, str | None]:
        rng = self.rng
        commune_name = site.legacy.name if site.legacy else site.current.name
        commune_place = unit_short_name(commune_name)
        if kind == COOPERATIVE_GROUP:
            hamlet = site.hamlet[0].lower() + site.hamlet[1:]
            return f"Tổ hợp tác {activity.group_task} {hamlet} {_in_text(commune_name)}", None, None
        if kind == PEOPLES_CREDIT_FUND:
            place = commune_name if commune_place.isdigit() else commune_place
            return (
                f"Quỹ tín dụng nhân dân {place}",
                f"QTDND {place}",
                f"{without_diacritics(place)} People's Credit Fund",
            )
        if kind == COOPERATIVE_UNION:
            place = rng.choice(self._union_places(site))
            return (
                f"Liên hiệp Hợp tác xã {activity.title} {place}",
                f"LH HTX {activity.abbreviation} {place}",
                f"{without_diacritics(place)} {activity.english} Cooperative Union",
            )
        hamlet = site.hamlet.removeprefix("Ấp ")
        draw = rng.random()
        if draw < 0.6 and not commune_place.isdigit():
            place = commune_place
        elif draw < 0.75 and not hamlet.isdigit() and not _is_urban(commune_name):
            place = hamlet
        else:
            place = rng.choice(vocabulary.LUCKY_NAMES)
        return (
            f"Hợp tác xã {activity.title} {place}",
            f"HTX {activity.abbreviation} {place}",
            f"{without_diacritics(place)} {activity.english} Cooperative",
        )

    def _union_places(self, site: _Site) -> list[str]:
        """A union is named after the province or district (before the reform) it serves."""
        if site.legacy is None:
            names = [self.province.name, site.current.name]
        else:
            district = self.units.legacy_district(site.legacy.district_code)
            province = self.units.legacy_province(site.legacy.province_code)
            names = [unit.name for unit in (province, district) if unit is not None]
        places = [unit_short_name(name) for name in names]
        return [place for place in places if not place.isdigit()] or [self.province.short_name]

    def _address(self, site: _Site) -> dict[str, Any]:
        rng = self.rng
        legacy_codes = None
        if site.legacy is not None:
            legacy_codes = {
                "province_code": site.legacy.province_code,
                "district_code": site.legacy.district_code,
                "commune_code": site.legacy.code,
            }
        return {
            "street": site.street,
            "commune_code": site.current.code if site.commune_known else None,
            "province_code": self.province.code,
            "legacy": legacy_codes,
            "text": self._address_text(site),
            "lat": round(site.current.lat + rng.gauss(0, 0.008), 6),
            "lon": round(site.current.lon + rng.gauss(0, 0.008), 6),
        }

    def _address_text(self, site: _Site) -> str:
        """The address as written at registration: in legacy units before the reform."""
        if site.legacy is None:
            units = [site.current.name, self.province.name]
        else:
            district = self.units.legacy_district(site.legacy.district_code)
            province = self.units.legacy_province(site.legacy.province_code)
            units = [site.legacy.name]
            units += [district.name] if district else []
            units += [province.name] if province else []
        return ", ".join([site.street, *(_in_text(name) for name in units)])

    def _authority(self, kind: str, site: _Site, registered_on: date) -> str:
        province = self.province.name
        if site.legacy is not None:
            legacy_province = self.units.legacy_province(site.legacy.province_code)
            province = legacy_province.name if legacy_province else province
        if kind == COOPERATIVE_GROUP:
            commune = site.legacy.name if site.legacy else site.current.name
            return f"Ủy ban nhân dân {_in_text(commune)}"
        if kind == COOPERATIVE and site.legacy is not None:
            district = self.units.legacy_district(site.legacy.district_code)
            if district is not None:
                return f"Phòng Tài chính - Kế hoạch {_in_text(district.name)}"
        if registered_on < DPI_MERGER_DAY:
            return f"Sở Kế hoạch và Đầu tư {_in_text(province)}"
        return f"Sở Tài chính {_in_text(province)}"

    def _registration_number(self, site: _Site) -> str:
        prefix = site.legacy.province_code if site.legacy else self.province.code
        while True:
            number = f"{prefix}{self.rng.randrange(10**8):08d}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def _vsic(self, activity: vocabulary.Activity) -> list[str]:
        main, *others = activity.vsic
        extra = self.rng.randint(0, len(others))
        return [main, *self.rng.sample(others, extra)]

    # --- people and money --------------------------------------------------------------------

    def _headcount(self, kind: str) -> tuple[int, int]:
        rng = self.rng
        if kind == COOPERATIVE:
            members = _clamp(round(rng.lognormvariate(math.log(18), 0.8)), 7, 300)
            return members, _clamp(round(members * rng.uniform(0.4, 1.3)), 2, 400)
        if kind == COOPERATIVE_GROUP:
            members = _clamp(round(rng.lognormvariate(math.log(9), 0.6)), 2, 30)
            return members, _clamp(round(members * rng.uniform(0.6, 1.0)), 1, 30)
        if kind == PEOPLES_CREDIT_FUND:
            members = _clamp(round(rng.lognormvariate(math.log(1200), 0.6)), 200, 6000)
            return members, rng.randint(5, 22)
        return rng.randint(4, 15), rng.randint(3, 25)

    def _charter_capital(self, kind: str, members: int) -> int:
        rng = self.rng
        million = 1_000_000
        if kind == COOPERATIVE:
            return members * rng.choice((2, 3, 5, 10, 20, 30, 50)) * million
        if kind == COOPERATIVE_GROUP:
            return members * rng.choice((1, 2, 3, 5)) * million
        median = 4_000 if kind == PEOPLES_CREDIT_FUND else 2_000
        return round(rng.lognormvariate(math.log(median), 0.5)) * million

    def _financials(
        self,
        kind: str,
        capital: int,
        registered_on: date,
        final_status: str,
        stopped_on: date | None,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        last_year = self.today.year - 1
        if final_status != "operating" and stopped_on is not None:
            last_year = min(last_year, stopped_on.year)
        years = rng.randint(1, 3)
        first_year = max(registered_on.year, last_year - years + 1)
        turnover = (0.8, 1.8) if kind == PEOPLES_CREDIT_FUND else (0.5, 3.0)
        margin = (0.05, 0.2) if kind == PEOPLES_CREDIT_FUND else (-0.04, 0.15)
        revenue = capital * rng.uniform(*turnover)
        rows = []
        for year in range(first_year, last_year + 1):
            revenue *= rng.uniform(0.9, 1.15)
            profit = revenue * rng.uniform(*margin)
            rows.append(
                {"year": year, "revenue": _thousands(revenue), "profit": _thousands(profit)}
            )
        return rows

    def _representative(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        sex = "female" if rng.random() < 0.2 else "male"
        middle = _weighted(rng, vocabulary.MIDDLE_NAMES[sex])
        given = rng.choice([g for g in vocabulary.GIVEN_NAMES[sex] if g != middle])
        name = f"{_weighted(rng, vocabulary.SURNAMES)} {middle} {given}"
        if kind == COOPERATIVE_GROUP:
            title = "Tổ trưởng"
        else:
            title = rng.choice(("Giám đốc", "Chủ tịch Hội đồng quản trị"))
        return {
            "name": name,
            "title": title,
            "id_number": self._id_number(sex),
            "phone": self._phone(),
        }

    def _id_number(self, sex: str) -> str:
        """A citizen ID (CCCD): birth province, sex and century, year of birth, serial."""
        rng = self.rng
        birth_province = rng.choice(self.legacy_provinces or [self.province]).code
        born = rng.randint(1955, 1995)
        sex_digit = 0 if sex == "male" else 1
        return f"0{birth_province}{sex_digit}{born % 100:02d}{rng.randrange(10**6):06d}"

    def _phone(self) -> str:
        return f"0{self.rng.choice(vocabulary.MOBILE_PREFIXES)}{self.rng.randrange(10**7):07d}"

    def _website(self, kind: str, short_name: str) -> str | None:
        if self.rng.random() >= vocabulary.WEBSITE_RATES[kind]:
            return None
        return f"https://{_slug(short_name)}{self.rng.choice(('.vn', '.com.vn', '.com'))}"

    def _email(self, short_name: str, website: str | None) -> str:
        if website is not None:
            return f"lienhe@{website.removeprefix('https://')}"
        domain = self.rng.choice(("gmail.com", "gmail.com", "gmail.com", "yahoo.com"))
        return f"{_slug(short_name)}@{domain}"

    def _ocop_products(
        self, kind: str, activity: vocabulary.Activity, site: _Site, registered_on: date
    ) -> list[dict[str, Any]]:
        rng = self.rng
        if not activity.products or rng.random() >= vocabulary.OCOP_RATES[kind]:
            return []
        earliest = max(registered_on, date(2019, 6, 1))
        if earliest >= self.today:
            return []
        place = unit_short_name(site.legacy.name if site.legacy else site.current.name)
        if place.isdigit():
            place = self.province.short_name
        names = rng.sample(activity.products, rng.randint(1, min(2, len(activity.products))))
        return [
            {
                "name": f"{name} {place}",
                "stars": rng.choices((3, 4, 5), (70, 27, 3))[0],
                "certified_on": _day_between(rng, earliest, self.today).isoformat(),
            }
            for name in names
        ]

    def _digital(self, kind: str, has_website: bool) -> dict[str, bool]:
        flags = {
            name: self.rng.random() < rate for name, rate in vocabulary.DIGITAL_RATES[kind].items()
        }
        flags["website"] = has_website
        flags["internet"] = flags["internet"] or has_website
        # Keep the answers coherent: some uses need others.
        flags["accounting_software"] &= flags["computer"]
        for needs_internet in ("ecommerce", "e_invoice", "iot"):
            flags[needs_internet] &= flags["internet"]
        flags["e_invoice"] &= flags["digital_signature"]
        return {name: flags[name] for name in DIGITAL_FLAGS}

    # --- what happened since -----------------------------------------------------------------

    def _status_changes(self, kind: str, registered_on: date) -> list[dict[str, Any]]:
        rng = self.rng
        plans = [plan for plan, _ in vocabulary.STATUS_PLANS]
        weights = [weight for _, weight in vocabulary.STATUS_PLANS]
        if kind == PEOPLES_CREDIT_FUND:
            weights = [
                0.95 if not plan else weight / 10 for plan, weight in vocabulary.STATUS_PLANS
            ]
        plan = rng.choices(plans, weights)[0]
        changes: list[dict[str, Any]] = []
        floor = registered_on + timedelta(days=180)
        previous, previous_day = "operating", registered_on
        for index, status in enumerate(plan):
            latest = self.today - timedelta(days=30 * (len(plan) - 1 - index))
            gap = vocabulary.FOLLOW_UP_DAYS.get((previous, status))
            if gap is not None:
                low = previous_day + timedelta(days=gap[0])
                high = min(latest, previous_day + timedelta(days=gap[1]))
            else:
                low, high = floor, latest
                if index == len(plan) - 1 and status in ("suspended", "dissolving"):
                    low = max(low, self.today - timedelta(days=730))
            if low > high:
                return []  # too young for this history: it is simply still operating
            day = _day_between(rng, low, high)
            change = {
                "status": status,
                "effective_date": day.isoformat(),
                "reason": rng.choice(vocabulary.REASONS[previous, status]),
            }
            if status == "suspended":
                months = rng.choice((3, 6, 12))
                change["suspended_until"] = (day + timedelta(days=30 * months)).isoformat()
            changes.append(change)
            previous, previous_day, floor = status, day, day + timedelta(days=1)
        return changes

    def _operating_in_practice(self, status: str) -> str:
        answers = ("yes", "nominal", "not_at_address", "unknown")
        if status == "operating":
            weights: tuple[float, ...] = (0.8, 0.1, 0.04, 0.06)
        elif status in ("suspended", "dissolving"):
            weights = (0.05, 0.45, 0.15, 0.35)
        else:
            weights = (0.0, 0.2, 0.2, 0.6)
        return self.rng.choices(answers, weights)[0]

    def _last_verified_on(self, operating_in_practice: str, registered_on: date) -> str | None:
        if operating_in_practice == "unknown":
            return None
        earliest = max(registered_on, self.today - timedelta(days=3 * 365))
        return _day_between(self.rng, earliest, self.today).isoformat()


def _year_weight(kind: str, year: int) -> float:
    if kind == PEOPLES_CREDIT_FUND:
        return 6 if year <= 2003 else 1 if year <= 2012 else 0.3
    if kind == COOPERATIVE_UNION:
        return 0.3 if year < 2010 else 1 if year <= 2018 else 3
    if kind == COOPERATIVE_GROUP:
        return 0.5 if year <= 2008 else 3 if year <= 2018 else 5
    # Old cooperatives re-registered under the 1996 law, then the rural-development push.
    return 5 if year <= 1999 else 2 if year <= 2012 else 4 if year <= 2018 else 6


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _fit_total(bodies: list[dict[str, Any]], key: str, total: int, minimum: int) -> None:
    """Scale the values of `key` so that they add up to `total` exactly, each at least
    `minimum`, keeping their proportions as far as whole numbers allow."""
    values = [body[key] for body in bodies]
    scaled = [max(minimum, round(v * total / sum(values))) for v in values]
    step = 1 if sum(scaled) < total else -1
    index = 0
    while sum(scaled) != total:
        position = index % len(scaled)
        if step > 0 or scaled[position] > minimum:
            scaled[position] += step
        index += 1
    for body, value in zip(bodies, scaled, strict=True):
        body[key] = value


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _thousands(amount: float) -> int:
    return round(amount / 1000) * 1000


def _is_urban(unit_name: str) -> bool:
    return unit_name.casefold().startswith(("phường", "thị trấn"))


def _in_text(unit_name: str) -> str:
    """A unit as written inside an address: "Xã Tân Hưng" -> "xã Tân Hưng"."""
    short = unit_short_name(unit_name)
    unit_type = unit_name[: len(unit_name) - len(short)]
    return unit_type.lower() + short


def _slug(text: str) -> str:
    return "".join(char for char in fold(text) if char.isascii() and char.isalnum())


def _pick(rng: random.Random, items: Sequence[T], weight: Callable[[T], float]) -> T:
    return rng.choices(items, [weight(item) for item in items])[0]
