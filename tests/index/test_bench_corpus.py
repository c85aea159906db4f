"""The benchmark corpus of ``scripts/bench_peers.py``: real documentation that imports cleanly.

The pages are built from the running Python's standard library, so a new Python (or a change to
the content rules) could make the importer refuse some, or leave a hand-written question without
its page, and the benchmark would quietly measure less than it says.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import sys
import types
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.content import repository
from knowledge_service.content.service import import_content
from knowledge_service.db import session_scope
from knowledge_service.index.chunking import chunk_article

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import bench_peers  # noqa: E402
import peers_corpus  # noqa: E402


@pytest.fixture(scope="module")
def pages() -> list[peers_corpus.Page]:
    return bench_peers.pick_pages(400)


def test_every_question_finds_its_page_and_the_corpus_is_real_size() -> None:
    every = peers_corpus.stdlib_pages(10**9)
    questions, missing = bench_peers.read_questions(every)
    assert missing == []
    assert len(questions) >= 200
    assert len(every) >= 1000
    assert len({p.page_id for p in every}) == len(every)
    assert len({q.text for q in questions}) == len(questions)


def test_picked_pages_keep_every_asked_page_first(pages: list[peers_corpus.Page]) -> None:
    questions, _ = bench_peers.read_questions(pages)
    assert len(pages) == 400
    assert {q.page_id for q in questions} <= {p.page_id for p in pages}


@pytest.mark.sqlite_only("the importer's rules, not the store, decide what is refused")
def test_the_pages_import_without_a_refusal_and_chunk_into_sections(
    pages: list[peers_corpus.Page], engine: Engine, tmp_path: Path
) -> None:
    peers_corpus.write_pages(pages, tmp_path / "docs")
    report = import_content(engine, [tmp_path / "docs"], max_file_bytes=1 << 19)
    assert report.invalid == []
    assert len(report.articles.created) == len(pages)
    with session_scope(engine) as session:
        docs = [v.to_document() for v in repository.indexed_article_versions(session)]
    by_id = {d.id: d for d in docs}
    json_dumps = by_id[peers_corpus.page_id("json.dumps")]
    assert json_dumps.title == "json.dumps"
    kinds = [u.kind for u in chunk_article(json_dumps, 1)]
    assert "section" in kinds and "answer" in kinds


def test_spans_are_distinct_and_leave_out_the_questions() -> None:
    texts = ["one two three four five six seven eight nine ten eleven twelve thirteen"] * 2
    exclude = {"one two three four five six seven eight"}
    pool = bench_peers.span_pool(texts, exclude, seed=1)
    assert len(pool) == len(set(pool)) == 1
    assert pool[0].split()[0] == "six"


def test_each_timed_request_asks_a_question_its_server_has_not_seen() -> None:
    """The answer engine caches a question's hits: a question asked in the 1-client run and
    again in the 8-client run would be served from that cache and flatter the figure."""
    asked: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)

    def recorder(label: str) -> bench_peers.Endpoint:
        def call(client: object, question: str) -> list[str]:
            asked[label][question] += 1
            return []

        this_process = types.SimpleNamespace(pid=os.getpid())  # for the RSS read at the end
        server = bench_peers.Server(label, this_process, "http://unused", call, 0.0)  # type: ignore[arg-type]
        endpoint = bench_peers.Endpoint(label, server, call)
        endpoint.client = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        return endpoint

    endpoints = [recorder("product /v1/search"), recorder("product /v1/answer")]
    pool = [f"question {n}" for n in range(200)]
    args = argparse.Namespace(rounds=2, queries=15, max_requests=20, clients=3, duration=30)
    bench_peers.measure(endpoints, pool, args)
    for label, counts in asked.items():
        assert max(counts.values()) == 1, label
        assert sum(counts.values()) == 2 * (15 + 10 + 20), label
    assert not set(asked["product /v1/search"]) & set(asked["product /v1/answer"])
    # each 8-client run also records the server's CPU use (here this very process)
    assert all(len(e.cores) == 2 and min(e.cores) >= 0 for e in endpoints)
