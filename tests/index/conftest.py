"""Index test helpers: a counting embedder wrapper, a small knowledge base and a model folder's
layout."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge_service.content.schemas import ArticleDocument
from knowledge_service.index.embedder import HashEmbedder
from tests.factories import make_article


class CountingEmbedder:
    """Wraps an embedder and records every text it is asked to encode."""

    def __init__(self, inner: Any | None = None) -> None:
        self.inner = inner or HashEmbedder()
        self.model_name = self.inner.model_name
        self.dimension = self.inner.dimension
        self.calls: list[list[str]] = []

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False
    ) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.encode(texts, batch_size=batch_size, show_progress=show_progress)

    @property
    def texts(self) -> list[str]:
        return [t for call in self.calls for t in call]


def kb_articles() -> list[ArticleDocument]:
    """Four articles that differ in topic, audience, channels, locale and status."""
    return [
        make_article(
            "refund-timeframe",
            title="How long does a refund take?",
            answer="Refunds reach your account within 10 business days.",
            intents=["billing.refund.timeframe"],
            questions=["when will I get my money back", "refund still missing"],
        ),
        make_article(
            "lost-card",
            title="Report a lost or stolen card",
            answer="Freeze the card in the app and order a replacement card.",
            intents=["card.lost"],
            questions=["my card was stolen", "I lost my card"],
            body="## Replacement card\nA replacement card arrives in 5 days.\n",
        ),
        make_article(
            "card-fraud-internal",
            title="Card fraud escalation for agents",
            answer="Escalate suspected card fraud to the fraud team queue.",
            intents=["card.fraud"],
            audience="internal",
            channels=["agent"],
            questions=["card stolen and used for purchases"],
        ),
        make_article(
            "refund-timeframe-fr",
            title="Délai de remboursement",
            answer="Les remboursements arrivent sous 10 jours ouvrés.",
            intents=["billing.refund.timeframe"],
            locale="fr-FR",
            channels=["web", "email"],
            questions=["refund délai remboursement"],
        ),
    ]


@pytest.fixture
def counting_embedder() -> CountingEmbedder:
    return CountingEmbedder()


def fake_model_folder(root: Path, pooling: dict[str, Any], max_seq_length: int = 256) -> Path:
    """A sentence-transformers folder by its layout (configs, pooling), with no weights."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.json").write_text(
        json.dumps({"hidden_size": 8, "max_position_embeddings": 128})
    )
    (root / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": max_seq_length}))
    (root / "modules.json").write_text(
        json.dumps(
            [
                {"path": "", "type": "sentence_transformers.models.Transformer"},
                {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            ]
        )
    )
    (root / "1_Pooling").mkdir(exist_ok=True)
    (root / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    return root
