"""Wires the search service together: the index engine the settings choose, and its consumer."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.library_port import DocumentIndex
from hoptac.search.adapters.port import SearchIndex
from hoptac.search.domain.places import PlaceFinder
from hoptac.search.settings import SearchSettings


@cache
def place_finder() -> PlaceFinder:
    """The places suggestions offer as filters, from the official units (built once, 0.1 s)."""
    return PlaceFinder(official_areas())


def build_index(settings: SearchSettings, writable: bool = True) -> SearchIndex:
    """tantivy under <var_dir>/search by default; OpenSearch when its URL is set."""
    if settings.engine == "opensearch":
        from hoptac.search.adapters.opensearch_index import OpenSearchIndex

        if not settings.opensearch_url:
            raise ValueError("HOPTAC_SEARCH_BACKEND=opensearch needs HOPTAC_SEARCH_OPENSEARCH_URL")
        return OpenSearchIndex(settings.opensearch_url, settings.opensearch_index)
    from hoptac.search.adapters.tantivy_index import TantivyIndex

    return TantivyIndex(
        settings.tantivy_dir,
        writable,
        settings.writer_heap_bytes,
        settings.search_processes if writable else 0,  # reader processes serve searches
    )


def build_library_index(settings: SearchSettings) -> DocumentIndex:
    """The policy library's documents, on the same engine as the organisations."""
    if settings.engine == "opensearch" and settings.opensearch_url:
        from hoptac.search.adapters.opensearch_library_index import OpenSearchLibraryIndex

        return OpenSearchLibraryIndex(settings.opensearch_url, settings.opensearch_library_index)
    from hoptac.search.adapters.library_index import LibraryIndex

    return LibraryIndex(library_index_dir(settings))


def library_index_dir(settings: SearchSettings) -> Path:
    """The policy library's index, beside the organisations' (<var_dir>/search-library)."""
    tantivy_dir = settings.tantivy_dir
    return settings.library_index_dir or tantivy_dir.with_name(f"{tantivy_dir.name}-library")
