"""The durable JetStream consumer that keeps the projection, run inside the HTTP process."""

from __future__ import annotations

from nats.aio.client import Client
from prometheus_client import CollectorRegistry

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.consumer import ConsumerHost, EventConsumer
from hoptac.reporting.handlers import Reporting
from hoptac.reporting.settings import ReportingSettings


def consumer_host(
    reporting: Reporting, settings: ReportingSettings, metrics: CollectorRegistry | None
) -> ConsumerHost:
    return ConsumerHost(
        settings,
        durable=settings.consumer_durable,
        handle=reporting.handle_messages,
        stream=STREAM,
        subjects=f"{SUBJECT_PREFIX}.>",
        metrics=metrics,
    )


def build_consumer(
    nc: Client,
    reporting: Reporting,
    settings: ReportingSettings,
    metrics: CollectorRegistry | None,
) -> EventConsumer:
    return consumer_host(reporting, settings, metrics).consumer_for(nc)
