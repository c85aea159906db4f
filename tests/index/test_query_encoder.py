"""Questions may be encoded by another encoder than the knowledge base's units
(``KS_INDEX__QUERY_ONNX_VARIANT``): every question path (search, answers, the score profile)
takes the question encoder, every unit path keeps the units' encoder, and the two never share
cache entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.hash_embedder import HashEmbedder
from knowledge_service.index.hybrid import HybridIndex
from knowledge_service.index.profile import score_profile
from knowledge_service.index.protocols import query_embedder
from knowledge_service.index.tuned_models import TunedModel
from knowledge_service.settings import Settings
from tests.index.conftest import CountingEmbedder
from tests.index.test_profile import articles


class _WithQuestionEncoder(CountingEmbedder):
    """A units' encoder that carries its own question encoder, as the ONNX encoder does with
    a query variant."""

    def __init__(self) -> None:
        super().__init__(HashEmbedder(64))
        self.queries = CountingEmbedder(HashEmbedder(64))
        self.queries.model_name = "hash-64+questions"


def test_an_encoder_without_a_question_encoder_encodes_questions_itself() -> None:
    embedder = HashEmbedder(32)
    assert query_embedder(embedder) is embedder
    broken = CountingEmbedder()
    broken.queries = "not an encoder"  # type: ignore[attr-defined]
    assert query_embedder(broken) is broken


def test_search_encodes_questions_with_the_question_encoder_and_units_with_their_own() -> None:
    embedder = _WithQuestionEncoder()
    index = HybridIndex(embedder)
    index.upsert(articles(4))
    unit_texts = set(embedder.texts)
    assert embedder.queries.texts == []  # indexing never asks the question encoder

    hits = index.search_many(["refund question number 1 about my refund"], top_k=3)
    assert hits[0][0].article_id == "refund"
    assert embedder.queries.texts == ["refund question number 1 about my refund"]
    assert set(embedder.texts) == unit_texts  # no question reached the units' encoder


def test_the_profile_encodes_held_out_questions_as_questions_are_served() -> None:
    embedder = _WithQuestionEncoder()
    cache = EmbeddingCache()
    index = HybridIndex(embedder, cache=cache)
    index.upsert(articles(6))
    units_before = len(embedder.texts)

    profile = score_profile(index)
    assert profile is not None
    held = embedder.queries.texts
    assert len(held) == profile.questions  # every held-out question, by the question encoder
    # the probe index re-uses the units' cached vectors: the units' encoder embeds nothing
    assert len(embedder.texts) == units_before
    # the questions' vectors are cached under the question encoder's own name
    assert score_profile(index) == profile
    assert embedder.queries.texts == held  # the second profile embeds nothing new


def test_a_tuned_model_names_both_its_encoders(tmp_path: Path, monkeypatch: Any) -> None:
    """``KS_INDEX__USE_TUNED_MODEL``: the units' and the questions' encoders of the tuned
    version both carry its manifest id, each with its own variant suffix."""
    import knowledge_service.index.embedder as embedder_module

    built = _WithQuestionEncoder()
    built.model_name = "tuned-1"
    built.queries.model_name = "tuned-1+onnx-int8-fused-8"
    tuned = TunedModel(path=tmp_path / "tuned-1", version=1, manifest={"model_id": "abc"})
    monkeypatch.setattr(embedder_module, "choose_model", lambda *a, **k: tuned)
    monkeypatch.setattr(embedder_module, "_model_embedder", lambda *a, **k: built)
    base = tmp_path / "base"  # the base model's folder (only looked at, never loaded here)
    base.mkdir()
    (base / "config.json").write_text("{}", encoding="utf-8")
    settings = Settings(data_dir=tmp_path, embedding_model=str(base))
    assert embedder_module.create_embedder(settings) is built
    assert built.model_name == "tuned-1-abc"
    assert built.queries.model_name == "tuned-1-abc+onnx-int8-fused-8"
