"""Search's CPU per event in an import's burst, in this process: registry-shaped events (the
record and a change per field, as a registration carries them) given to the projection's
handler in batches of the consumer's size, each batch one commit into a fresh index.

    .venv/bin/python bench/search/per_event.py [--events 10000 --batch 2500 --rounds 3]
    .venv/bin/python bench/search/per_event.py --events 50000 --batch 1100,2200 --rounds 5

Prints, per round, the CPU microseconds per event of reading an event into its document
(`decode`) and of `Projection.handle` with tantivy's work (its threads count too: CPU time of
the whole process), then the medians. Several batch sizes (an approval's pace times the burst
spacings compared) are taken in turn in each round, in the reverse order every other round.
No NATS here: the consumer's fetch and acknowledgements come on top in the service
(`bench/import/run.py` measures the whole process).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench.*` from the repo root

from bench.search.corpus import generate
from hoptac.platform.consumer import Message
from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.tantivy_index import TantivyIndex
from hoptac.search.handlers import Projection, decode


def registration(body: bytes) -> bytes:
    """The event with a change per field of its record, before nothing, as the registry sends
    a registration."""
    event = orjson.loads(body)
    changes: list[dict[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key, inner in value.items():
                walk(f"{prefix}{key}.", inner)
        else:
            changes.append({"field": prefix[:-1], "before": None, "after": value})

    walk("", event["data"]["record"])
    event["data"]["changed_fields"] = changes
    return orjson.dumps(event)


def per_event(seconds: float, events: int) -> float:
    return seconds / events * 1e6


def decoding(bodies: list[bytes]) -> float:
    started = time.process_time()
    for body in bodies:
        decode(body)
    return per_event(time.process_time() - started, len(bodies))


async def handling(bodies: list[bytes], batch: int, root: Path) -> float:
    index = TantivyIndex(root)
    projection = Projection(index)
    messages = [Message(body, "coop.v1.org.registered", n + 1, 1) for n, body in enumerate(bodies)]
    started = time.process_time()
    for start in range(0, len(messages), batch):
        await projection.handle(messages[start : start + batch])
    await index.close()  # its merges finish: they are part of the cost
    return per_event(time.process_time() - started, len(bodies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", default="2500", help="a size, or several: 1100,2200")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    batches = [int(size) for size in args.batch.split(",")]
    bodies = [registration(o.event(n + 1)) for n, o in enumerate(generate(args.events))]
    official_areas()
    gc.freeze()  # as the service does with what it made at start
    rounds: dict[int, list[tuple[float, float]]] = {batch: [] for batch in batches}
    for number in range(args.rounds):
        for batch in batches if number % 2 == 0 else batches[::-1]:
            with tempfile.TemporaryDirectory(prefix="hoptac-per-event-") as root:
                read = decoding(bodies)
                handled = asyncio.run(handling(bodies, batch, Path(root)))
            rounds[batch].append((read, handled))
            print(
                f"round {number + 1}, batches of {batch}: event to document {read:6.1f} µs, "
                f"handled {handled:6.1f} µs"
            )
    for batch, measured in rounds.items():
        print(
            f"median of {args.rounds}: event to document "
            f"{statistics.median(r[0] for r in measured):.1f} µs, "
            f"handled with tantivy's work {statistics.median(r[1] for r in measured):.1f} µs "
            f"({len(bodies[0]):,} bytes an event, batches of {batch})"
        )


if __name__ == "__main__":
    main()
