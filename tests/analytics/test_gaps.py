"""Content gaps with the real model: paraphrases of one missing need cluster together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from knowledge_service.analytics.gaps import GapQuestion, cluster_vectors, find_gaps

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_cluster_vectors_groups_close_vectors() -> None:
    a, b = np.eye(2, dtype=np.float32)
    near_a = np.array([0.99, 0.141], dtype=np.float32) / np.linalg.norm([0.99, 0.141])
    vectors = np.stack([a, b, near_a]).astype(np.float32)
    assert cluster_vectors(vectors, threshold=0.9) == [[0, 2], [1]]


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
    assert gaps[0].size == 4
    assert set(gaps[0].examples) == set(ev[:4])
    assert gaps[0].nearest_article_id == "switch-plan" and asked[0] in ev[:4]
    assert [g.size for g in gaps] == [4, 2]  # opening hours; the lone question is no gap
    assert set(gaps[1].examples) == set(ev[5:])
