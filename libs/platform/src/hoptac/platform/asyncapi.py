"""The AsyncAPI document of the event bus, generated from FastStream's declarations: the
registry's publishers (one channel per event, its payload the contract's model) and the
projections' subscribers, declared by the same `subscribe` the running consumers use.

`python -m hoptac.platform.asyncapi [file]` (default: contracts/asyncapi.json, run by
`make contracts`); a test fails when the committed document differs from what this produces,
and another has the official AsyncAPI parser validate it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faststream.nats import JStream, NatsBroker
from faststream.specification import AsyncAPI
from nats.aio.msg import Msg

from hoptac.contracts.events import EVENT_MODELS, SCHEMA_VERSION, STREAM, SUBJECT_PREFIX
from hoptac.contracts.generate import CONTRACTS_DIR
from hoptac.platform.consumer.durable import durable_config
from hoptac.platform.consumer.running import subscribe

DOCUMENT = CONTRACTS_DIR / "asyncapi.json"


@dataclass(frozen=True)
class Projection:
    durable: str
    description: str


# The durables of the projections as their settings name them by default.
PROJECTIONS = (
    Projection("search", "search: the public search index (tantivy or OpenSearch)."),
    Projection("reporting", "reporting: the statistics, as of any date."),
    Projection(
        "notifications",
        "notifications: the stored change feed, fanned out to webhook deliveries.",
    ),
)


async def _documented_only(batch: Sequence[Msg]) -> None:
    raise AssertionError("this broker only describes the event bus; it never runs")


def event_bus() -> NatsBroker:
    broker = NatsBroker(
        "nats://127.0.0.1:4222",
        description="The local stack started by `make run`; production names its own servers.",
    )
    stream = JStream(STREAM, declare=False)
    for event, model in EVENT_MODELS.items():
        broker.publisher(
            f"{SUBJECT_PREFIX}.{event.value}.*",
            stream=stream,
            schema=model,
            title=f"registry:{event.value}",
            description=(
                f"The registry publishes `{event.event_type}` after its change commits, one "
                "subject per province (the last token: its current 2-digit code). Header "
                "`Nats-Msg-Id` = `event_id`."
            ),
        )
    for projection in PROJECTIONS:
        subjects = f"{SUBJECT_PREFIX}.>"
        subscribe(
            broker,
            _documented_only,
            stream=STREAM,
            subjects=subjects,
            config=durable_config(projection.durable, subjects, ack_wait=30.0),
            batch_size=256,
            gather_window=0.01,
            description=(
                f"{projection.description} A durable JetStream pull consumer; events applied "
                "in stream order, idempotently (organization_version); failures end in "
                f"hoptac.dead_letter.{projection.durable}."
            ),
        )
    return broker


def asyncapi_document() -> dict[str, Any]:
    document: dict[str, Any] = (
        AsyncAPI(
            event_bus(),
            title="hoptac organisation events",
            version=f"{SCHEMA_VERSION}.0.0",
            description=(
                f"Change events of the collective-economy register, on JetStream stream "
                f"{STREAM}. Consumers apply an event only when its organization_version is "
                "newer than the one they hold; `sequence` orders the registry's whole change log."
            ),
            schema_version="3.0.0",
        )
        .to_specification()
        .to_jsonable()
    )
    return document


def rendered() -> str:
    return json.dumps(asyncapi_document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> None:
    target = Path(argv[1]) if len(argv) > 1 else DOCUMENT
    target.write_text(rendered(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv)
