"""tantivy queries for a search, a suggestion and the filters, built from analysed words.

The same words as the documents: `domain.text` analyses the query, so folded and exact keys,
abbreviations and NFC/NFD are handled before tantivy sees anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import tantivy

from hoptac.search.adapters.port import LIVE
from hoptac.search.domain import text
from hoptac.search.domain.filters import by_name
from hoptac.search.domain.query import BoundingBox, SearchQuery

MAX_COMPLETIONS = 20  # as-you-type expansions of the last word, the most frequent first
COMMON_SHARE = 0.2  # a word in more than this share of names only ranks (see text_query)…
COMMON_MIN_DOCUMENTS = 1000  # …once there are enough names for the share to mean something
FILTERS = by_name()  # the declared filters, by their parameter name


class Vocabulary:
    """What the index knows about the folded words of a query."""

    def __init__(
        self,
        frequency: Callable[[str], int],
        documents: int,
        completions: Callable[[str], list[str]] | None = None,
        name_frequency: Callable[[str], int] | None = None,
        shared_frequency: Callable[[str], int] | None = None,
    ) -> None:
        self._frequency = frequency
        self.documents = documents
        self._completions = completions
        self._name_frequency = name_frequency or frequency
        self._shared_frequency = shared_frequency or frequency

    def places(self, keys: list[str]) -> list[str]:
        """The unit-name keys some organisation holds: only those are worth a clause (a word
        that must match one of several terms costs far more than one that must match one)."""
        return [key for key in keys if self._shared_frequency(key) > 0]

    def knows(self, word: str) -> bool:
        """A word no name or address holds may be a typo: it is also matched fuzzily."""
        return self._frequency(word) > 0

    def is_common(self, word: str) -> bool:
        """A word in most names ("hợp tác xã"). Counted in names only: words that places and
        business lines give many organisations ("nông nghiệp", "sơn") still tell them apart."""
        if self.documents < COMMON_MIN_DOCUMENTS:
            return False
        return self._name_frequency(word) > COMMON_SHARE * self.documents

    def completions(self, prefix: str) -> list[str]:
        return self._completions(prefix) if self._completions else []


EVERY_WORD_KNOWN = Vocabulary(lambda _: 1, 1_000_000)

BOOST_ALL = 1.0  # the word is one of the organisation's words…
BOOST_NAME_FOLDED = 2.0  # …of its name…
BOOST_NAME_EXACT = 2.0  # …with the same diacritics
BOOST_OTHER_EXACT = 0.6
BOOST_FUZZY = 0.4
BOOST_PREFIX = 0.6
BOOST_PHRASE = 2.0
BOOST_PLACE_PHRASE = 5.0  # "xã Vĩnh Lộc" typed with its unit type: that place, above names
TIER = 100.0  # relaxed: each word an organisation holds; above any sum of the other boosts
BOOST_IN_ORDER = 5.0
BOOST_REGISTRATION = 1000.0
BOOST_REGISTRATION_PREFIX = 50.0


class QueryBuilder:
    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema

    def term(self, field: str, value: str, boost: float = 1.0) -> tantivy.Query:
        query = tantivy.Query.term_query(self.schema, field, value)
        return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)

    def prefix(self, field: str, value: str, boost: float) -> tantivy.Query:
        query = tantivy.Query.regex_query(self.schema, field, re.escape(value) + ".*")
        return tantivy.Query.boost_query(query, boost)

    def any_of(self, queries: list[tantivy.Query]) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])

    def all_of(self, queries: list[tantivy.Query]) -> tantivy.Query:
        if not queries:
            return tantivy.Query.all_query()
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])

    def live(self) -> tantivy.Query:
        return tantivy.Query.const_score_query(self.term("state", LIVE), 0.0)

    def text_query(
        self,
        q: str,
        as_you_type: bool,
        vocabulary: Vocabulary | None = None,
        relaxed: bool = False,
    ) -> tantivy.Query | None:
        """Every word must be among the organisation's words (name, abbreviation, foreign name,
        address, products' names; or, with a neighbouring word of the query, its units' and
        business lines' names), folded; a word the index
        does not know may be a typo and matches fuzzily; the last word as you type matches its
        completions; an abbreviation with several meanings matches any of them; a unit type
        before a place's name ("huyện") is optional. Words in most names ("hợp tác xã") count
        only within the phrase, unless the query has nothing else: as single words they would
        cost much and rank nothing. Matches in the name, with the same diacritics, as a phrase,
        or of a registration number rank higher.

        `relaxed` (asked when nothing matches every word): any word will do, and each word
        matched counts TIER, above any other score, so that the more words an organisation
        holds the higher it ranks; a stray word lowers the score instead of emptying the answer."""
        vocabulary = vocabulary or EVERY_WORD_KNOWN
        slots = text.query_slots(q)
        common = [
            s.single is not None and not s.optional and vocabulary.is_common(text.fold(s.single))
            for s in slots
        ]
        require_common = all(c for c, s in zip(common, slots, strict=True) if not s.optional)
        skipped = [c and not require_common for c in common]
        places = [
            []
            if skipped[p] or slots[p].optional
            else vocabulary.places(text.neighbour_keys(slots, p))
            for p in range(len(slots))
        ]
        pairs = {} if relaxed else _pairs(slots, places, skipped, as_you_type)
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for position, slot in enumerate(slots):
            last = as_you_type and position == len(slots) - 1
            if skipped[position]:
                continue  # it would hardly change a score (idf ≈ 0), and scoring it is costly
            if slot.optional:
                clauses.append((tantivy.Occur.Should, self.term("all_f", text.fold(slot.words[0]))))
            elif position in pairs:
                clauses.append((tantivy.Occur.Must, self._pair(slots, places, position, pairs)))
            elif position - 1 not in pairs:
                need = self._slot_required(slot, last, vocabulary, places[position])
                if relaxed:
                    tier = tantivy.Query.const_score_query(need, TIER)
                    clauses.append((tantivy.Occur.Should, tier))
                else:
                    clauses.append((tantivy.Occur.Must, need))
            clauses += [(tantivy.Occur.Should, q) for w in slot.words for q in self._ranking(w)]
        named = next((p for p, skip in enumerate(skipped) if not skip), 0)
        clauses += [(tantivy.Occur.Should, q) for q in self._phrases(slots, named)]
        words_query = self._scored(clauses, as_you_type) if clauses else None
        if not text.looks_like_registration_number(q):
            return words_query
        key = text.registration_key(q)
        number = [self.term("regno", key, BOOST_REGISTRATION)]
        if len(key) >= 4:
            number.append(self.prefix("regno", key, BOOST_REGISTRATION_PREFIX))
        return self.any_of(number + ([words_query] if words_query is not None else []))

    def _scored(
        self, clauses: list[tuple[tantivy.Occur, tantivy.Query]], as_you_type: bool
    ) -> tantivy.Query:
        """The required clauses, each optional one adding its score where they match. tantivy
        merges several optional clauses into one union, which reads every posting of each of
        them near the required matches; one optional clause beside a required one is only
        moved to the required matches (skip lists). So a search chains each optional clause on
        its own: the same matches and sums of scores, for about a fifth less time. As you type,
        the words so far match thousands of organisations, for which the union is cheaper
        (chained, suggestions took a tenth more time)."""
        required = [q for occur, q in clauses if occur == tantivy.Occur.Must]
        if as_you_type or not required:  # without a required clause, any will do: a union
            return tantivy.Query.boolean_query(clauses)
        scored = self.all_of(required)
        for occur, optional in clauses:
            if occur == tantivy.Occur.Should:
                scored = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, scored), (tantivy.Occur.Should, optional)]
                )
        return scored

    def _pair(
        self,
        slots: list[text.Slot],
        places: list[list[str]],
        position: int,
        pairs: dict[int, str],
    ) -> tantivy.Query:
        """Two neighbouring words that a shared name holds as a pair: both among the
        organisation's own words (or in their other pairs), or that pair. The same matches as
        a clause per word, each a union with the pair, but tantivy intersects one union of an
        intersection and a term much faster than two unions."""
        key = pairs[position]
        words = [slots[position].single, slots[position + 1].single]
        both = [
            self._required(str(word), False, EVERY_WORD_KNOWN, [k for k in keys if k != key])
            for word, keys in zip(words, places[position : position + 2], strict=True)
        ]
        return self.any_of([self.all_of(both), self.term("shared_k", key, BOOST_ALL)])

    def _phrases(self, slots: list[text.Slot], named: int) -> list[tantivy.Query]:
        """The words from `named` on as a phrase in the name, without the words most names
        start with ("hợp tác xã", skipped as words too): they would rank nothing, and a phrase
        reads the positions of each of its words (a sixth of tantivy's time). A unit type and
        the words after it as a phrase in the units' names ("huyện cái nước" ranks the district
        above the commune Cái Nước)."""
        words: list[str | tuple[int, str]] = [
            text.fold(w) for s in slots[named:] for w in s.alternatives[0]
        ]
        out = []
        if len(words) > 1:
            phrase = tantivy.Query.phrase_query(self.schema, "name_f", words, slop=1)
            out.append(tantivy.Query.boost_query(phrase, BOOST_PHRASE))
        for place in text.place_phrases(slots):
            terms: list[str | tuple[int, str]] = list(place)
            phrase = tantivy.Query.phrase_query(self.schema, "shared_f", terms, slop=0)
            out.append(tantivy.Query.boost_query(phrase, BOOST_PLACE_PHRASE))
        return out

    def suggestion_query(
        self, q: str, vocabulary: Vocabulary | None = None
    ) -> tantivy.Query | None:
        """As you type: the words so far, the last one a prefix; names that start that way, or
        hold those words in that order, first."""
        words_query = self.text_query(q, True, vocabulary)
        vocabulary = vocabulary or EVERY_WORD_KNOWN
        tokens = [text.fold(w) for s in text.query_slots(q) for w in s.alternatives[0]]
        while tokens and vocabulary.is_common(tokens[0]):
            tokens = tokens[1:]  # "hợp tác xã chăn nu": the order of "chăn nu…" is what tells
        if words_query is None or len(tokens) < 2:
            return words_query  # one word: the required completion already says it all
        words: list[str | tuple[int, str]] = list(tokens)
        in_order = tantivy.Query.phrase_prefix_query(self.schema, "name_f", words)
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, words_query),
                (tantivy.Occur.Should, tantivy.Query.boost_query(in_order, BOOST_IN_ORDER)),
            ]
        )

    def _required(
        self, token: str, prefix: bool, vocabulary: Vocabulary, places: Sequence[str] = ()
    ) -> tantivy.Query:
        """The word among the organisation's own words, or in a shared name (a unit's, a
        business line's) with its neighbour in the query (`places`: `text.neighbour_keys`)."""
        folded = text.fold(token)
        found = self.term("all_f", folded, BOOST_ALL)
        ways = [found, *(self.term("shared_k", key, BOOST_ALL) for key in places)]
        if len(folded) >= 3 and not folded.isdigit() and not vocabulary.knows(folded):
            distance = 1 if len(folded) < 7 else 2
            fuzzy = tantivy.Query.fuzzy_term_query(self.schema, "all_f", folded, distance, True)
            ways.append(tantivy.Query.boost_query(fuzzy, BOOST_FUZZY))
        if prefix:
            if vocabulary is EVERY_WORD_KNOWN:
                ways.append(self.prefix("all_f", folded, BOOST_PREFIX))
            else:  # the most frequent completions: bounded, where a regex over terms is not;
                # those in most names would match nearly everything and cost the most
                completions = [
                    w
                    for w in vocabulary.completions(folded)
                    if w != folded and not vocabulary.is_common(w)
                ]
                ways += [self.term("all_f", w, BOOST_PREFIX) for w in completions]
        return found if len(ways) == 1 else self.any_of(ways)

    def _slot_required(
        self, slot: text.Slot, prefix: bool, vocabulary: Vocabulary, places: Sequence[str]
    ) -> tantivy.Query:
        if slot.single is not None:
            return self._required(slot.single, prefix, vocabulary, places)
        return self.any_of(
            [
                self.all_of(
                    [
                        self._required(word, prefix and n == len(alternative) - 1, vocabulary)
                        for n, word in enumerate(alternative)
                    ]
                )
                for alternative in slot.alternatives
            ]
        )

    def _ranking(self, token: str) -> list[tantivy.Query]:
        """What makes a match rank higher: in the name, and with the same diacritics."""
        ways = [self.term("name_f", text.fold(token), BOOST_NAME_FOLDED)]
        if text.has_marks(token):
            exact = text.exact(token)
            ways.append(self.term("name_x", exact, BOOST_NAME_EXACT))
            ways.append(self.term("other_x", exact, BOOST_OTHER_EXACT))
        return ways

    def filters(self, query: SearchQuery) -> list[tantivy.Query]:
        out = [self.live()]
        for name, values in query.filters.items():
            declared = FILTERS[name]
            field = declared.field
            if declared.all_of:
                matches = [self.term(field, v) for v in values]
            else:
                matches = [self.any_of([self.term(field, v) for v in values])]
            out.extend(tantivy.Query.const_score_query(m, 0.0) for m in matches)
        if query.bbox is not None:
            out.append(tantivy.Query.const_score_query(self.within(query.bbox), 0.0))
        return out

    def within(self, box: BoundingBox) -> tantivy.Query:
        lat = tantivy.Query.range_query(
            self.schema, "lat", tantivy.FieldType.Float, box.min_lat, box.max_lat
        )
        lon = tantivy.Query.range_query(
            self.schema, "lon", tantivy.FieldType.Float, box.min_lon, box.max_lon
        )
        return self.all_of([lat, lon])


def _pairs(
    slots: list[text.Slot], places: list[list[str]], skipped: list[bool], as_you_type: bool
) -> dict[int, str]:
    """Where two neighbouring plain words form a pair some shared name holds (from the left,
    not overlapping): first position → the pair's key. Not the word being typed."""
    pairs: dict[int, str] = {}
    end = len(slots) - (2 if as_you_type else 1)
    position = 0
    while position < end:
        first, second = slots[position], slots[position + 1]
        plain = not (first.optional or second.optional or any(skipped[position : position + 2]))
        if plain and first.single is not None and second.single is not None:
            key = f"{text.fold(first.single)}_{text.fold(second.single)}"
            if key in places[position]:
                pairs[position] = key
                position += 2
                continue
        position += 1
    return pairs
