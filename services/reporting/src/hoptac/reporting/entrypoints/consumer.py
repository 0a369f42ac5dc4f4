"""The durable JetStream consumer that keeps the projection, run inside the HTTP process."""

from __future__ import annotations

from nats.aio.client import Client
from prometheus_client import CollectorRegistry

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.changelog import catch_up
from hoptac.platform.consumer import ConsumerHost, EventConsumer
from hoptac.platform.gaps import GapFiller
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


def gap_filler(
    reporting: Reporting, settings: ReportingSettings, metrics: CollectorRegistry | None
) -> GapFiller:
    """Fills what the projection misses below an event it holds from the change log; started
    with a first round, which also fills an event dead-lettered before a restart. A gap seen
    here may be filled already by another instance on the same durable: the projection's own
    tables say first."""

    async def fill() -> None:
        tracking = await reporting.read_tracking()  # with what other instances applied
        if tracking.gap is None:
            return
        after = tracking.contiguous_through
        await catch_up("reporting", settings, after=after, apply=reporting.catch_up)

    reporting.gap_seen.set()
    return GapFiller(
        "reporting",
        tracking=lambda: reporting.tracking,
        fill=fill,
        gap_seen=reporting.gap_seen,
        metrics=metrics,
    )
