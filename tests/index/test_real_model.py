"""Retrieval with the real all-MiniLM-L6-v2 model (one session-scoped load)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_service.index.evaluation import evaluate_dataset
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.service import fusion_config
from knowledge_service.settings import Settings
from tests.factories import make_article
from tests.index.conftest import kb_articles

pytestmark = pytest.mark.slow

BANKING77_SLICE = Path(__file__).resolve().parents[1] / "data" / "banking77_slice"


def extra_articles() -> list:
    return [
        make_article(
            "pin-reset",
            title="Change or reset your card PIN",
            answer="You can change your PIN at any of our ATMs or reset it in the app.",
            intents=["card.pin"],
            questions=["I forgot my PIN", "how do I change my PIN number"],
        ),
        make_article(
            "top-up-failed",
            title="Why did my top-up fail?",
            answer="A top-up can fail when your bank declines it; try another card.",
            intents=["account.top_up.failed"],
            questions=["top up didn't work", "my top-up was declined"],
        ),
    ]


_KB: dict[int, HybridIndex] = {}


def small_kb(minilm: object) -> HybridIndex:
    """One index of the small knowledge base per session (built with the service's weights)."""
    if id(minilm) not in _KB:
        index = HybridIndex(minilm, config=fusion_config(Settings()))  # type: ignore[arg-type]
        index.upsert([(doc, 1) for doc in [*kb_articles(), *extra_articles()]])
        _KB[id(minilm)] = index
    return _KB[id(minilm)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how many days until my money comes back", "refund-timeframe"),
        ("somebody took my wallet with my bank card in it", "lost-card"),
        ("I forgot the PIN code of my card", "pin-reset"),
        ("my top up keeps getting declined", "top-up-failed"),
    ],
)
def test_paraphrased_customer_question_finds_its_article(
    minilm: object, query: str, expected: str
) -> None:
    hits = small_kb(minilm).search(query, top_k=3)
    assert hits[0].article_id == expected, [(h.article_id, h.score) for h in hits]
    assert hits[0].score > hits[1].score


def test_banking77_slice_meets_a_quality_floor(minilm: object, tmp_path: Path) -> None:
    """20 BANKING77 intents with 12 questions each, 200 test utterances, real import + index."""
    result, _ = evaluate_dataset(BANKING77_SLICE, minilm, tmp_path)  # type: ignore[arg-type]
    assert result.queries == 200 and result.articles == 20
    assert result.metrics["accuracy@1"] >= 0.85, result.metrics
    assert result.metrics["ndcg@10"] >= 0.92, result.metrics
