"""The AsyncAPI document of the event bus, generated from FastStream's declarations: the
registry's and the policy library's publishers (one channel per event, its payload the
contract's model) and the projections' subscribers, declared by the same `subscribe` the
running consumers use.

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

from hoptac.contracts.events import (
    EVENT_MODELS,
    SCHEMA_VERSION,
    STREAM,
    SUBJECT_PREFIX,
    OrganizationEvent,
)
from hoptac.contracts.generate import CONTRACTS_DIR
from hoptac.contracts.library import (
    LIBRARY_EVENT_MODELS,
    LIBRARY_STREAM,
    LIBRARY_SUBJECT_PREFIX,
    DocumentEvent,
    document_subject,
)
from hoptac.platform.consumer.durable import durable_config
from hoptac.platform.consumer.running import subscribe

DOCUMENT = CONTRACTS_DIR / "asyncapi.json"


@dataclass(frozen=True)
class Projection:
    durable: str
    description: str
    stream: str = STREAM
    subjects: str = f"{SUBJECT_PREFIX}.>"
    payload: Any = OrganizationEvent


# The durables of the projections as their settings name them by default.
PROJECTIONS = (
    Projection("search", "search: the public search index (tantivy or OpenSearch)."),
    Projection("reporting", "reporting: the statistics, as of any date."),
    Projection(
        "notifications",
        "notifications: the stored change feed, fanned out to webhook deliveries.",
    ),
    Projection(
        "collection",
        "collection: each record's data-quality scores and the annual update campaigns.",
    ),
    Projection(
        "search-library",
        "search: the policy library's own index, beside the organisations'.",
        stream=LIBRARY_STREAM,
        subjects=f"{LIBRARY_SUBJECT_PREFIX}.>",
        payload=DocumentEvent,
    ),
)


async def _documented_only(batch: Sequence[Msg]) -> None:
    raise AssertionError("this broker only describes the event bus; it never runs")


def _publishers(broker: NatsBroker) -> None:
    """What the registry and the library publish through their outboxes, after the change
    commits: one channel per event, its payload the contract's model."""
    organisations = JStream(STREAM, declare=False)
    for event, model in EVENT_MODELS.items():
        broker.publisher(
            f"{SUBJECT_PREFIX}.{event.value}.*",
            stream=organisations,
            schema=model,
            title=f"registry:{event.value}",
            description=(
                f"The registry publishes `{event.event_type}` on stream {STREAM} after its "
                "change commits, one subject per province (the last token: its current "
                "2-digit code). Header `Nats-Msg-Id` = `event_id`."
            ),
        )
    documents = JStream(LIBRARY_STREAM, declare=False)
    for document_event, document_model in LIBRARY_EVENT_MODELS.items():
        broker.publisher(
            document_subject(document_event),
            stream=documents,
            schema=document_model,
            title=f"library:{document_event.value}",
            description=(
                f"The policy library publishes `{document_event.event_type}` on stream "
                f"{LIBRARY_STREAM} after its change commits. Header `Nats-Msg-Id` = `event_id`."
            ),
        )


def event_bus() -> NatsBroker:
    broker = NatsBroker(
        "nats://127.0.0.1:4222",
        description="The local stack started by `make run`; production names its own servers.",
    )
    _publishers(broker)
    for projection in PROJECTIONS:
        subscribe(
            broker,
            _documented_only,
            stream=projection.stream,
            subjects=projection.subjects,
            config=durable_config(projection.durable, projection.subjects, ack_wait=30.0),
            batch_size=256,
            gather_window=0.01,
            payload=projection.payload,
            description=(
                f"{projection.description} A durable JetStream pull consumer of stream "
                f"{projection.stream}; events applied in stream order, idempotently (by their "
                f"version); failures end in hoptac.dead_letter.{projection.durable}."
            ),
        )
    return broker


def asyncapi_document() -> dict[str, Any]:
    document: dict[str, Any] = (
        AsyncAPI(
            event_bus(),
            title="hoptac events",
            version=f"{SCHEMA_VERSION}.0.0",
            description=(
                f"Change events of the collective-economy register, on JetStream stream "
                f"{STREAM}, and of the policy library's documents, on stream {LIBRARY_STREAM}. "
                "Consumers apply an event only when its organization_version (a document's: "
                "document_version) is newer than the one they hold; `sequence` orders each "
                "owner's whole change log."
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
