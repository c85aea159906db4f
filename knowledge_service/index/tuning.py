"""Adapting the encoder to a knowledge base from its own ``questions`` (``knowledge-service tune``).

Contrastive fine-tuning on the CPU: every question is paired with its article's title and answer
lead, and with another question of the same article; sentence-transformers'
``MultipleNegativesRankingLoss`` pulls each pair together and pushes it away from the other
pairs of the batch. Batches hold at most one pair per article, so no batch holds a false
negative. An article without questions contributes (title, lead). Everything is seeded.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from knowledge_service.content import repository
from knowledge_service.content.schemas import ArticleDocument, ArticleStatus
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidContentError
from knowledge_service.index.tuned_models import TunedModel, save_tuned_model

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Pair:
    """A training pair: a question and a text that answers it, from one article."""

    anchor: str
    positive: str
    article_id: str


@dataclass(frozen=True)
class TuneOptions:
    """Training settings (recorded in the manifest)."""

    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 2e-5
    warmup_share: float = 0.1
    max_questions: int = 40
    max_seq_length: int = 128
    seed: int = 13


def _passage(doc: ArticleDocument) -> str:
    return f"{doc.title}. {doc.answer}".strip() if doc.answer else doc.title


def build_pairs(docs: Sequence[ArticleDocument], *, max_questions: int, seed: int) -> list[Pair]:
    """Training pairs of the articles' questions (at most ``max_questions`` per article, a
    seeded sample): (question, title and lead) and (question, the next question of the same
    article, in the sampled order). An article without questions gives (title, lead)."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for doc in sorted(docs, key=lambda d: d.id):
        questions = list(dict.fromkeys(q for q in doc.questions if q.strip()))
        if len(questions) > max_questions:
            questions = rng.sample(questions, max_questions)
        if not questions:
            if doc.answer:
                pairs.append(Pair(doc.title, doc.answer, doc.id))
            continue
        passage = _passage(doc)
        pairs += [Pair(q, passage, doc.id) for q in questions]
        if len(questions) > 1:
            following = questions[1:] + questions[:1]
            pairs += [Pair(q, n, doc.id) for q, n in zip(questions, following, strict=True)]
    return pairs


def batches(pairs: Sequence[Pair], batch_size: int, rng: random.Random) -> list[list[Pair]]:
    """Shuffled batches of up to ``batch_size`` pairs, no two from the same article."""
    pending = list(pairs)
    rng.shuffle(pending)
    out: list[list[Pair]] = []
    while pending:
        batch: list[Pair] = []
        seen: set[str] = set()
        rest: list[Pair] = []
        for pair in pending:
            if len(batch) < batch_size and pair.article_id not in seen:
                batch.append(pair)
                seen.add(pair.article_id)
            else:
                rest.append(pair)
        out.append(batch)
        pending = rest
    return [b for b in out if len(b) > 1]  # a lone pair has no negatives to learn from


def content_hash(docs: Sequence[ArticleDocument]) -> str:
    """A hash of what tuning reads: ids, titles, leads and questions."""
    rows = sorted((d.id, d.title, d.answer, list(d.questions)) for d in docs)
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def train(
    base_model: str,
    pairs: Sequence[Pair],
    options: TuneOptions,
    target: Path,
    progress: Progress | None = None,
) -> int:
    """Fine-tune ``base_model`` on ``pairs`` and save it to ``target``; returns the steps run."""
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup

    rng = random.Random(options.seed)
    torch.manual_seed(options.seed)
    np.random.seed(options.seed)
    model = SentenceTransformer(base_model, device="cpu")
    model.max_seq_length = min(model.max_seq_length or 512, options.max_seq_length)
    loss = MultipleNegativesRankingLoss(model)
    epochs = [batches(pairs, options.batch_size, rng) for _ in range(options.epochs)]
    total = sum(len(e) for e in epochs)
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.learning_rate)
    warmup = int(total * options.warmup_share)
    scheduler = get_linear_schedule_with_warmup(  # type: ignore[no-untyped-call]
        optimizer, warmup, max(total, 1)
    )
    encode = getattr(model, "preprocess", None) or model.tokenize  # renamed in ST 6
    model.train()
    done = 0
    for epoch in epochs:
        for batch in epoch:
            features = [
                encode([p.anchor for p in batch]),
                encode([p.positive for p in batch]),
            ]
            value = loss(features, torch.empty(0))
            value.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            done += 1
            if progress is not None:
                progress(done, total)
    model.eval()
    model.save(str(target))
    return done


def published_documents(engine: Engine) -> list[ArticleDocument]:
    """The current published version of every article."""
    with session_scope(engine) as session:
        rows = repository.current_article_versions(session, [ArticleStatus.PUBLISHED])
        return [row.to_document() for row in rows]


def tune_encoder(
    engine: Engine,
    data_dir: Path,
    base_model: str,
    options: TuneOptions,
    progress: Progress | None = None,
) -> TunedModel:
    """Tune ``base_model`` on the store's published articles and save a new version.

    Raises:
        InvalidContentError: The store has nothing to tune on (no pair with a negative).
    """
    docs = published_documents(engine)
    pairs = build_pairs(docs, max_questions=options.max_questions, seed=options.seed)
    if len({p.article_id for p in pairs}) < 2:
        raise InvalidContentError(
            "store", "tuning needs at least two published articles with questions or a lead"
        )
    manifest: dict[str, object] = {
        "base_model": Path(base_model).name,
        "base_model_path": base_model,
        "content_hash": content_hash(docs),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": asdict(options),
        "articles": len(docs),
        "pairs": len(pairs),
    }
    manifest["model_id"] = hashlib.sha256(
        json.dumps(manifest, sort_keys=True).encode()
    ).hexdigest()[:12]

    def write(folder: Path) -> None:
        manifest["steps"] = train(base_model, pairs, options, folder, progress)

    return save_tuned_model(data_dir, write, manifest)
