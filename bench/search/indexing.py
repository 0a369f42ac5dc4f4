"""Indexing rates in this process: raw tantivy next to our two write paths.

- raw tantivy: documents with every field value already computed, added by one writer and
  committed once (the engine's own ceiling for this schema on this machine);
- rebuild path: event bodies → validation → Vietnamese analysis → batches of 1000 into a new
  generation, as `hoptac search reindex` does;
- stream path: the same in batches of the consumer's size, one commit per batch (what the
  service does when it follows the stream), on a subset.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from bench.search.corpus import Organisation
from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.tantivy_index import TantivyIndex
from hoptac.search.adapters.tantivy_schema import build_schema, fields_of, register_analyzers
from hoptac.search.domain.documents import document_from_record
from hoptac.search.domain.filters import by_name
from hoptac.search.domain.query import parse_search
from hoptac.search.handlers import decode_all

FILTERS = by_name()


@dataclass(frozen=True)
class Rate:
    what: str
    documents: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else float("nan")


def raw_tantivy(organisations: list[Organisation], path: Path, heap: int, threads: int) -> Rate:
    areas = official_areas()  # the same documents as the service's, units' names included
    fields = [fields_of(document_from_record(o.record, areas)) for o in organisations]
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(build_schema(), path=str(path))
    register_analyzers(index)
    writer = index.writer(heap, threads)
    started = time.perf_counter()
    for values in fields:
        writer.add_document(tantivy.Document(**values))
    writer.commit()
    writer.wait_merging_threads()
    return Rate(
        f"raw tantivy ({threads} indexing threads, one commit)",
        len(fields),
        time.perf_counter() - started,
    )


async def rebuild_path(bodies: list[bytes], root: Path, batch: int = 1000) -> Rate:
    """Into a new generation under `root`, switched to at the end (the service's index)."""
    index = TantivyIndex(root, writable=False)
    started = time.perf_counter()
    build = await index.start_build()
    for start in range(0, len(bodies), batch):
        changes, _ = decode_all(bodies[start : start + batch])
        await build.apply(changes, None)  # no change-log position: these never were in one
    await build.finish()
    await index.switch_to(build)
    elapsed = time.perf_counter() - started
    await index.close()
    return Rate(f"ours, rebuild path (batches of {batch})", len(bodies), elapsed)


async def stream_path(bodies: list[bytes], root: Path, batch: int = 256) -> Rate:
    index = TantivyIndex(root)
    started = time.perf_counter()
    for start in range(0, len(bodies), batch):
        changes, last = decode_all(bodies[start : start + batch])
        await index.apply(changes, last)
    elapsed = time.perf_counter() - started
    await index.close()
    return Rate(f"ours, stream path (a commit per {batch})", len(bodies), elapsed)


def index_latencies(root: Path, queries: list[tuple[str, dict[str, Any]]]) -> list[float]:
    """Seconds per query answered by the index alone (no HTTP), one at a time: the floor under
    the HTTP figures, and less sensitive to other load on the machine."""
    index = TantivyIndex(root, writable=False)
    generation = index.current
    seconds = []
    for path, params in queries:
        started = time.perf_counter()
        if path == "/v1/suggest":
            generation.suggest(params["q"], 10)
        else:
            filters = {k: [v] for k, v in params.items() if k in FILTERS}
            generation.search(
                parse_search(params.get("q"), filters, params.get("bbox"), params.get("sort"))
            )
        seconds.append(time.perf_counter() - started)
    return seconds
