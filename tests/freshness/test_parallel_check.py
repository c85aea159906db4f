"""Reading facts in a pool of processes (large checks) gives exactly what one process gives."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.content.loader import load_content
from knowledge_service.content.service import import_content
from knowledge_service.freshness import rules
from knowledge_service.freshness.checker import collection_paused
from knowledge_service.freshness.evaluation import load_labels
from knowledge_service.freshness.rules import CheckedArticle, clause_contradictions
from knowledge_service.freshness.schemas import CheckResult
from knowledge_service.freshness.service import check_store, run_check
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.settings import Settings
from tests.conftest import TODAY
from tests.factories import make_article, make_policy
from tests.freshness.conftest import AGENCY_KB, KB

SETTINGS = Settings(embedding_model="hash")


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool of two workers, however many cores the machine running the tests has."""
    monkeypatch.setattr(rules, "usable_cores", lambda: 2)


def check_kb(kb: Path, monkeypatch: pytest.MonkeyPatch, *, min_parallel: int) -> CheckResult:
    monkeypatch.setattr(rules, "PARALLEL_MIN_ARTICLES", min_parallel)
    today, _ = load_labels(kb / "expected.yaml")
    loaded = load_content([kb / "content", kb / "policies"], max_file_bytes=1 << 20)
    return run_check(
        loaded.articles,
        loaded.policies,
        today=date.fromisoformat(today),
        settings=SETTINGS,
        embedder=HashEmbedder(),
        invalid=loaded.invalid,
    )


def everything(result: CheckResult) -> list[dict[str, Any]]:
    return [f.model_dump(mode="json") for f in result.findings]


@pytest.mark.parametrize("kb", [KB, AGENCY_KB], ids=["telco", "agency"])
def test_a_pool_finds_exactly_what_one_process_finds(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = check_kb(kb, monkeypatch, min_parallel=10**9)
    pooled = check_kb(kb, monkeypatch, min_parallel=1)
    assert len(alone.findings) > 20  # the labelled sets plant dozens of problems
    assert everything(pooled) == everything(alone)  # kinds, messages, evidence, fingerprints
    assert pooled.summary == alone.summary


def test_pooled_facts_and_clause_contradictions_equal_this_process_reading() -> None:
    loaded = load_content([KB / "content", KB / "policies"], max_file_bytes=1 << 20)
    policies = {p.id: p for p in loaded.policies}
    docs = [(doc, 3) for doc in loaded.articles]
    pooled = CheckedArticle.many(docs, policies=policies, min_parallel=1)
    alone = CheckedArticle.many(docs, policies=policies, min_parallel=10**9)
    assert [i.against for i in alone] == [None] * len(docs)  # read here, lazily compared
    assert all(i.against is not None for i in pooled)
    contradicted = restating = 0
    for p, a in zip(pooled, alone, strict=True):
        assert (p.doc, p.version) == (a.doc, a.version)
        assert [_fact(f) for f in p.facts] == [_fact(f) for f in a.facts]
        cited = rules.cited_clause_facts(a.doc, policies)
        assert p.against is not None and p.against.reference == tuple(c.fact for c in cited)
        expected = clause_contradictions(
            a.facts, tuple(c.fact for c in cited), cited_by_number=rules.cited_by_number(cited)
        )
        found = p.against.contradictions
        assert [(_fact(c.fact), c.other, c.similarity) for c in found] == [
            (_fact(c.fact), c.other, c.similarity) for c in expected
        ]  # the clause facts themselves: this process's objects, not copies
        contradicted += len(found)
        restated = rules.cited_restatements(p, cited)
        assert [(_fact(f), c) for f, c in restated] == [
            (_fact(f), c) for f, c in rules.cited_restatements(a, cited)
        ]
        restating += len(restated)
    assert contradicted >= 10  # the set plants policy mismatches
    assert restating >= 10  # and states clause facts rightly


def _fact(f: Any) -> tuple[Any, ...]:
    return (f.kind, f.unit, f.value, f.text, f.sentence, f.section, f.subject, f.qualifier)


def test_a_pool_compares_an_article_with_the_one_clause_it_cites_as_this_process_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Citing one clause by number, "the fee is $15.00 after 14 days" misstates its "late
    payment fee of $12.00" in a pool too; citing the whole policy, it does not."""
    policy = make_policy(
        "CHARGES",
        clauses={
            "2.1 Late payment": "A late payment fee of $12.00 applies if a bill is unpaid 14 "
            "days after its due date."
        },
    )
    articles = [
        make_article(
            f"overdue-bill-{n}",
            title="Paying your bill after the due date",
            intents=[f"billing.overdue_bill_{n}"],
            policy_sources=[source],
            answer="The fee is $15.00 after 14 days.",
            body="",
        )
        for n, source in enumerate(["CHARGES#2.1", "CHARGES"])
    ]
    found = {}
    for min_parallel in (10**9, 1):
        monkeypatch.setattr(rules, "PARALLEL_MIN_ARTICLES", min_parallel)
        result = run_check(articles, [policy], today=TODAY, settings=SETTINGS)
        found[min_parallel] = everything(result)
        mismatched = [f.article_ids for f in result.findings if f.kind == "policy_mismatch"]
        assert mismatched == [["overdue-bill-0"]]
    assert found[1] == found[10**9]


def test_identical_articles_share_one_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_content([KB / "content"], max_file_bytes=1 << 20)
    doc = loaded.articles[0]
    items = CheckedArticle.many([(doc, 1), (doc, 2), (loaded.articles[1], None)], min_parallel=1)
    assert items[0].facts is items[1].facts
    assert [i.version for i in items] == [1, 2, None]


def test_one_core_or_a_small_check_reads_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaded = load_content([KB / "content"], max_file_bytes=1 << 20)
    docs = [(doc, None) for doc in loaded.articles]
    small = CheckedArticle.many(docs)  # fewer than PARALLEL_MIN_ARTICLES
    monkeypatch.setattr(rules, "usable_cores", lambda: 1)
    one_core = CheckedArticle.many(docs, min_parallel=1)
    assert all(i.against is None for i in small + one_core)
    assert [i.facts for i in one_core] == [i.facts for i in small]  # the cache: same objects


def test_a_store_check_with_a_pool_and_an_open_connection(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool forks while the store's session is open: the workers never use it, and the
    check and the findings it stores are those of one process."""
    import_content(engine, [KB / "content", KB / "policies"], max_file_bytes=1 << 20)
    today = date.fromisoformat(load_labels(KB / "expected.yaml")[0])

    def findings(min_parallel: int) -> list[dict[str, Any]]:
        monkeypatch.setattr(rules, "PARALLEL_MIN_ARTICLES", min_parallel)
        result = check_store(engine, today=today, settings=SETTINGS, embedder=HashEmbedder())
        return everything(result)

    alone = findings(10**9)
    pooled = findings(1)
    assert len(alone) > 20
    assert pooled == alone
    assert findings(10**9) == alone  # the store is intact after the pool


def test_collection_is_paused_during_a_check_and_enabled_after_it_even_on_error() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():  # a check inside another (or in another thread)
            assert not gc.isenabled()
        assert not gc.isenabled()  # only the outer one enables it again
    assert gc.isenabled()
    with pytest.raises(KeyError), collection_paused():
        raise KeyError("x")
    assert gc.isenabled()
