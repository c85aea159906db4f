"""Calibrate answer confidence and the no-answer threshold on BANKING77 with held-out intents.

Every 7th intent (sorted by id) is withheld from the knowledge base: its test questions are
out-of-scope and must get ``no_answer``. The remaining intents become articles through the real
import and index path, each keeping 10 of its training utterances as ``questions`` (a real
article lists a handful of phrasings, not ~130). The test queries are split in two halves by
position: the calibration half fits ``confidence = sigmoid(a*score + b*dense + c*margin + d)``
and picks the threshold; the report half, never seen by the fit, gives the figures quoted in
the README. The threshold maximises the value per question when a right answer is worth 1, an
escalation 0 and a wrong answer ``-wrong_cost`` (default 2: a wrong answer costs twice what a
human hand-off does).

    .venv/bin/python scripts/calibrate_answers.py [--data ../shared/eval-data/banking77]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_service.content.importer import import_content
from knowledge_service.db import create_tables, make_engine
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.evaluation import EvalSet, load_eval_set, write_articles
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "banking77"


def split_scope(eval_set: EvalSet, every: int, per_article: int) -> tuple[EvalSet, set[str]]:
    """Withhold every Nth intent; keep ``per_article`` questions of each other intent (a real
    article lists a handful of phrasings, not BANKING77's ~130, and scores depend on that)."""
    intents = sorted({d["intent"] for d in eval_set.corpus})
    held_out = set(intents[::every])
    rng = np.random.default_rng(77)
    corpus = []
    for intent in intents:
        if intent in held_out:
            continue
        docs = [d for d in eval_set.corpus if d["intent"] == intent]
        keep = sorted(rng.choice(len(docs), size=min(per_article, len(docs)), replace=False))
        corpus.extend(docs[i] for i in keep)
    return EvalSet(eval_set.name, corpus, eval_set.queries, {}, "intent"), held_out


def features(service: SearchService, texts: list[str]) -> tuple[np.ndarray, list[str | None]]:
    rows, tops = [], []
    for start in range(0, len(texts), 128):
        for hits in service.search_many(texts[start : start + 128], top_k=8):
            best = hits[0] if hits else None
            runner = next((h.score for h in hits if best and h.article_id != best.article_id), 0.0)
            rows.append(
                [best.score, best.dense_score, best.score - runner] if best else [0.0, 0.0, 0.0]
            )
            tops.append(best.intents[0] if best else None)
    return np.asarray(rows, dtype=np.float64), tops


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 20000) -> np.ndarray:
    """Plain gradient descent on the log loss, with a small L2 penalty (not on the bias)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        w -= 0.5 * (xb.T @ (p - y) / len(y) + 1e-4 * np.r_[w[:-1], 0.0])
    return w


def outcomes(
    conf: np.ndarray, correct: np.ndarray, in_scope: np.ndarray, t: float
) -> dict[str, float]:
    answered = conf >= t
    return {
        "in_scope_accuracy": float((answered & correct)[in_scope].mean()),
        "in_scope_answer_rate": float(answered[in_scope].mean()),
        "wrong_answer_rate_in_scope": float((answered & ~correct)[in_scope].mean()),
        "out_of_scope_rejection": float((~answered)[~in_scope].mean()),
    }


def utility(
    conf: np.ndarray, correct: np.ndarray, in_scope: np.ndarray, t: float, wrong_cost: float
) -> float:
    """Mean value per question: a right answer +1, an escalation 0, a wrong one -wrong_cost
    (an out-of-scope question answered is always wrong)."""
    answered = conf >= t
    right = answered & correct & in_scope
    wrong = answered & ~(correct & in_scope)
    return float(right.mean() - wrong_cost * wrong.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--every", type=int, default=7, help="withhold every Nth intent")
    parser.add_argument("--questions", type=int, default=10, help="questions kept per article")
    parser.add_argument(
        "--wrong-cost", type=float, default=2.0, help="cost of a wrong answer vs an escalation"
    )
    args = parser.parse_args()
    eval_set, held_out = split_scope(load_eval_set(args.data), args.every, args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = Settings(database_url=f"sqlite:///{work / 'store.db'}", data_dir=work / "data")
        write_articles(eval_set, work / "content")
        engine = make_engine(settings.database_url)
        create_tables(engine)
        import_content(engine, [work / "content"], max_file_bytes=settings.max_file_bytes)
        service = SearchService(settings, engine, create_embedder(settings, threads=2))
        service.rebuild()
        texts = [q["text"] for q in eval_set.queries]
        x, tops = features(service, texts)
    gold = [q["intent"] for q in eval_set.queries]
    in_scope = np.array([g not in held_out for g in gold])
    correct = np.array([t is not None and t.endswith(g) for t, g in zip(tops, gold, strict=True)])
    calib = np.arange(len(gold)) % 2 == 0
    w = fit_logistic(x[calib], (correct & in_scope)[calib].astype(np.float64))
    conf = 1.0 / (1.0 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ w)))
    grid = np.linspace(0.05, 0.95, 91)
    gains = [
        utility(conf[calib], correct[calib], in_scope[calib], t, args.wrong_cost) for t in grid
    ]
    best_t = round(float(grid[int(np.argmax(gains))]), 2)
    table = {
        f"{t:.2f}": outcomes(conf[~calib], correct[~calib], in_scope[~calib], t)
        for t in (0.3, 0.4, 0.5, 0.6, 0.7, best_t, 0.85, 0.9)
    }
    report = {
        "held_out_intents": len(held_out),
        "queries": {"calibration": int(calib.sum()), "report": int((~calib).sum())},
        "questions_per_article": args.questions,
        "coefficients": {
            "calib_score": round(w[0], 2),
            "calib_dense": round(w[1], 2),
            "calib_margin": round(w[2], 2),
            "calib_bias": round(w[3], 2),
        },
        "wrong_answer_cost": args.wrong_cost,
        "no_answer_threshold": best_t,
        "report_half": outcomes(conf[~calib], correct[~calib], in_scope[~calib], best_t),
        "report_half_without_threshold": outcomes(
            conf[~calib], correct[~calib], in_scope[~calib], 0.0
        ),
        "report_half_by_threshold": table,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
