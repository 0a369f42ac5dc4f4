"""Places named in what someone types, to offer as a search filter ("huyện Cái Nước" →
district=969): current provinces and communes, and the provinces, districts and communes from
before the 1 July 2025 reorganisation, matched by their names with or without the unit type
("xã", "huyện", "TP."…), with or without diacritics, the last word as it is being typed."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hoptac.search.domain import text
from hoptac.search.domain.areas import AreaDirectory, Unit

MAX_PLACES = 5


@dataclass(frozen=True)
class Place:
    filter: str  # the /v1/search parameter: province, commune or district
    code: str
    name: str  # as officially written, with its unit type: "Huyện Cái Nước"
    within: str | None  # the units it belongs to: "Tỉnh Cà Mau"
    former: bool  # a unit from before the reorganisation
    unit_type: tuple[str, ...]  # folded: ("huyen",)
    key: tuple[str, ...]  # the name without its unit type, folded: ("cai", "nuoc")
    exact_key: tuple[str, ...]  # the same with its diacritics (exact keys)

    def answer(self) -> dict[str, object]:
        return {
            "filter": self.filter,
            "code": self.code,
            "name": self.name,
            "within": self.within,
            "former": self.former,
        }


def _place(filter_: str, unit: Unit, within: list[str | None], former: bool) -> Place | None:
    words = text.words(unit.name)
    length = text.unit_type_length(words)
    key = words[length:]
    if not key:
        return None
    return Place(
        filter=filter_,
        code=unit.code,
        name=unit.name,
        within=", ".join(w for w in within if w) or None,
        former=former,
        unit_type=tuple(text.fold(w) for w in words[:length]),
        key=tuple(text.fold(w) for w in key),
        exact_key=tuple(text.exact(w) for w in key),
    )


def _places(directory: AreaDirectory) -> Iterable[Place | None]:
    def name(units: dict[str, Unit], code: str | None) -> str | None:
        unit = units.get(code or "")
        return unit.name if unit else None

    for unit in directory.provinces.values():
        yield _place("province", unit, [], former=False)
    for unit in directory.communes.values():
        yield _place("commune", unit, [name(directory.provinces, unit.parent)], former=False)
    for unit in directory.legacy_provinces.values():
        current = directory.provinces.get(unit.code)
        if current is None or current.name != unit.name:  # a province that kept its name is one
            yield _place("province", unit, [], former=True)
    for unit in directory.legacy_districts.values():
        within = [name(directory.legacy_provinces, unit.parent)]
        yield _place("district", unit, within, former=True)
    for unit in directory.legacy_communes.values():
        district = directory.legacy_districts.get(unit.parent or "")
        province = name(directory.legacy_provinces, district.parent) if district else None
        within = [district.name if district else None, province]
        yield _place("commune", unit, within, former=True)


class PlaceFinder:
    def __init__(self, directory: AreaDirectory) -> None:
        # by their first two words (one for a one-word name), and, for the word being typed,
        # by their first word then the second in order: a prefix is a range found by bisection
        self._by_two: dict[tuple[str, ...], list[Place]] = defaultdict(list)
        by_first: dict[str, list[tuple[str, Place]]] = defaultdict(list)
        for place in _places(directory):
            if place is not None:
                self._by_two[place.key[:2]].append(place)
                if len(place.key) > 1:
                    by_first[place.key[0]].append((place.key[1], place))
        self._seconds = {
            first: ([second for second, _ in pairs], [place for _, place in pairs])
            for first, pairs in by_first.items()
            for pairs in [sorted(pairs, key=lambda pair: pair[0])]
        }

    def _candidates(self, folded: list[str], start: int) -> list[Place]:
        places = list(self._by_two.get((folded[start],), ()))
        if start + 2 == len(folded):  # the next word is being typed: any name it begins
            seconds, ordered = self._seconds.get(folded[start], ([], []))
            typed = folded[start + 1]
            places += ordered[bisect_left(seconds, typed) : bisect_right(seconds, typed + "~")]
        elif start + 1 < len(folded):
            places += self._by_two.get((folded[start], folded[start + 1]), ())
        return places

    def find(self, q: str, limit: int = MAX_PLACES) -> list[Place]:
        """The places whose name the words hold, best first: a longer name, the unit type
        typed before it, the diacritics as typed, the units it belongs to named too."""
        typed = text.analyse(q)
        folded = [text.fold(w) for w in typed]
        found: list[tuple[int, range, Place]] = []
        for start in range(len(folded)):
            for place in self._candidates(folded, start):
                score = _score(place, typed, folded, start)
                if score > 0:
                    found.append((score, range(start, start + len(place.key)), place))
        # "Chí Minh" inside "Hồ Chí Minh" is not a place that was meant
        spans = {span for _, span, _ in found}
        best: dict[tuple[str, str, bool], tuple[int, Place]] = {}
        for score, span, place in found:
            if any(_inside(span, other) for other in spans):
                continue
            ident = (place.filter, place.code, place.former)
            if score > best.get(ident, (0, place))[0]:
                best[ident] = (score, place)
        ranked = sorted(best.values(), key=lambda s: (-s[0], s[1].former, s[1].name))
        return [place for _, place in ranked[:limit]]


def _inside(span: range, other: range) -> bool:
    return span != other and other.start <= span.start and span.stop <= other.stop


def _score(place: Place, typed: list[str], folded: list[str], start: int) -> int:
    end = start + len(place.key)
    if end > len(folded):
        return 0
    run = folded[start:end]
    last_is_typing = end == len(folded)
    if run[:-1] != list(place.key[:-1]):
        return 0
    if not (run[-1] == place.key[-1] or (last_is_typing and place.key[-1].startswith(run[-1]))):
        return 0
    before = tuple(folded[max(start - len(place.unit_type), 0) : start])
    typed_unit = before == place.unit_type
    if len(place.key) == 1 and not typed_unit and len(folded) > 1:
        return 0  # "Phường 1", "Thị trấn Dùng": one word is a place only with its unit type
    score = 10 * len(place.key) + (5 if typed_unit else 0)
    marked = [w for w in typed[start:end] if text.has_marks(w)]
    if marked and all(
        text.exact(w) == k for w, k in zip(typed[start:end], place.exact_key, strict=True)
    ):
        score += 3
    if place.within:
        outside = set(folded[:start] + folded[end:])
        score += sum(2 for w in text.words(place.within) if text.fold(w) in outside)
    return score - (0 if place.former else -1)
