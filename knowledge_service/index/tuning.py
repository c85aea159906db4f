"""Adapting the encoder to a knowledge base from its own ``questions`` (``knowledge-service tune``).

Contrastive fine-tuning on the CPU: every question is paired with its article's title and answer
lead, and with another question of the same article; sentence-transformers'
``MultipleNegativesRankingLoss`` pulls each pair together and pushes it away from the other
pairs of the batch. Batches hold at most one pair per article, so no batch holds a false
negative. An article without questions contributes (title, lead). Everything is seeded.

Whether tuning helps depends on the knowledge base (it gained on BANKING77 and lost on StackFAQ,
docs/benchmarks.md, "Encoder tuning"), so a run measures it on the knowledge base itself: one
fifth of the questions of each article that lists at least three is held out of the training
(:func:`split_for_validation`), and each held-out question is matched to its nearest text
(an article's title and lead, or one of its other questions) with the model before and after
training (:func:`validation_matches`). The manifest and the command report both counts.
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
from knowledge_service.index.tuned_models import (
    TunedModel,
    save_tuned_model,
    sign_test,
    validated_gain,
)

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


MIN_VALIDATION_QUESTIONS = 10
"""Fewer held-out questions than this measure nothing worth reporting: tuning then trains on
every question and skips the validation."""
HELD_OUT_SHARE = 5
"""An article with ``n`` questions (3 or more) gives ``max(1, n // HELD_OUT_SHARE)`` of them to
the validation, at most :data:`MAX_HELD_PER_ARTICLE`: a fifth, and always one."""
MAX_HELD_PER_ARTICLE = 5
MAX_VALIDATION_ARTICLES = 300
"""The validation matches held-out questions among at most this many articles (a fixed sample by
article id), so its encodes stay a small share of the tuning's time on a large knowledge base."""


@dataclass(frozen=True)
class Validation:
    """Held-out questions and the texts they are matched against, with their articles."""

    questions: list[str]
    answers: list[str]
    """The article id of each held-out question."""
    texts: list[str]
    articles: list[str]
    """The article id of each text."""


def _seed_of(article_id: str, seed: int) -> int:
    return int(hashlib.sha256(f"{seed}:{article_id}".encode()).hexdigest()[:8], 16)


def _distinct_questions(doc: ArticleDocument) -> list[str]:
    return list(dict.fromkeys(q for q in doc.questions if q.strip()))


def split_for_validation(
    docs: Sequence[ArticleDocument], *, seed: int, max_questions: int = 40
) -> tuple[list[ArticleDocument], Validation | None]:
    """The documents to train on, and what validates the training.

    Each article with at least three distinct questions (up to :data:`MAX_VALIDATION_ARTICLES`
    of them, a sample fixed by the seed and the article ids) gives a fifth of its questions, at
    least one and at most :data:`MAX_HELD_PER_ARTICLE`, to the validation; the rest, and every
    other article, are trained on. The held-out questions are matched against those articles'
    title and lead and up to ``max_questions`` of their other questions. With fewer than
    :data:`MIN_VALIDATION_QUESTIONS` questions to hold out, nothing is held out and the
    validation is None.
    """
    eligible = [d for d in docs if len(_distinct_questions(d)) >= 3]
    if len(eligible) < MIN_VALIDATION_QUESTIONS:
        return list(docs), None
    sampled = sorted(eligible, key=lambda d: (_seed_of(d.id, seed), d.id))
    held: dict[str, list[str]] = {}
    for doc in sampled[:MAX_VALIDATION_ARTICLES]:
        questions = _distinct_questions(doc)
        random.Random(_seed_of(doc.id, seed + 1)).shuffle(questions)
        share = max(1, len(questions) // HELD_OUT_SHARE)
        held[doc.id] = questions[: min(MAX_HELD_PER_ARTICLE, share)]
    train_docs = [
        d.model_copy(update={"questions": [q for q in d.questions if q not in held[d.id]]})
        if d.id in held
        else d
        for d in docs
    ]
    validation = Validation([], [], [], [])
    for doc in train_docs:
        if doc.id in held:
            validation.questions.extend(held[doc.id])
            validation.answers.extend([doc.id] * len(held[doc.id]))
            texts = [_passage(doc), *_distinct_questions(doc)[:max_questions]]
            validation.texts.extend(dict.fromkeys(texts))
            validation.articles.extend([doc.id] * len(dict.fromkeys(texts)))
    return train_docs, validation


def validation_matches(encode: Callable[[list[str]], object], validation: Validation) -> list[bool]:
    """For each held-out question, whether its nearest text (cosine) is one of its own article's,
    with the encoder ``encode`` (texts to normalised vectors)."""
    import numpy as np

    questions = np.asarray(encode(validation.questions), dtype=np.float32)
    texts = np.asarray(encode(validation.texts), dtype=np.float32)
    nearest = (questions @ texts.T).argmax(axis=1)
    found = [validation.articles[i] for i in nearest.tolist()]
    return [f == a for f, a in zip(found, validation.answers, strict=True)]


def compare_matches(before: Sequence[bool], after: Sequence[bool]) -> dict[str, int]:
    """The validation's counts: held-out questions, matched by the base and the tuned model, and
    those only the tuned model matched (gained) or only the base model (lost)."""
    pairs = list(zip(before, after, strict=True))
    return {
        "questions": len(pairs),
        "base_right": sum(b for b, _ in pairs),
        "tuned_right": sum(a for _, a in pairs),
        "gained": sum(a and not b for b, a in pairs),
        "lost": sum(b and not a for b, a in pairs),
    }


def describe_validation(validation: dict[str, int] | None, asked: bool) -> str:
    """What the held-out questions showed, and which model to keep (or why none were held)."""
    if not asked:
        return "Not validated (--no-validate): every question was trained on."
    if not validation:
        return (
            f"Not validated: fewer than {MIN_VALIDATION_QUESTIONS} articles list 3 or more "
            "questions, so every question was trained on and whether the tuned model helps on "
            "this knowledge base is not known: keep the base model unless you measure it."
        )
    n, base, tuned = validation["questions"], validation["base_right"], validation["tuned_right"]
    gained, lost = validation.get("gained", 0), validation.get("lost", 0)
    chance = sign_test(gained, lost)
    if validated_gain(validation):
        verdict = f"the tuned model matches more of them (sign test p = {chance:.3f}): use it"
    elif tuned <= base:
        verdict = "the tuned model does not match more of them: keep the base model"
    else:
        verdict = (
            f"the tuned model matches more of them, but {n} questions cannot tell that from "
            f"chance (sign test p = {chance:.2f}): measure it on more questions before using it"
        )
    return (
        f"Validation, {n} held-out questions (never trained on), each matched to the article of "
        f"its nearest title, lead or question: base model {base} right ({base / n:.1%}), tuned "
        f"{tuned} ({tuned / n:.1%}); {gained} gained, {lost} lost; {verdict}."
    )


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
    validation: Validation | None = None,
) -> tuple[int, dict[str, int] | None]:
    """Fine-tune ``base_model`` on ``pairs`` and save it to ``target``; returns the steps run
    and, with a ``validation``, the held-out questions matched right before and after."""
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

    def embed(texts: list[str]) -> object:
        return model.encode(texts, batch_size=64, normalize_embeddings=True)

    before = validation_matches(embed, validation) if validation is not None else []
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
    if validation is None:
        return done, None
    return done, compare_matches(before, validation_matches(embed, validation))


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
    *,
    validate: bool = True,
) -> TunedModel:
    """Tune ``base_model`` on the store's published articles and save a new version.

    With ``validate`` (and enough questions, :func:`split_for_validation`), a fifth of the
    questions of each article with 3 or more is held out of the training, and the manifest's
    ``validation`` says how many of them the base model and the tuned model match to their own
    article; else it is None.

    Raises:
        InvalidContentError: The store has nothing to tune on (no pair with a negative).
    """
    docs = published_documents(engine)
    train_docs, validation = (
        split_for_validation(docs, seed=options.seed, max_questions=options.max_questions)
        if validate
        else (docs, None)
    )
    pairs = build_pairs(train_docs, max_questions=options.max_questions, seed=options.seed)
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
        manifest["steps"], manifest["validation"] = train(
            base_model, pairs, options, folder, progress, validation
        )

    return save_tuned_model(data_dir, write, manifest)
