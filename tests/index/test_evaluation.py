"""Evaluation: sets become articles that pass the real parser; metrics are computed right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge_service.content.parser import parse_article
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.index.evaluation import (
    evaluate_dataset,
    load_eval_set,
    relevant_articles,
    score_rankings,
    write_articles,
)


def write_set(folder: Path, corpus: list[dict], queries: list[dict], qrels: list[tuple]) -> Path:
    folder.mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("".join(json.dumps(d) + "\n" for d in corpus))
    (folder / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries))
    rows = "".join(f"{q}\t{d}\t1\n" for q, d in qrels)
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\n" + rows)
    return folder


@pytest.fixture
def intent_set(tmp_path: Path) -> Path:
    corpus = [
        {
            "id": "tr1",
            "title": "card arrival",
            "text": "Where is my new card?",
            "intent": "card_arrival",
        },
        {
            "id": "tr2",
            "title": "card arrival",
            "text": "My card has not come yet",
            "intent": "card_arrival",
        },
        {"id": "tr3", "title": "lost card", "text": "I lost my card", "intent": "lost_card"},
    ]
    queries = [
        {"id": "q1", "text": "card still not delivered", "intent": "card_arrival"},
        {"id": "q2", "text": "someone stole my card", "intent": "lost_card"},
    ]
    return write_set(
        tmp_path / "intents", corpus, queries, [("q1", "tr1"), ("q1", "tr2"), ("q2", "tr3")]
    )


@pytest.fixture
def thread_set(tmp_path: Path) -> Path:
    corpus = [
        {
            "id": "t1-a0",
            "title": "Delete my account?",
            "text": "# Go to settings and delete.",
            "thread_id": "t1",
        },
        {
            "id": "t1-a1",
            "title": "Delete my account?",
            "text": "Use the help page.",
            "thread_id": "t1",
        },
        {
            "id": "t2-a0",
            "title": "Change the font",
            "text": "Use the format menu.",
            "thread_id": "t2",
        },
    ]
    queries = [{"id": "t1-q0", "text": "remove my account", "thread_id": "t1"}]
    return write_set(
        tmp_path / "threads", corpus, queries, [("t1-q0", "t1-a0"), ("t1-q0", "t1-a1")]
    )


def test_intent_set_becomes_one_article_per_intent_with_questions(
    intent_set: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert write_articles(load_eval_set(intent_set), out) == 2
    doc = parse_article((out / "card_arrival.md").read_text(), "card_arrival.md")
    assert doc.questions == ["Where is my new card?", "My card has not come yet"]
    assert doc.title == "card arrival"
    assert relevant_articles(load_eval_set(intent_set)) == {
        "q1": {"card_arrival"},
        "q2": {"lost_card"},
    }


def test_thread_set_becomes_one_article_per_thread_with_answers_as_sections(
    thread_set: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert write_articles(load_eval_set(thread_set), out) == 2
    doc = parse_article((out / "t1.md").read_text(), "t1.md")
    assert doc.title == "Delete my account?"
    assert doc.answer == "\\# Go to settings and delete."  # no heading smuggled in by the corpus
    assert [s.heading for s in doc.sections] == ["Answer 2"]


@pytest.mark.parametrize(
    ("ranking", "gold", "expected"),
    [
        (["a", "b"], {"a"}, {"ndcg@10": 1.0, "mrr@10": 1.0, "recall@10": 1.0, "accuracy@1": 1.0}),
        (
            ["b", "a"],
            {"a"},
            {"ndcg@10": 1 / 1.584962500721156, "mrr@10": 0.5, "recall@10": 1.0, "accuracy@1": 0.0},
        ),
        (["b", "c"], {"a"}, {"ndcg@10": 0.0, "mrr@10": 0.0, "recall@10": 0.0, "accuracy@1": 0.0}),
        (
            ["a", "x", "b"],
            {"a", "b"},
            {
                "ndcg@10": (1 + 0.5) / (1 + 1 / 1.584962500721156),
                "mrr@10": 1.0,
                "recall@10": 1.0,
                "accuracy@1": 1.0,
            },
        ),
    ],
)
def test_metrics(ranking: list[str], gold: set[str], expected: dict[str, float]) -> None:
    assert score_rankings([ranking], [gold]) == pytest.approx(expected)


def test_evaluate_runs_through_import_and_index(intent_set: Path, tmp_path: Path) -> None:
    result, service = evaluate_dataset(intent_set, HashEmbedder(), tmp_path / "work")
    assert (result.queries, result.articles) == (2, 2)
    assert service.status().is_current and service.status().articles == 2
    assert set(result.metrics) == {"ndcg@10", "mrr@10", "recall@10", "accuracy@1"}
    assert result.metrics["recall@10"] == 1.0
