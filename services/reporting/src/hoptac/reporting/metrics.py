"""The reporting service's own metrics (the consumer's and HTTP's come from the platform)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.query_seconds = Histogram(
            "hoptac_reporting_query_seconds",
            "Time to compute a statistics query or report (database or in-memory copy)",
            ["report"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=registry,
        )
        self.answers = Counter(
            "hoptac_reporting_answers",
            "Answers by report: from the database, the in-memory copy, or kept from an earlier "
            "identical request",
            ["report", "source"],
            registry=registry,
        )
        self.memory_load_seconds = Histogram(
            "hoptac_reporting_memory_load_seconds",
            "Time to read the in-memory copy of the timeline from the database",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self.commit_to_counted = Histogram(
            "hoptac_reporting_commit_to_counted_seconds",
            "From the registry's commit of an event to its effect committed in the projection",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=registry,
        )
