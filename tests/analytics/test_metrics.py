"""Prometheus metrics: counters, histograms and scrape-time gauges in the text format."""

from __future__ import annotations

import resource
import sys
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from knowledge_service.analytics.log import AnswerLog
from knowledge_service.analytics.metrics import ServiceMetrics


def test_metrics_render_counters_histograms_and_state(engine: Engine) -> None:
    log = AnswerLog(engine, queue_size=1)
    metrics = ServiceMetrics(
        index_size=lambda: 81, open_findings=lambda: {"conflict": 1, "duplicate": 2}, log=log
    )
    metrics.observe_request("/v1/answer", "GET", 200, 0.012)
    metrics.count_answer("chat", "escalate", "blocked_by_finding")
    text = metrics.render().decode()
    assert (
        'ks_request_seconds_bucket{le="0.02",method="GET",route="/v1/answer",status="200"} 1.0'
        in text
    )
    assert (
        'ks_answers_total{channel="chat",reason="blocked_by_finding",status="escalate"} 1.0' in text
    )
    assert "ks_index_articles 81.0" in text
    assert 'ks_open_findings{kind="duplicate"} 2.0' in text
    assert "ks_answer_log_queue_depth 0.0" in text
    assert 'ks_answer_log_dropped_total{cause="queue_full"} 0.0' in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="read from /proc: Linux")
def test_metrics_include_the_standard_process_metrics() -> None:
    """Resident memory, CPU seconds, open file descriptors and start time, as Prometheus's
    standard ``process_*`` names (dashboards and alerts for any service read them), parsed by
    the client's own parser."""
    metrics = ServiceMetrics(index_size=lambda: 0, open_findings=dict)
    text = metrics.render().decode()
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples["process_resident_memory_bytes"] > 0
    assert samples["process_virtual_memory_bytes"] >= samples["process_resident_memory_bytes"]
    assert samples["process_cpu_seconds_total"] > 0
    assert 3 <= samples["process_open_fds"] <= samples["process_max_fds"]
    assert 0 < samples["process_start_time_seconds"] <= time.time()  # a Unix time, not uptime
    assert samples["process_max_fds"] == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
