"""Operational metrics in the Prometheus text format (prometheus-client), one registry an app.

Counters and histograms are updated on the hot path (a lock and an add); gauges that describe
state (index size, open findings, the answer log's queue) are read when Prometheus scrapes, so
they cost nothing between scrapes. Labels are routes, channels, statuses, reasons and finding
kinds: a fixed vocabulary, never a question or anything a customer typed. The standard
``process_*`` metrics (resident memory, CPU seconds, open file descriptors, start time: the
client's own collector, read from ``/proc`` on Linux and absent elsewhere) are of the process
that serves the scrape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from knowledge_service.analytics.log import AnswerLog

LATENCY_BUCKETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _StateCollector(Collector):
    """Gauges read at scrape time."""

    def __init__(
        self,
        index_size: Callable[[], int],
        open_findings: Callable[[], Mapping[str, int]],
        log: AnswerLog | None,
    ) -> None:
        self._index_size = index_size
        self._open_findings = open_findings
        self._log = log

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "ks_index_articles", "Articles in the search index", value=self._index_size()
        )
        findings = GaugeMetricFamily("ks_open_findings", "Open findings by kind", labels=["kind"])
        for kind, count in sorted(self._open_findings().items()):
            findings.add_metric([kind], count)
        yield findings
        if self._log is not None:
            yield GaugeMetricFamily(
                "ks_answer_log_queue_depth", "Answer events waiting to be written",
                value=self._log.depth,
            )  # fmt: skip
            dropped = CounterMetricFamily(
                "ks_answer_log_dropped", "Answer events dropped", labels=["cause"]
            )
            dropped.add_metric(["queue_full"], self._log.stats.dropped_full)
            dropped.add_metric(["redaction_failed"], self._log.stats.dropped_redaction)
            dropped.add_metric(["write_failed"], self._log.stats.dropped_write)
            yield dropped
            yield CounterMetricFamily(
                "ks_answer_log_written", "Answer events written", value=self._log.stats.written
            )


class ServiceMetrics:
    """The app's metrics: request latency per route, answers by status and reason, state."""

    def __init__(
        self,
        *,
        index_size: Callable[[], int],
        open_findings: Callable[[], Mapping[str, int]],
        log: AnswerLog | None = None,
    ) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "ks_request_seconds", "Request latency by route template and method",
            ["route", "method", "status"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.answers = Counter(
            "ks_answers", "Answers served by channel, status and reason",
            ["channel", "status", "reason"], registry=self.registry,
        )  # fmt: skip
        self.registry.register(_StateCollector(index_size, open_findings, log))
        # the app's own registry leaves out the client's default collectors: add the process's
        ProcessCollector(registry=self.registry)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.latency.labels(route, method, str(status)).observe(seconds)

    def count_answer(self, channel: str, status: str, reason: str | None) -> None:
        self.answers.labels(channel, status, reason or "").inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
