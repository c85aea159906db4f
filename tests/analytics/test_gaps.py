"""Content gaps with the real model: paraphrases of one missing need cluster together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from knowledge_service.analytics import repository
from knowledge_service.analytics.gaps import GapQuestion, cluster_vectors, find_gaps
from knowledge_service.analytics.models import AnswerEvent
from knowledge_service.db import session_scope
from knowledge_service.index.embedder import HashEmbedder

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_cluster_vectors_groups_close_vectors() -> None:
    a, b = np.eye(2, dtype=np.float32)
    near_a = np.array([0.99, 0.141], dtype=np.float32) / np.linalg.norm([0.99, 0.141])
    vectors = np.stack([a, b, near_a]).astype(np.float32)
    assert cluster_vectors(vectors, threshold=0.9) == [[0, 2], [1]]


def test_one_question_asked_on_five_channels_is_one_question_asked_five_times() -> None:
    asks = ["Do you sell gas heaters?", "do you sell gas heaters", "do you  sell gas heaters!",
            "DO YOU SELL GAS HEATERS", "do you sell gas heaters.", "what is a pH test"]  # fmt: skip
    questions = [GapQuestion(q, T0 + timedelta(minutes=i)) for i, q in enumerate(asks)]
    gaps = find_gaps(questions, HashEmbedder(), lambda _: None, threshold=0.99)
    (gap,) = gaps  # the pH question, asked once, is no gap
    assert (gap.size, gap.asks, gap.examples) == (1, 5, ["Do you sell gas heaters?"])
    assert (gap.first_at, gap.last_at) == (T0, T0 + timedelta(minutes=4))


def test_a_gap_is_a_question_no_article_answers_not_one_only_voice_refused(engine: Any) -> None:
    """Voice's low_confidence escalation of a question chat answers (same confidence) is not
    a gap, nor is a request for a person, a message that someone is at risk or an article on
    another channel; no_answer is."""
    rows = [
        ("what is a ph test", "chat", "no_answer", "no_article", 0.12),
        ("is my water safe", "voice", "escalate", "low_confidence", 0.71),
        ("is my water safe", "chat", "answered", "confident", 0.71),
        ("my mum died", "chat", "escalate", "not_on_channel", 0.93),
        ("a real person please", "chat", "escalate", "human_requested", 0.05),
        ("i want to end my life", "chat", "escalate", "at_risk", 0.08),
        ("why is my bill late", "chat", "escalate", "blocked_by_finding", 0.88),
        ("bonjour", "chat", "no_answer", "locale_unavailable", 0.0),
    ]
    with session_scope(engine) as session:
        for i, (question, channel, status, reason, confidence) in enumerate(rows):
            session.add(
                AnswerEvent(
                    kind="answer", question=question, latency_ms=1.0, channel=channel,
                    status=status, reason=reason, confidence=confidence,
                    at=T0 + timedelta(minutes=i),
                )
            )  # fmt: skip
    with session_scope(engine) as session:
        found = repository.gap_questions(
            session, T0, T0 + timedelta(hours=1), confidence_below=0.41, limit=100
        )
    assert sorted(q for q, _ in found) == ["bonjour", "what is a ph test"]


@pytest.mark.slow
def test_paraphrases_of_a_missing_need_form_one_gap(minilm: Any) -> None:
    ev = [
        "can I charge my electric car at home cheaper",
        "is there a special rate for charging an EV overnight",
        "electric vehicle charging tariff",
        "do you have a plan for people with electric cars",
        "my dog ate the meter card",
        "what are your opening hours on public holidays",
        "are you open on christmas day",
    ]
    questions = [GapQuestion(q, T0 + timedelta(minutes=i)) for i, q in enumerate(ev)]
    asked: list[str] = []

    def nearest(question: str) -> tuple[str, float] | None:
        asked.append(question)
        return ("switch-plan", 0.42)

    gaps = find_gaps(questions, minilm, nearest)
    assert (gaps[0].size, gaps[0].asks) == (4, 4)
    assert set(gaps[0].examples) == set(ev[:4])
    assert gaps[0].nearest_article_id == "switch-plan" and asked[0] in ev[:4]
    assert [g.size for g in gaps] == [4, 2]  # opening hours; the lone question is no gap
    assert set(gaps[1].examples) == set(ev[5:])
