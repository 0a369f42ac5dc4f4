"""The consumer's Prometheus metrics, on the service's own registry."""

from __future__ import annotations

import weakref

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ConsumerMetrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.messages = Counter(
            "hoptac_consumer_messages",
            "Messages handled by a projection's consumer, by outcome",
            ["consumer", "outcome"],
            registry=registry,
        )
        self.lag = Gauge(
            "hoptac_consumer_lag",
            "Messages of the stream the consumer has not acknowledged yet",
            ["consumer"],
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "hoptac_consumer_batch_seconds",
            "Time to handle one batch, including its acknowledgements",
            ["consumer"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.ready = Gauge(
            "hoptac_consumer_ready",
            "1 while the consumer follows the stream; 0 while it waits for a dependency, "
            "fails to settle its batches, or is restarting",
            ["consumer"],
            registry=registry,
        )
        self.restarts = Counter(
            "hoptac_consumer_restarts",
            "Times the consumer stopped or kept failing and was started again",
            ["consumer"],
            registry=registry,
        )


# One set per service registry, labelled by consumer: a service running two consumers (search:
# the organisations and the policy library) would otherwise register each metric twice.
_ON_REGISTRY: weakref.WeakKeyDictionary[CollectorRegistry, ConsumerMetrics] = (
    weakref.WeakKeyDictionary()
)


def consumer_metrics(registry: CollectorRegistry | None) -> ConsumerMetrics:
    """The consumer metrics of `registry` (unregistered ones when None)."""
    if registry is None:
        return ConsumerMetrics(None)
    metrics = _ON_REGISTRY.get(registry)
    if metrics is None:
        metrics = _ON_REGISTRY[registry] = ConsumerMetrics(registry)
    return metrics
