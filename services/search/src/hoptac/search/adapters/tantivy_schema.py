"""The tantivy schema and analyzers, and the fields one organisation is indexed with.

Analyzers are not stored in the index: `register_analyzers` runs after every open.
Text arrives already analysed by `domain.text` (folded and exact keys joined by spaces), so the
analyzers only split on spaces and lower-case; `ascii_fold` on the folded fields is a safety net.
"""

from __future__ import annotations

from typing import Any

import orjson
import tantivy

from hoptac.search.adapters.port import LIVE, META, META_ID, REMOVED
from hoptac.search.adapters.tantivy_facets import add_code_columns, code_values
from hoptac.search.domain import text
from hoptac.search.domain.documents import SearchDocument
from hoptac.search.domain.filters import FILTERS

FOLDED = "vi_folded"
EXACT = "vi_exact"


# How much each way of matching a query word counts.
def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("state", tokenizer_name="raw")
    sb.add_integer_field("version", stored=True, indexed=True, fast=True)
    sb.add_bytes_field("item", stored=True)
    # name_f/name_x: the name's words, with positions for phrases; all_f: the organisation's
    # own words (name, abbreviation, foreign name, address, OCOP products) folded, what a query
    # word must match, or else shared_k: the names it shares with thousands (its units', its
    # business lines') as pairs of neighbouring words (tan_phu), so that their words match
    # together; other_x: the own non-name words with their diacritics, which only rank;
    # shared_f: the shared names with positions, for a place typed with its unit type ("huyện
    # Cái Nước") and to know their words (no fuzzy matching for them).
    sb.add_text_field("name_f", tokenizer_name=FOLDED)
    sb.add_text_field("name_x", tokenizer_name=EXACT)
    sb.add_text_field("all_f", tokenizer_name=FOLDED, index_option="freq")
    sb.add_text_field("other_x", tokenizer_name=EXACT, index_option="freq")
    sb.add_text_field("shared_f", tokenizer_name=FOLDED)
    sb.add_text_field("shared_k", tokenizer_name=FOLDED, index_option="basic")
    sb.add_text_field("regno", tokenizer_name="raw")
    for declared in FILTERS:  # in their order: an index opens only with its own schema
        sb.add_text_field(declared.field, tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_float_field("lat", indexed=True, fast=True)
    sb.add_float_field("lon", indexed=True, fast=True)
    sb.add_text_field("name_sort", tokenizer_name="raw", fast=True, index_option="basic")
    add_code_columns(sb)
    sb.add_integer_field("registered", indexed=True, fast=True)
    return sb.build()


def register_analyzers(index: tantivy.Index) -> None:
    folded = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
    exact = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.lowercase())
        .build()
    )
    index.register_tokenizer(FOLDED, folded)
    index.register_tokenizer(EXACT, exact)


def to_tantivy(document: SearchDocument) -> tantivy.Document:
    return tantivy.Document.from_dict(fields_of(document))  # what Document(**fields) does


_INDEXED = tuple((declared.field, declared.read_indexed) for declared in FILTERS)


def fields_of(document: SearchDocument) -> dict[str, Any]:
    """The values of every field for one organisation, analysed (what tantivy is given)."""
    words = document.own_words()
    shared = document.shared()
    fields: dict[str, Any] = {
        "id": document.id,
        "state": LIVE,
        "version": document.version,
        "item": orjson.dumps(document.item()),
        "name_f": words.name_folded,
        "name_x": words.name_exact,
        "all_f": words.all_folded,
        "other_x": words.own_exact,
        "shared_f": shared.folded,
        "shared_k": shared.keys,
        "regno": text.registration_key(document.registration_number),
        "name_sort": words.sort_name,
        **code_values(document),
        "registered": document.registered_on.toordinal(),
    }
    for field, read_indexed in _INDEXED:
        if values := read_indexed(document):
            fields[field] = values
    if document.lat is not None and document.lon is not None:
        fields["lat"] = float(document.lat)
        fields["lon"] = float(document.lon)
    return fields


def tombstone(organization_id: str, version: int) -> tantivy.Document:
    return tantivy.Document(id=organization_id, state=REMOVED, version=version)


def meta_document(last_sequence: int) -> tantivy.Document:
    return tantivy.Document(id=META_ID, state=META, version=last_sequence)
