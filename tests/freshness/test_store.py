"""Findings in the store: re-runs, resolution, acknowledgement and incremental checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.content.service import get_article, import_content, save_article_text
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidRequestError, NotFoundError
from knowledge_service.freshness import repository
from knowledge_service.freshness.schemas import FindingKind, FindingStatus
from knowledge_service.freshness.service import (
    check_store,
    check_version,
    findings_for_article,
    list_findings,
    set_finding_status,
)
from knowledge_service.index.cache import EmbeddingCache
from knowledge_service.index.embedder import HashEmbedder
from knowledge_service.settings import Settings
from tests.conftest import TODAY
from tests.factories import article_text, write_article_md, write_policy_md


def load(engine: Engine, root: Path) -> None:
    import_content(engine, [root], max_file_bytes=1 << 20)


def save(engine: Engine, article_id: str, **fields: Any) -> None:
    with session_scope(engine) as session:
        save_article_text(session, article_text(article_id, **fields), author="t", source="test")


def run(engine: Engine, settings: Settings, **kwargs: Any) -> list[tuple[str, list[str]]]:
    result = check_store(engine, today=TODAY, settings=settings, **kwargs)
    return sorted((str(f.kind), f.article_ids) for f in result.findings)


def statuses(engine: Engine) -> dict[tuple[str, tuple[str, ...]], str]:
    with session_scope(engine) as session:
        rows = list_findings(session, limit=1000)
        return {(r.kind, tuple(r.article_ids)): r.status for r in rows}


@pytest.fixture
def kb(tmp_path: Path, engine: Engine) -> Path:
    root = tmp_path / "kb"
    write_policy_md(root / "policies")
    write_article_md(
        root / "content",
        "refund-timeframe",
        policy_sources=["REFUNDS#2.1"],
        answer="Refunds reach your account within 5 business days.",
    )
    write_article_md(
        root / "content",
        "card-lost",
        intents=["card.lost"],
        title="Lost card",
        answer="Freeze the card in the app.",
        body="## More\nOrder a new card.\n",
    )
    load(engine, root)
    return root


def test_rerun_never_duplicates_findings(engine: Engine, settings: Settings, kb: Path) -> None:
    first = run(engine, settings)
    second = run(engine, settings)
    assert first == second == [("policy_mismatch", ["refund-timeframe"])]
    with session_scope(engine) as session:
        assert len(list_findings(session, limit=1000)) == 1


def test_fixed_cause_resolves_and_writes_history(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    run(engine, settings)
    save(
        engine,
        "refund-timeframe",
        policy_sources=["REFUNDS#2.1"],
        answer="Refunds reach your account within 10 business days.",
    )
    assert run(engine, settings) == []
    with session_scope(engine) as session:
        (row,) = list_findings(session, limit=10)
        assert row.status == FindingStatus.RESOLVED and row.resolved_at is not None
        assert row.id is not None
        actions = [e.action for e in repository.finding_events(session, row.id)]
    assert actions == ["created", "resolved"]


def test_a_fix_in_review_leaves_the_served_versions_finding_open_until_published(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    run(engine, settings)
    fixed = {"policy_sources": ["REFUNDS#2.1"], "answer": "Refunds arrive within 10 business days."}
    save(engine, "refund-timeframe", status="draft", **fixed)
    edited = run(engine, settings, article_ids=["refund-timeframe"])
    assert edited == [("policy_mismatch", ["refund-timeframe"])]  # version 1 is still served
    assert statuses(engine)[("policy_mismatch", ("refund-timeframe",))] == FindingStatus.OPEN
    save(engine, "refund-timeframe", status="published", **fixed)
    assert run(engine, settings, article_ids=["refund-timeframe"]) == []
    assert statuses(engine)[("policy_mismatch", ("refund-timeframe",))] == FindingStatus.RESOLVED


def test_acknowledged_stays_acknowledged_while_the_cause_persists(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    run(engine, settings)
    with session_scope(engine) as session:
        (row,) = findings_for_article(session, "refund-timeframe")
        set_finding_status(session, row.fingerprint, "acknowledged", actor="ann", note="known")
    run(engine, settings)
    assert statuses(engine) == {("policy_mismatch", ("refund-timeframe",)): "acknowledged"}


def test_recurring_cause_reopens_a_resolved_finding(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    run(engine, settings)
    good = "Refunds reach your account within 10 business days."
    bad = "Refunds reach your account within 5 business days."
    save(engine, "refund-timeframe", policy_sources=["REFUNDS#2.1"], answer=good)
    run(engine, settings)
    save(engine, "refund-timeframe", policy_sources=["REFUNDS#2.1"], answer=bad)
    run(engine, settings)
    assert statuses(engine) == {("policy_mismatch", ("refund-timeframe",)): "open"}


def test_incremental_check_examines_only_what_the_edit_can_affect(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    for n in range(5):
        save(
            engine,
            f"topic-{n}",
            intents=[f"topic.t{n}"],
            title=f"Topic {n}",
            answer=f"Topic {n} has its own subject number {n} words.",
            body="",
        )
    save(engine, "refund-copy", answer="Refunds reach your account within 3 business days.")
    run(engine, settings)
    result = check_store(engine, today=TODAY, settings=settings, article_ids=["refund-copy"])
    assert result.summary.articles_checked == 2  # refund-copy and refund-timeframe (shared intent)
    assert sorted((str(f.kind), f.article_ids) for f in result.findings) == [
        ("ambiguous_intent", ["refund-copy", "refund-timeframe"]),
        ("conflict", ["refund-copy", "refund-timeframe"]),
        ("duplicate", ["refund-copy", "refund-timeframe"]),  # the same body, word for word
        ("policy_mismatch", ["refund-timeframe"]),
    ]


def test_incremental_check_pairs_an_edit_with_articles_citing_its_clause(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    """A new article that states REFUNDS#2.1 rightly conflicts with refund-timeframe, which
    misstates it, though they share no intent and no vectors compare them."""
    run(engine, settings)
    save(
        engine,
        "refund-chat",
        intents=["chat.refund"],
        title="Chat: money back",
        policy_sources=["REFUNDS#2.1"],
        answer="The money is back with you within 10 business days of our approval.",
        body="",
    )
    result = check_store(engine, today=TODAY, settings=settings, article_ids=["refund-chat"])
    assert result.summary.articles_checked == 2
    (conflict,) = [f for f in result.findings if f.kind == "conflict"]
    assert conflict.article_ids == ["refund-chat", "refund-timeframe"]
    assert "both restate REFUNDS#2.1" in conflict.message
    assert conflict.message.endswith("refund-chat matches REFUNDS#2.1: correct refund-timeframe.")


def test_incremental_check_resolves_pair_findings_of_a_retired_article(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    save(engine, "refund-copy", answer="Refunds reach your account within 3 business days.")
    run(engine, settings)
    save(
        engine,
        "refund-copy",
        status="retired",
        answer="Refunds reach your account within 3 business days.",
    )
    check_store(engine, today=TODAY, settings=settings, article_ids=["refund-copy"])
    found = statuses(engine)
    assert found[("conflict", ("refund-copy", "refund-timeframe"))] == "resolved"
    assert found[("policy_mismatch", ("refund-timeframe",))] == "open"


def test_incremental_policy_change_rechecks_citing_articles(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    run(engine, settings)
    write_policy_md(
        kb / "policies", clauses={"2.1 Refund timeframe": "Refunds take 5 business days."}
    )
    report = import_content(engine, [kb], max_file_bytes=1 << 20)
    result = check_store(
        engine,
        today=TODAY,
        settings=settings,
        article_ids=report.changed_article_ids,
        policy_ids=report.changed_policy_ids,
    )
    assert result.summary.articles_checked == 1
    assert statuses(engine) == {("policy_mismatch", ("refund-timeframe",)): "resolved"}


def test_neighbours_through_embeddings_and_cache(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    text = "Turn the modem off at the wall, wait thirty seconds and turn it back on again."
    save(engine, "modem-a", intents=["modem.a"], title="Restart your modem", answer=text, body="")
    save(
        engine,
        "modem-b",
        intents=["modem.b"],
        title="Restart your modem",
        answer=text.replace("wall", "power point"),
        body="",
    )
    cache = EmbeddingCache()
    full = run(engine, settings, embedder=HashEmbedder(), cache=cache)
    assert ("duplicate", ["modem-a", "modem-b"]) in full
    result = check_store(
        engine,
        today=TODAY,
        settings=settings,
        embedder=HashEmbedder(),
        cache=cache,
        article_ids=["modem-a"],
    )
    assert result.summary.articles_checked == 2
    assert [f.kind for f in result.findings] == [FindingKind.DUPLICATE]


def test_set_status_errors(engine: Engine, settings: Settings, kb: Path) -> None:
    run(engine, settings)
    with session_scope(engine) as session:
        with pytest.raises(NotFoundError):
            set_finding_status(session, "nope", "resolved", actor="a")
        for not_an_id in ("²", "١٢", "１"):  # digits, but no id: an unknown fingerprint
            assert repository.get_finding(session, not_an_id) is None
        (row,) = list_findings(session, kind="policy_mismatch", article_id="refund-timeframe")
        with pytest.raises(InvalidRequestError):
            set_finding_status(session, row.fingerprint, "closed", actor="a")
        with pytest.raises(InvalidRequestError):
            list_findings(session, limit=0)
        assert list_findings(session, kind="duplicate") == []
        assert list_findings(session, severity="block", status="open")[0].id == row.id


def test_a_policy_changing_again_keeps_one_policy_changed_finding(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    """From the policy's first change after the article's review until the article is reviewed
    again, it is one finding: a later version updates its message, and its acknowledgement and
    history stay (it was resolved as "cause fixed" and opened anew on each version)."""
    ten = {"2.1 Refund timeframe": "Approved refunds are paid within 10 business days."}
    policies = kb / "policies"
    write_policy_md(policies, clauses=ten, version="2", effective_date="2026-07-01")
    load(engine, kb)
    run(engine, settings)
    with session_scope(engine) as session:
        (first,) = list_findings(session, kind="policy_changed", limit=10)
        set_finding_status(session, first.fingerprint, "acknowledged", actor="ann", note="seen")
    write_policy_md(policies, clauses=ten, version="3", effective_date="2026-08-01")
    load(engine, kb)
    run(engine, settings)
    with session_scope(engine) as session:
        (row,) = list_findings(session, kind="policy_changed", limit=10)
        assert row.id == first.id and row.status == FindingStatus.ACKNOWLEDGED
        assert "version 3" in row.message
        assert row.id is not None
        actions = [e.action for e in repository.finding_events(session, row.id)]
    assert "resolved" not in actions
    save(engine, "refund-timeframe", policy_sources=["REFUNDS#2.1"], last_reviewed="2026-09-01")
    run(engine, settings)  # reviewed after the change: the cause is gone
    assert statuses(engine)[("policy_changed", ("refund-timeframe",))] == FindingStatus.RESOLVED


def test_check_version_finds_what_publishing_the_version_would_and_stores_nothing(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    """A draft copying card-lost (a duplicate, through the vectors) and citing REFUNDS#2.1
    wrongly: the what-if check of the draft finds what the check after publishing it stores."""
    copy = dict(
        intents=["card.lost.copy"], title="Lost card", answer="Freeze the card in the app.",
        body="## More\nOrder a new card.\n", policy_sources=["REFUNDS#9.9"],
    )  # fmt: skip
    save(engine, "card-lost-copy", status="draft", **copy)
    run(engine, settings, embedder=HashEmbedder())
    before = statuses(engine)
    with session_scope(engine) as session:
        row = get_article(session, "card-lost-copy")
        assert row.status == "draft"
        found = check_version(session, row, today=TODAY, settings=settings, embedder=HashEmbedder())
    assert statuses(engine) == before  # nothing stored
    save(engine, "card-lost-copy", status="published", **copy)
    stored = run(engine, settings, embedder=HashEmbedder(), article_ids={"card-lost-copy"})
    expected = [s for s in stored if "card-lost-copy" in s[1]]
    assert sorted((str(f.kind), f.article_ids) for f in found) == expected
    assert {kind for kind, _ in expected} >= {"duplicate", "policy_missing"}


def test_an_article_citing_a_policy_with_only_a_draft_is_told_so(
    tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    """The store never puts a draft in force: citing a policy that has only a draft is citing
    a missing policy, and the finding says why (not "there is no policy FEES")."""
    root = tmp_path / "kb"
    write_policy_md(root / "policies", "FEES", status="draft", clauses={"1 Fee": "It is $4."})
    write_article_md(root / "content", "fee", policy_sources=["FEES#1", "NOPE#1"], answer="$3.")
    load(engine, root)
    result = check_store(engine, today=TODAY, settings=settings)
    messages = {f.policy_id: f.message for f in result.findings if f.kind == "policy_missing"}
    assert "FEES has only a draft, which is not in force" in messages["FEES"]
    assert "there is no policy NOPE" in messages["NOPE"]


def test_incremental_check_pairs_an_edit_with_the_opening_hours_of_its_topic(
    engine: Engine, settings: Settings, kb: Path
) -> None:
    """An edited article that gives opening hours is compared with the articles of its topic
    that give times, as the full check compares them, and with no other timed article."""
    save(engine, "call-us", intents=["contact.phone"], title="Talk to us", body="",
         answer="Call 1-888-555-0142 from 8 a.m. to 8 p.m. ET, Monday to Friday.")  # fmt: skip
    save(engine, "pool-hours", intents=["pools.hours"], title="Pool hours", body="",
         answer="The pool is open 6 a.m. to 9 p.m. ET, Monday to Friday.")  # fmt: skip
    run(engine, settings)
    save(engine, "contact-hours", intents=["contact.hours"], title="What are your hours?",
         body="", answer="We are open Monday through Friday, 8 a.m. to 9 p.m. ET.")  # fmt: skip
    result = check_store(engine, today=TODAY, settings=settings, article_ids=["contact-hours"])
    assert result.summary.articles_checked == 2  # contact-hours and call-us (one topic, times)
    (conflict,) = [f for f in result.findings if f.kind == "conflict"]
    assert conflict.article_ids == ["call-us", "contact-hours"]
    assert run(engine, settings).count(("conflict", ["call-us", "contact-hours"])) == 1
