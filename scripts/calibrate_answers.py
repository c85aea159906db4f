"""Calibrate answer confidence on two very different knowledge bases at once, and report both.

One set of shipped settings (``KS_ANSWERS__*``) is tuned on the dev splits of two public sets and
reported on their test splits, beside a plain MiniLM nearest-neighbour baseline whose threshold
is chosen on the same dev splits in the same run:

* BANKING77 with every 7th intent (11 of 77) withheld from the knowledge base (their questions
  are out of scope); each other intent is an article keeping 10 of its training utterances as
  ``questions``. Dev: 10 further training utterances of every kept intent and 40 of every
  withheld one. Test: the 3,080 test utterances.
* HWU64-OOS (48 home-assistant articles, 16 intents withheld): its own dev and test files.

Every query runs through the real import, index and search path. For each candidate confidence
model the logistic fit and the no-answer threshold use only the dev splits; the objective is the
mean over the two sets of balanced accuracy (in-scope answered right and out-of-scope refused,
weighted equally), so neither set's share of out-of-scope questions decides the threshold.

The threshold rule (:func:`best_threshold`): the dev objective is averaged over a Gaussian window
of width 0.05 around each threshold (``SMOOTHING``: the objective as if every confidence moved by
about that much), and the lowest threshold within 0.25 point of the smoothed best is taken
(``PLATEAU``: where dev cannot tell thresholds apart, answer more). The raw objective is flat and
ragged near its best, so without the smoothing a tiny move of the vectors (an int8 encoder) or of
the dev sample moved the pick by up to 0.05; ``--bootstrap N`` prints the spread of the picked
threshold over N resamples of the dev splits, with and without the smoothing.
Search results are cached under ``--cache`` (re-runs only re-fit).

    nice -n 10 .venv/bin/python scripts/calibrate_answers.py [--cache /tmp/ks-cache-answers]
        [--bootstrap 200]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also when a test loads this file
from eval_data import data_folder

from knowledge_service import index as index_package
from knowledge_service.content.importer import import_content
from knowledge_service.db import create_tables, make_engine
from knowledge_service.index.cache import EmbeddingCache, encode_cached
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.evaluation import EvalSet, load_eval_set, slug, write_articles
from knowledge_service.index.profile import log_share
from knowledge_service.index.protocols import Embedder, query_embedder
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

EVAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval-data"
TOP_K = 10

Hit = tuple[str, float, float, float]
"""(article id, fused score, best unit's cosine, best unit's lexical score)."""


@dataclass
class Split:
    """Queries with their gold article (None: out of scope)."""

    texts: list[str]
    gold: list[str | None]


@dataclass
class KnowledgeBase:
    """A knowledge base written as Markdown articles, its questions and its two query splits."""

    name: str
    content: Path
    questions: list[tuple[str, str]]  # (question, article id)
    dev: Split
    test: Split


def banking77(folder: Path, work: Path, every: int = 7, per_article: int = 10) -> KnowledgeBase:
    """BANKING77 with every ``every``-th intent withheld (see the module docstring)."""
    full = load_eval_set(folder)
    intents = sorted({d["intent"] for d in full.corpus})
    held_out = set(intents[::every])
    rng = np.random.default_rng(77)
    kept, dev = [], Split([], [])
    for intent in intents:
        docs = [d for d in full.corpus if d["intent"] == intent]
        order = rng.permutation(len(docs))
        if intent in held_out:
            dev.texts += [docs[i]["text"] for i in order[:40]]
            dev.gold += [None] * min(40, len(docs))
            continue
        kept += [docs[i] for i in sorted(order[:per_article])]
        rest = order[per_article : per_article + 10]
        dev.texts += [docs[i]["text"] for i in rest]
        dev.gold += [slug(intent)] * len(rest)
    write_articles(EvalSet(full.name, kept, [], {}, "intent"), work / "content")
    test = Split(
        [q["text"] for q in full.queries],
        [None if q["intent"] in held_out else slug(q["intent"]) for q in full.queries],
    )
    questions = [(d["text"], slug(d["intent"])) for d in kept]
    return KnowledgeBase("banking77", work / "content", questions, dev, test)


def _read_split(path: Path) -> Split:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return Split([r["text"] for r in rows], [r["article_id"] for r in rows])


def article_questions(content: Path) -> list[tuple[str, str]]:
    """Every ``questions`` entry of the Markdown articles under ``content``, with its article."""
    pairs = []
    for path in sorted(content.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        meta = yaml.safe_load(text.split("---", 2)[1])
        pairs += [(q, str(meta["id"])) for q in meta.get("questions") or []]
    return pairs


def hwu64(folder: Path) -> KnowledgeBase:
    """HWU64-OOS as its README describes it."""
    content = folder / "content"
    return KnowledgeBase(
        "hwu64_oos",
        content,
        article_questions(content),
        _read_split(folder / "dev_queries.jsonl"),
        _read_split(folder / "queries.jsonl"),
    )


def open_search(kb: KnowledgeBase, work: Path, embedder: Embedder, cache: EmbeddingCache):
    """Import ``kb`` into a fresh store under ``work`` and index it."""
    settings = Settings(database_url=f"sqlite:///{work / 'store.db'}", data_dir=work / "data")
    engine = make_engine(settings.database_url)
    create_tables(engine)
    import_content(engine, [kb.content], max_file_bytes=settings.max_file_bytes)
    service = SearchService(settings, engine, embedder, cache=cache)
    service.rebuild()
    return service


def ranked(service: SearchService, texts: Sequence[str]) -> list[list[Hit]]:
    out = []
    for start in range(0, len(texts), 128):
        for hits in service.search_many(texts[start : start + 128], top_k=TOP_K):
            out.append([(h.article_id, h.score, h.dense_score, h.lexical_score) for h in hits])
    return out


def nearest_neighbour(
    embedder: Embedder, cache: EmbeddingCache, kb: KnowledgeBase, texts: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """The baseline: cosine and article of each text's nearest KB question (plain MiniLM)."""
    units = encode_cached(embedder, [q for q, _ in kb.questions], cache)
    queries = encode_cached(embedder, list(texts), cache)
    sims = queries @ units.T
    best = sims.argmax(axis=1)
    return sims[np.arange(len(texts)), best], [kb.questions[i][1] for i in best]


RANKING_SOURCES = (
    "fusion.py",
    "ranking.py",
    "service.py",
    "profile.py",
    "evidence.py",
    "hybrid.py",
    "spelling.py",
    "lexical.py",
)
"""The index modules whose code decides the ranked hits: a change to any of them (or to the
encoder or the index settings) makes :func:`gather` search again instead of reusing its cache.
``hybrid.py`` (what is encoded and in which batch) and ``lexical.py`` (BM25) count too: a
change there moves the hits as surely as one in the fusion code."""


def _ranking_identity(embedder: Embedder) -> list[str]:
    index_dir = Path(index_package.__file__).parent
    code = hashlib.sha256(b"".join((index_dir / name).read_bytes() for name in RANKING_SOURCES))
    questions = query_embedder(embedder).model_name  # questions may have their own encoder
    return [embedder.model_name, questions, Settings().index.model_dump_json(), code.hexdigest()]


def gather(kb: KnowledgeBase, embedder: Embedder, cache_dir: Path) -> dict[str, Any]:
    """Ranked hits and baseline neighbours of both splits, and the KB's score profile (the one
    the service computes at index time); cached on disk by content, encoder, index settings
    and ranking code."""
    identity = [kb.name, kb.questions, kb.dev.texts, kb.test.texts, TOP_K]
    identity += _ranking_identity(embedder)
    key = hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:16]
    hits_path = cache_dir / f"{kb.name}-{key}.json"
    profile_path = cache_dir / f"{kb.name}-{key}-profile.json"
    if hits_path.exists() and profile_path.exists():
        return {**json.loads(hits_path.read_text()), **json.loads(profile_path.read_text())}
    cache = EmbeddingCache(cache_dir / "embeddings.sqlite")
    with tempfile.TemporaryDirectory() as tmp:
        service = open_search(kb, Path(tmp), embedder, cache)
        assert service.profile is not None, f"{kb.name} lists too few questions for a profile"
        profile_path.write_text(json.dumps({"profile": dataclasses.asdict(service.profile)}))
        if not hits_path.exists():
            data: dict[str, Any] = {}
            for name, split in (("dev", kb.dev), ("test", kb.test)):
                cos, art = nearest_neighbour(embedder, cache, kb, split.texts)
                data[name] = {
                    "gold": split.gold,
                    "hits": ranked(service, split.texts),
                    "nn_cosine": cos.tolist(),
                    "nn_article": art,
                }
            hits_path.write_text(json.dumps(data))
    return gather(kb, embedder, cache_dir)


# -- fitting and scoring (pure numpy over the gathered hits) ---------------------------------


def top_features(hits: list[list[Hit]]) -> np.ndarray:
    """Per query: best score, its best unit's cosine, lead over the next article, lexical."""
    rows = []
    for row in hits:
        if not row:
            rows.append([0.0, 0.0, 0.0, 0.0])
            continue
        runner = row[1][1] if len(row) > 1 else 0.0
        rows.append([row[0][1], row[0][2], max(0.0, row[0][1] - runner), row[0][3]])
    return np.asarray(rows, dtype=np.float64)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1e-4) -> np.ndarray:
    """Weighted logistic regression by Newton's method, small L2 penalty (not on the bias)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = w / w.sum()
    penalty = np.diag(np.r_[np.full(x.shape[1], l2), 0.0])
    coef = np.zeros(xb.shape[1])
    for _ in range(50):
        p = sigmoid(xb @ coef)
        grad = xb.T @ (w * (p - y)) + penalty @ coef
        hessian = xb.T @ (xb * (w * p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, grad)
        coef -= step
        if np.abs(step).max() < 1e-8:
            break
    return coef


@dataclass
class Scored:
    """One split of one KB ready to score: a confidence per query and whether top-1 is right."""

    correct: np.ndarray  # top-1 is the gold article (False for every out-of-scope query)
    in_scope: np.ndarray


def outcomes(conf: np.ndarray, split: Scored, t: float) -> dict[str, float]:
    answered = conf >= t
    right = answered & split.correct
    return {
        "in_scope_accuracy": float(right[split.in_scope].mean()),
        "oos_rejection": float((~answered)[~split.in_scope].mean()),
        "oos_aware_accuracy": float((right | (~answered & ~split.in_scope)).mean()),
    }


def right_at_equal_wrong(
    reference: np.ndarray, t: float, candidate: np.ndarray, split: Scored
) -> dict[str, int]:
    """The reference model's right and wrong answers at its threshold ``t``, and how many right
    answers ``candidate`` gives when its threshold lets through no more wrong ones: a
    comparison of the two confidences that no threshold choice blurs."""
    answered = reference >= t
    wrong = int((answered & ~split.correct).sum())
    order = np.argsort(-candidate, kind="stable")
    ranked = candidate[order]
    wrong_so_far = np.cumsum(~split.correct[order])
    right_so_far = np.cumsum(split.correct[order])
    # a threshold answers all of a run of equal confidences or none of it
    cuts = np.r_[ranked[:-1] > ranked[1:], True] & (wrong_so_far <= wrong)
    return {
        "reference_right": int((answered & split.correct).sum()),
        "wrong": wrong,
        "right": int(right_so_far[cuts].max()) if cuts.any() else 0,
    }


def given_answers(conf: np.ndarray, split: Scored, t: float) -> dict[str, float]:
    """What a channel that answers only at confidence ``t`` or more gives: the share of all
    questions answered and the share of those answers that are right (an out-of-scope question
    answered is wrong)."""
    answered = conf >= t
    given = int(answered.sum())
    return {
        "minimum": round(t, 3),
        "answered": given,
        "answered_share": float(answered.mean()),
        "right_when_answered": float((answered & split.correct).sum() / given) if given else 0.0,
    }


def balanced(conf: np.ndarray, split: Scored, t: float) -> float:
    o = outcomes(conf, split, t)
    return (o["in_scope_accuracy"] + o["oos_rejection"]) / 2


SMOOTHING = 0.05
"""Width (standard deviation, in threshold units) of the Gaussian window the dev objective is
averaged over before the threshold is picked: the objective as if every confidence moved by
about this much, as a change of encoder or of the dev sample moves them."""
PLATEAU = 0.0025
"""Thresholds whose smoothed dev objective is within this of the best count as equal."""
STEP = 0.001
"""Spacing of the thresholds tried."""


def dev_objective(
    confs: Sequence[np.ndarray], splits: Sequence[Scored], grid: np.ndarray
) -> np.ndarray:
    """Mean over the splits of balanced accuracy at each threshold of ``grid``."""
    total = np.zeros(len(grid))
    for conf, split in zip(confs, splits, strict=True):
        right = np.sort(conf[split.in_scope & split.correct])
        out = np.sort(conf[~split.in_scope])
        answered_right = (len(right) - np.searchsorted(right, grid, "left")) / split.in_scope.sum()
        refused = np.searchsorted(out, grid, "left") / len(out)
        total += (answered_right + refused) / 2
    return total / len(confs)


def smoothed(values: np.ndarray, step: float, width: float) -> np.ndarray:
    """``values`` (on an evenly spaced grid, ``step`` apart) averaged over a Gaussian window of
    ``width`` around each point, the window cut at the ends of the grid and its weights
    renormalised; ``width`` 0: unchanged."""
    if width <= 0:
        return values
    offsets = np.arange(-(len(values) - 1), len(values)) * step
    window = np.exp(-0.5 * (offsets / width) ** 2)
    out: np.ndarray = np.convolve(values, window, "valid") / np.convolve(
        np.ones(len(values)), window, "valid"
    )
    return out


def best_threshold(
    confs: Sequence[np.ndarray],
    splits: Sequence[Scored],
    plateau: float = PLATEAU,
    smoothing: float = SMOOTHING,
) -> float:
    """The lowest threshold whose smoothed mean balanced accuracy over the dev splits is within
    ``plateau`` of the smoothed best.

    The dev objective (mean over the splits of balanced accuracy) is first averaged over a
    Gaussian window of width ``smoothing`` around each threshold: the raw objective is flat near
    its best and ragged (0.2 point of balanced accuracy separates 0.41 and 0.46, inside the dev
    splits' sampling noise), so its best point and the edge of its plateau jump with tiny moves
    of the confidences; the smoothed one moves little. Where the smoothed objective still cannot
    tell thresholds apart, the one that answers more is taken, since the settings refused too
    much on knowledge bases they were not tuned on (issue 13). ``smoothing=0`` is the rule
    before issue 17 (lowest threshold within ``plateau`` of the raw best; it tried 400
    thresholds from the lowest confidence to the highest, this one every ``STEP``).
    """
    lo = np.floor(min(float(c.min()) for c in confs) / STEP)
    hi = np.ceil(max(float(c.max()) for c in confs) / STEP)
    grid = np.round(np.arange(lo, hi + 1) * STEP, 6)
    gains = smoothed(dev_objective(confs, splits, grid), STEP, smoothing)
    return float(grid[int(np.flatnonzero(gains >= gains.max() - plateau)[0])])


def scored(data: dict[str, Any], top: list[str | None]) -> Scored:
    gold = data["gold"]
    return Scored(
        np.array([g is not None and t == g for t, g in zip(top, gold, strict=True)]),
        np.array([g is not None for g in gold]),
    )


Features = Callable[[dict[str, Any], dict[str, float]], np.ndarray]
"""(one split's gathered data, the KB's score profile) -> feature matrix."""


def _normalised(d: dict[str, Any], p: dict[str, float]) -> np.ndarray:
    return top_features(d["hits"])[:, :3] - np.array([p["score_median"], p["dense_median"], 0.0])


def shares(hits: list[list[Hit]]) -> np.ndarray:
    """Per query: the log of the best article's share of the candidates, as the answer engine
    computes it (``index.profile.log_share``, over the first candidates only)."""
    values = [
        log_share(row[0][0], row[0][1], ((article, score) for article, score, *_ in row))
        if row
        else 0.0
        for row in hits
    ]
    return np.asarray(values)[:, None]


def _with_share(d: dict[str, Any], p: dict[str, float]) -> np.ndarray:
    return np.hstack([_normalised(d, p), shares(d["hits"]) - p["share_median"]])


SHIPPED = "KB-normalised score, cosine and share, margin"
PREVIOUS = "KB-normalised score and cosine, margin (no share)"
"""The model shipped before the share: the shipped one is also compared to it answer by
answer (:func:`right_at_equal_wrong`)."""
CANDIDATES: dict[str, Features] = {
    "score, cosine, margin": lambda d, p: top_features(d["hits"])[:, :3],
    "score, cosine, margin, lexical": lambda d, p: top_features(d["hits"]),
    "margin only": lambda d, p: top_features(d["hits"])[:, 2:3],
    PREVIOUS: _normalised,
    "KB-normalised score and cosine, margin, raw share": lambda d, p: np.hstack(
        [_normalised(d, p), shares(d["hits"])]
    ),
    SHIPPED: _with_share,
    "KB-normalised + raw score and cosine": lambda d, p: np.hstack(
        [_normalised(d, p), top_features(d["hits"])[:, :2]]
    ),
}
BEFORE = np.array([2.8, 5.1, 15.13, -5.43])
"""The settings before issue 13: fitted on BANKING77 alone, threshold 0.67."""


@dataclass
class Tuned:
    """A confidence model fitted on some dev splits, with its threshold."""

    coef: np.ndarray
    threshold: float


def fit(x: dict[Any, np.ndarray], splits: dict[Any, Scored], names: Sequence[str]) -> np.ndarray:
    """The logistic fit on the dev splits of ``names``, each set weighing the same."""
    dev_x = np.vstack([x[k, "dev"] for k in names])
    dev_y = np.concatenate([splits[k, "dev"].correct for k in names]).astype(np.float64)
    weights = np.concatenate([np.full(len(x[k, "dev"]), 1 / len(x[k, "dev"])) for k in names])
    return fit_logistic(dev_x, dev_y, weights)


def tune(x: dict[Any, np.ndarray], splits: dict[Any, Scored], names: Sequence[str]) -> Tuned:
    """Fit on the dev splits of ``names`` (each set weighing the same) and pick the threshold."""
    coef = fit(x, splits, names)
    conf = [confidence(x[k, "dev"], coef) for k in names]
    return Tuned(coef, best_threshold(conf, [splits[k, "dev"] for k in names]))


def threshold_spread(
    data: dict[str, dict[str, Any]], resamples: int, seed: int = 0
) -> dict[str, dict[str, float]]:
    """How far the picked threshold moves with the dev sample: the shipped model refitted on
    ``resamples`` bootstrap resamples of the dev splits (each set resampled within itself) and
    its threshold picked by this rule and by the same rule without smoothing (the one before
    issue 17); the spread of each rule's thresholds."""
    names = list(data)
    rng = np.random.default_rng(seed)
    x = {(k, "dev"): _with_share(data[k]["dev"], data[k]["profile"]) for k in names}
    splits = {
        (k, "dev"): scored(
            data[k]["dev"], [row[0][0] if row else None for row in data[k]["dev"]["hits"]]
        )
        for k in names
    }
    rules = {f"smoothing {SMOOTHING} (shipped)": SMOOTHING, "no smoothing (before)": 0.0}
    picked: dict[str, list[float]] = {label: [] for label in rules}
    for _ in range(resamples):
        rows = {k: rng.integers(0, len(x[k, "dev"]), len(x[k, "dev"])) for k in names}
        xs = {(k, "dev"): x[k, "dev"][rows[k]] for k in names}
        ss = {
            (k, "dev"): Scored(
                splits[k, "dev"].correct[rows[k]], splits[k, "dev"].in_scope[rows[k]]
            )
            for k in names
        }
        coef = fit(xs, ss, names)
        conf = [confidence(xs[k, "dev"], coef) for k in names]
        for label, width in rules.items():
            picked[label].append(
                best_threshold(conf, [ss[k, "dev"] for k in names], smoothing=width)
            )
    return {
        label: {
            "std": round(float(np.std(t)), 4),
            "p5": round(float(np.percentile(t, 5)), 3),
            "p95": round(float(np.percentile(t, 95)), 3),
            "min": round(float(np.min(t)), 3),
            "max": round(float(np.max(t)), 3),
        }
        for label, t in picked.items()
    }


def confidence(x: np.ndarray, coef: np.ndarray) -> np.ndarray:
    return sigmoid(np.hstack([x, np.ones((len(x), 1))]) @ coef)


def evaluate(data: dict[str, dict[str, Any]], voice_minimum: float = 0.85) -> dict[str, Any]:
    """Every system's test figures with settings tuned on both dev splits, and the transfer
    check: tuned on one set's dev split alone, scored on the other set's test split. For the
    shipped model also what chat (the no-answer threshold) and voice (``voice_minimum``) give
    on each test split: how many questions are answered, and how many of those answers are
    right."""
    names = list(data)
    profiles = {k: data[k]["profile"] for k in names}
    keys = [(k, s) for k in names for s in ("dev", "test")]
    splits = {
        (k, s): scored(data[k][s], [row[0][0] if row else None for row in data[k][s]["hits"]])
        for k, s in keys
    }
    systems: dict[str, Any] = {}
    nn = {(k, s): np.asarray(data[k][s]["nn_cosine"]) for k, s in keys}
    nn_splits = {(k, s): scored(data[k][s], data[k][s]["nn_article"]) for k, s in keys}
    t = best_threshold([nn[k, "dev"] for k in names], [nn_splits[k, "dev"] for k in names])
    systems["baseline: MiniLM 1-NN, threshold on the same dev splits"] = {
        "threshold": round(t, 3),
        "test": {k: outcomes(nn[k, "test"], nn_splits[k, "test"], t) for k in names},
    }
    before = {key: confidence(top_features(data[key[0]][key[1]]["hits"])[:, :3], BEFORE)
              for key in keys}  # fmt: skip
    systems["before: fitted on BANKING77 alone"] = {
        "threshold": 0.67,
        "test": {k: outcomes(before[k, "test"], splits[k, "test"], 0.67) for k in names},
    }
    settings: dict[str, float] = {}
    confidences: dict[str, tuple[dict[Any, np.ndarray], float]] = {}
    for label, features in CANDIDATES.items():
        x = {key: features(data[key[0]][key[1]], profiles[key[0]]) for key in keys}
        both = tune(x, splits, names)
        transfer = {}
        for source, target in zip(names, names[::-1], strict=True):
            one = tune(x, splits, [source])
            conf = confidence(x[target, "test"], one.coef)
            transfer[f"{source} -> {target}"] = outcomes(
                conf, splits[target, "test"], one.threshold
            )
        conf = {key: confidence(x[key], both.coef) for key in keys}
        confidences[label] = (conf, both.threshold)
        systems[label] = {
            "coefficients": [round(float(c), 3) for c in both.coef],
            "threshold": round(both.threshold, 3),
            "test": {
                k: outcomes(conf[k, "test"], splits[k, "test"], both.threshold) for k in names
            },
            "transfer": transfer,
            "dev": {k: outcomes(conf[k, "dev"], splits[k, "dev"], both.threshold) for k in names},
        }
        if label == SHIPPED:
            settings = shipped_settings(both, profiles)
            systems[label]["channels"] = {
                k: {
                    f"{channel} (at least {t:.2f})": given_answers(
                        conf[k, "test"], splits[k, "test"], t
                    )
                    for channel, t in (("chat", both.threshold), ("voice", voice_minimum))
                }
                for k in names
            }
    (before, t_before), (shipped, _) = confidences[PREVIOUS], confidences[SHIPPED]
    matched = {
        f"{k} {s}": right_at_equal_wrong(before[k, s], t_before, shipped[k, s], splits[k, s])
        for k, s in keys
    }
    return {
        "profiles": profiles,
        "systems": systems,
        "shipped_settings": settings,
        "against_previous": matched,
    }


def shipped_settings(tuned: Tuned, profiles: dict[str, dict[str, float]]) -> dict[str, float]:
    """``KS_ANSWERS__*`` values: the KB-normalised model, and for a knowledge base too small
    for a profile the mean of the two sets' medians."""
    a, b, c, share, bias = (round(float(v), 2) for v in tuned.coef)

    def mean_of(key: str) -> float:
        return round(float(np.mean([p[key] for p in profiles.values()])), 3)

    return {
        "calib_score": a,
        "calib_dense": b,
        "calib_margin": c,
        "calib_share": share,
        "calib_bias": bias,
        "no_answer_threshold": round(tuned.threshold, 2),
        "profile_score_median": mean_of("score_median"),
        "profile_dense_median": mean_of("dense_median"),
        "profile_share_median": mean_of("share_median"),
    }


def print_table(report: dict[str, Any]) -> None:
    """The README's table: each system's test figures on both sets, then the transfer check."""
    print("| system | set | in-scope accuracy | out-of-scope rejected | OOS-aware accuracy |")
    print("|---|---|---|---|---|")
    for label, system in report["systems"].items():
        for name, o in system["test"].items():
            print(
                f"| {label} | {name} | {o['in_scope_accuracy']:.3f} | {o['oos_rejection']:.3f} "
                f"| {o['oos_aware_accuracy']:.3f} |"
            )
    print("\n| system | tuned on -> scored on | in-scope | rejected | OOS-aware |")
    print("|---|---|---|---|---|")
    for label, system in report["systems"].items():
        for pair, o in system.get("transfer", {}).items():
            print(
                f"| {label} | {pair} | {o['in_scope_accuracy']:.3f} | {o['oos_rejection']:.3f} "
                f"| {o['oos_aware_accuracy']:.3f} |"
            )
    print("\n| shipped model on | channel (answers at) | answered | share of all | right |")
    print("|---|---|---|---|---|")
    for name, channels in report["systems"][SHIPPED].get("channels", {}).items():
        for channel, g in channels.items():
            print(
                f"| {name} test | {channel} | {g['answered']} | {g['answered_share']:.3f} "
                f"| {g['right_when_answered']:.3f} |"
            )


def print_against_previous(report: dict[str, Any]) -> None:
    """Right answers of the shipped model at the previous model's count of wrong answers."""
    print(f"\n| split | {PREVIOUS}: right / wrong answers | shipped: right at as many wrong |")
    print("|---|---|---|")
    for split, m in report["against_previous"].items():
        print(f"| {split} | {m['reference_right']} / {m['wrong']} | {m['right']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=data_folder("banking77", "hwu64_oos"),
        default=str(EVAL_DATA),
        help="the folder holding the evaluation sets (default: ../shared/eval-data)",
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ks-cache-answers"))
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="also print the spread of the picked threshold over N resamples of the dev splits",
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    embedder = create_embedder(Settings(), threads=2)
    with tempfile.TemporaryDirectory() as tmp:
        kbs = [banking77(args.data / "banking77", Path(tmp)), hwu64(args.data / "hwu64_oos")]
        data = {kb.name: gather(kb, embedder, args.cache) for kb in kbs}
    report = evaluate(data, voice_minimum=Settings().answers.voice_minimum)
    if args.bootstrap:
        report["threshold_spread"] = threshold_spread(data, args.bootstrap)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
        print_against_previous(report)
        print("\nprofiles:", json.dumps(report["profiles"]))
        print("shipped settings:", json.dumps(report["shipped_settings"]))
        if args.bootstrap:
            print(f"threshold over {args.bootstrap} dev resamples:")
            for label, spread in report["threshold_spread"].items():
                print(f"  {label}: {json.dumps(spread)}")


if __name__ == "__main__":
    main()
