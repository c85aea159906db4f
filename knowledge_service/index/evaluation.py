"""Retrieval evaluation on BEIR-style sets, through the real import and index path.

A set (``corpus.jsonl``, ``queries.jsonl``, ``qrels.tsv``) becomes Markdown articles in a temp
folder: one article per intent when the corpus has ``intent`` (BANKING77: the training
utterances become the article's ``questions``), one per thread when it has ``thread_id``
(StackFAQ: the first answer is the lead, the others are sections), else one per document. The
files are imported into a temp SQLite store, indexed by the search service, and the test
queries are scored against whole articles.
"""

from __future__ import annotations

import csv
import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from knowledge_service.content.importer import import_content
from knowledge_service.db import create_tables, make_engine
from knowledge_service.errors import InvalidContentError
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import Embedder
from knowledge_service.index.fusion import FusionConfig
from knowledge_service.index.schemas import SearchHit
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

_SLUG_RE = re.compile(r"[^a-z0-9._-]+")
_HEADING_START = re.compile(r"^(\s{0,3})([#=-])", re.MULTILINE)


@dataclass
class EvalSet:
    """A loaded evaluation set."""

    name: str
    corpus: list[dict[str, Any]]
    queries: list[dict[str, Any]]
    qrels: dict[str, set[str]]
    group_field: str | None = None


@dataclass
class EvalResult:
    """Metrics over the scored queries (article level)."""

    dataset: str
    queries: int
    articles: int
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


CORPUS_FILE, QUERIES_FILE, QRELS_FILE = "corpus.jsonl", "queries.jsonl", "qrels.tsv"
EVAL_SET_FILES = (CORPUS_FILE, QUERIES_FILE, QRELS_FILE)
"""What an evaluation set's folder holds (:func:`load_eval_set` reads each)."""


def load_eval_set(folder: Path) -> EvalSet:
    """Read ``corpus.jsonl``, ``queries.jsonl`` and ``qrels.tsv`` from ``folder``."""
    corpus = _read_jsonl(folder / CORPUS_FILE)
    queries = _read_jsonl(folder / QUERIES_FILE)
    qrels: dict[str, set[str]] = defaultdict(set)
    with (folder / QRELS_FILE).open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) >= 2 and row[0] != "query-id" and (len(row) < 3 or row[2] != "0"):
                qrels[row[0]].add(row[1])
    group = next((f for f in ("intent", "thread_id") if corpus and f in corpus[0]), None)
    return EvalSet(folder.name, corpus, queries, dict(qrels), group)


def slug(text: str) -> str:
    """An article id from any text."""
    value = _SLUG_RE.sub("-", text.lower()).strip("-._")
    return (value or "doc")[:120]


def article_of_doc(eval_set: EvalSet) -> dict[str, str]:
    """The article id each corpus document belongs to."""
    key = eval_set.group_field or "id"
    return {d["id"]: slug(str(d[key])) for d in eval_set.corpus}


def _escape(text: str) -> str:
    """Keep corpus text from opening Markdown headings of its own."""
    return _HEADING_START.sub(lambda m: f"{m[1]}\\{m[2]}", " ".join(text.split()))


def _front_matter(article_id: str, title: str, intent: str, questions: Sequence[str]) -> str:
    meta: dict[str, Any] = {
        "id": article_id,
        "title": title,
        "intents": [intent],
        "owner": "eval@example.com",
        "last_reviewed": "2026-01-01",
        "next_review": "2027-01-01",
        "questions": [q for q in (" ".join(q.split()) for q in questions) if q],
    }
    return f"---\n{yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)}---\n"


def write_articles(eval_set: EvalSet, folder: Path) -> int:
    """Write the set's corpus as Markdown articles under ``folder``; returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc, article_id in zip(eval_set.corpus, article_of_doc(eval_set).values(), strict=True):
        groups[article_id].append(doc)
    for article_id, docs in groups.items():
        title = " ".join(str(docs[0].get("title") or article_id).split())
        intent = "eval." + re.sub(r"[^a-z0-9_]+", "_", article_id.lower()).strip("_")
        if eval_set.group_field == "intent":  # exemplars: they ARE the article's questions
            questions = [d["text"] for d in docs]
            body = f"Help with {title.lower()}.\n"
        else:
            questions = []
            body = _escape(docs[0]["text"]) + "\n"
            for n, doc in enumerate(docs[1:], start=2):
                body += f"\n## Answer {n}\n\n{_escape(doc['text'])}\n"
        text = _front_matter(article_id, title, intent, questions) + body
        (folder / f"{article_id}.md").write_text(text, encoding="utf-8")
    return len(groups)


def relevant_articles(eval_set: EvalSet) -> dict[str, set[str]]:
    """For each query with judgements, the set of relevant article ids."""
    of_doc = article_of_doc(eval_set)
    return {q: {of_doc[d] for d in docs if d in of_doc} for q, docs in eval_set.qrels.items()}


def score_rankings(
    rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]], k: int = 10
) -> dict[str, float]:
    """nDCG@k, MRR@k, Recall@k and Accuracy@1 of article rankings (binary relevance)."""
    totals: defaultdict[str, float] = defaultdict(float)
    for ranking, gold in zip(rankings, relevant, strict=True):
        top = list(ranking[:k])
        gains = [1.0 if a in gold else 0.0 for a in top]
        ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), k)))
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
        totals["ndcg@10"] += dcg / ideal if ideal else 0.0
        first = next((i for i, g in enumerate(gains) if g), None)
        totals["mrr@10"] += 1.0 / (first + 1) if first is not None else 0.0
        totals["recall@10"] += sum(gains) / len(gold) if gold else 0.0
        totals["accuracy@1"] += gains[0] if gains else 0.0
    n = max(1, len(rankings))
    return {name: value / n for name, value in totals.items()}


def score_hits(
    hits: Sequence[Sequence[SearchHit]], relevant: Sequence[set[str]]
) -> dict[str, float]:
    """Metrics of search results (see :func:`score_rankings`)."""
    return score_rankings([[h.article_id for h in row] for row in hits], relevant)


SearchFn = Callable[[Sequence[str]], list[list[SearchHit]]]


def run_queries(
    eval_set: EvalSet,
    search_many: SearchFn,
    *,
    limit: int | None = None,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[list[SearchHit]], list[set[str]]]:
    """Run the set's judged queries (the first ``limit``) through ``search_many``."""
    gold = relevant_articles(eval_set)
    queries = [q for q in eval_set.queries if gold.get(q["id"])][: limit or None]
    hits: list[list[SearchHit]] = []
    for start in range(0, len(queries), batch_size):
        batch = queries[start : start + batch_size]
        hits.extend(search_many([q["text"] for q in batch]))
        if progress is not None:
            progress(len(hits), len(queries))
    return hits, [gold[q["id"]] for q in queries]


def _import_articles(
    content: Path,
    work_dir: Path,
    base_settings: Settings | None,
    on_phase: Callable[[str, int, int], None] | None,
) -> tuple[Settings, Engine]:
    """Import the written articles into a fresh store under ``work_dir``."""
    settings = (base_settings or Settings()).model_copy(
        update={
            "database_url": f"sqlite:///{work_dir / 'store.db'}",
            "data_dir": work_dir / "data",
            "content_dir": content,
        }
    )
    engine = make_engine(settings.database_url)
    create_tables(engine)
    report = import_content(
        engine,
        [content],
        max_file_bytes=settings.max_file_bytes,
        actor="eval",
        progress=(lambda p, d, t: on_phase(f"import:{p}", d, t)) if on_phase else None,
    )
    if report.invalid:
        raise InvalidContentError(report.invalid[0].path, report.invalid[0].message)
    return settings, engine


def evaluate_dataset(
    folder: Path,
    embedder: Embedder,
    work_dir: Path,
    *,
    limit: int | None = None,
    config: FusionConfig | None = None,
    base_settings: Settings | None = None,
    on_phase: Callable[[str, int, int], None] | None = None,
    cache: EmbeddingCache | None = None,
) -> tuple[EvalResult, SearchService]:
    """Import a set as articles into a fresh store under ``work_dir``, index it, score it.

    Args:
        folder: The set's folder.
        embedder: The embedder under test.
        work_dir: An empty scratch folder (articles, store, index).
        limit: Score only the first ``limit`` judged queries.
        config: Fusion weights (default: the service's).
        base_settings: Settings to copy (paths are replaced).
        on_phase: ``(phase, done, total)`` progress for import, index and query phases.
        cache: Embedding cache (default: a fresh one under ``work_dir``).

    Returns:
        The metrics and the search service (for further experiments).
    """
    eval_set = load_eval_set(folder)
    content = work_dir / "content"
    clock: dict[str, float] = {}
    start = time.perf_counter()
    n_articles = write_articles(eval_set, content)
    settings, engine = _import_articles(content, work_dir, base_settings, on_phase)
    clock["import"] = time.perf_counter() - start
    service = SearchService(settings, engine, embedder, config=config, cache=cache)
    start = time.perf_counter()
    service.rebuild((lambda d, t: on_phase("index", d, t)) if on_phase else None)
    clock["index"] = time.perf_counter() - start
    start = time.perf_counter()
    hits, gold = run_queries(
        eval_set,
        service.search_many,
        limit=limit,
        progress=(lambda d, t: on_phase("query", d, t)) if on_phase else None,
    )
    clock["query"] = time.perf_counter() - start
    result = EvalResult(eval_set.name, len(hits), n_articles, score_hits(hits, gold), clock)
    return result, service
