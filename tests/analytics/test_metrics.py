"""Prometheus metrics: counters, histograms and scrape-time gauges in the text format."""

from __future__ import annotations

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
