"""``as_of``: answering as the knowledge stood at a moment (versions, findings, policies)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from knowledge_service.answers.schemas import AnswerStatus
from knowledge_service.content.schemas import Channel
from knowledge_service.errors import InvalidRequestError
from knowledge_service.freshness.service import check_store
from tests.answers.kb import QUESTIONS, STANDARD_ARTICLES, TODAY, AnswerKB, build_kb
from tests.factories import write_policy_md

REFUND = STANDARD_ARTICLES["refund-timeframe"]
LOST_CARD = STANDARD_ARTICLES["lost-card"]
METER = STANDARD_ARTICLES["meter-reading"]
V2_ANSWER = "Refunds reach your account within 10 business days, usually sooner."


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[AnswerKB]:
    built = build_kb(tmp_path, {"refund-timeframe": REFUND, "lost-card": LOST_CARD})
    yield built
    built.close()


def test_as_of_before_an_edit_answers_with_the_old_version(kb: AnswerKB) -> None:
    before_edit = datetime.now(UTC)
    kb.write("refund-timeframe", **{**REFUND, "answer": V2_ANSWER})
    kb.reimport()

    then = kb.service.answer(QUESTIONS["refund"], Channel.CHAT, as_of=before_edit)
    now = kb.service.answer(QUESTIONS["refund"], Channel.CHAT)
    assert (then.article_id, then.version) == ("refund-timeframe", 1)
    assert (now.article_id, now.version) == ("refund-timeframe", 2)
    assert then.answer is not None and then.answer.startswith("Refunds reach your account within")
    assert now.answer == V2_ANSWER and then.answer != V2_ANSWER
    assert then.receipt != now.receipt
    assert then.as_of == before_edit


def test_as_of_is_repeatable_and_the_same_instant_in_any_zone(kb: AnswerKB) -> None:
    before_edit = datetime.now(UTC)
    kb.write("refund-timeframe", **{**REFUND, "answer": V2_ANSWER})
    kb.reimport()
    sydney = before_edit.astimezone(timezone(timedelta(hours=11)))
    results = [
        kb.service.answer(QUESTIONS["refund"], Channel.CHAT, as_of=when)
        for when in (before_edit, sydney, before_edit)
    ]
    assert {(r.version, r.receipt) for r in results} == {(1, results[0].receipt)}


def test_as_of_before_anything_existed_is_no_answer(kb: AnswerKB) -> None:
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    result = kb.service.answer(QUESTIONS["refund"], Channel.CHAT, as_of=long_ago)
    assert result.status == AnswerStatus.NO_ANSWER and result.article_id is None


def test_article_added_later_is_unknown_before_it_existed(kb: AnswerKB) -> None:
    before = datetime.now(UTC)
    kb.write("meter-reading", **{**METER, "next_review": "2027-06-01"})
    kb.reimport()
    assert kb.service.answer(QUESTIONS["blocked"], Channel.CHAT, as_of=before).status == (
        AnswerStatus.NO_ANSWER
    )
    now = kb.service.answer(QUESTIONS["blocked"], Channel.CHAT)
    assert (now.status, now.article_id) == (AnswerStatus.ANSWERED, "meter-reading")


def test_article_retired_later_is_served_only_before_its_retirement(kb: AnswerKB) -> None:
    before = datetime.now(UTC)
    kb.write("lost-card", **{**LOST_CARD, "status": "retired"})
    kb.reimport()
    after = datetime.now(UTC)
    # Ask about the earlier moment first: its index must not be reused for the later one.
    then = kb.service.answer(QUESTIONS["lost_card"], Channel.CHAT, as_of=before)
    later = kb.service.answer(QUESTIONS["lost_card"], Channel.CHAT, as_of=after)
    now = kb.service.answer(QUESTIONS["lost_card"], Channel.CHAT)
    assert (then.status, then.article_id, then.version) == (AnswerStatus.ANSWERED, "lost-card", 1)
    assert later.status == AnswerStatus.NO_ANSWER and later.article_id is None
    assert now.status == AnswerStatus.NO_ANSWER


def test_findings_count_only_from_when_they_were_found(tmp_path: Path) -> None:
    kb = build_kb(tmp_path, {"meter-reading": METER}, check=False)
    try:
        before_check = datetime.now(UTC)
        check_store(kb.engine, today=TODAY, settings=kb.settings)
        then = kb.service.answer(QUESTIONS["blocked"], Channel.CHAT, as_of=before_check)
        now = kb.service.answer(QUESTIONS["blocked"], Channel.CHAT)
        assert (then.status, then.freshness) == (AnswerStatus.ANSWERED, [])
        assert (now.status, now.reason) == (AnswerStatus.ESCALATE, "blocked_by_finding")
        agent_now = kb.service.answer(QUESTIONS["blocked"], Channel.AGENT)
        assert [n.kind for n in agent_now.freshness] == ["review_overdue"]
    finally:
        kb.close()


def test_citations_name_the_policy_version_in_force_then(kb: AnswerKB) -> None:
    before = datetime.now(UTC)
    write_policy_md(kb.root / "policies", "REFUNDS", version="4")
    kb.reimport()
    then = kb.service.answer(QUESTIONS["refund"], Channel.CHAT, as_of=before)
    now = kb.service.answer(QUESTIONS["refund"], Channel.CHAT)
    assert [c.policy_version for c in then.citations] == ["3"]
    assert [c.policy_version for c in now.citations] == ["4"]


@pytest.mark.parametrize(
    ("as_of", "problem"),
    [
        (datetime.now(UTC) + timedelta(days=1), "future"),
        (datetime(2030, 1, 1, tzinfo=UTC), "future"),
        (datetime(2026, 1, 1), "time zone"),
        (datetime.now(), "time zone"),
    ],
    ids=["tomorrow", "2030", "naive-past", "naive-now"],
)
def test_future_or_naive_timestamps_are_refused(
    kb: AnswerKB, as_of: datetime, problem: str
) -> None:
    with pytest.raises(InvalidRequestError, match=problem) as caught:
        kb.service.answer(QUESTIONS["refund"], Channel.CHAT, as_of=as_of)
    assert caught.value.parameter == "as_of"
