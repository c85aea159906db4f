"""Two articles that say the same thing do not split an answer's confidence between them.

A ``duplicate`` finding warns: both articles stay served. A question either answers ranks them
side by side, and measured against each other neither would lead, so the question was refused.
The best one's lead is measured over the other articles instead (real model, real store).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from knowledge_service.answers import repository
from knowledge_service.answers import service as answer_service
from knowledge_service.answers.evaluation import open_answer_service
from knowledge_service.answers.schemas import AnswerStatus
from knowledge_service.answers.service import AnswerService
from knowledge_service.content.schemas import Channel
from knowledge_service.freshness.models import Finding, FindingArticle
from knowledge_service.freshness.schemas import FindingKind, FindingStatus
from knowledge_service.index.cache import LruCache
from knowledge_service.index.embedder import create_embedder
from knowledge_service.settings import Settings
from tests.conftest import TODAY

pytestmark = pytest.mark.slow

HEAD = """---
id: {id}
title: {title}
intents: [{intent}]
owner: billing@water.example
last_reviewed: 2026-09-01
next_review: 2037-09-01
locale: en-AU
questions:
{questions}
---
{body}
"""
PAY_BODY = """You can pay your water bill online with a card, by BPAY, by direct debit, by phone on
13 20 55, or in person at any Australia Post outlet.

## Payment options
- Card online at the customer portal
- BPAY: biller code 4455, your account number as the reference
- Direct debit, set up in the customer portal
- Australia Post, with your bill's barcode
"""
ARTICLES = {
    "ways-to-pay": ("Ways to pay your bill", "billing.pay_options",
                    ["what are the ways to pay my bill", "can I pay my water bill by card"],
                    PAY_BODY),
    "pay-your-bill": ("Paying your water bill", "billing.pay",
                      ["how do I pay my water bill", "what's the BPAY code"],
                      PAY_BODY.replace("You can pay", "Pay")),
    "payment-plans": ("Payment plans", "hardship.plan",
                      ["can I pay my bill off in instalments", "I can't afford my bill"],
                      "If you can't pay your bill in full, we can set up a payment plan of\n"
                      "fortnightly or monthly instalments. Call us on 13 20 55."),
    "report-a-leak": ("Report a leak", "faults.leak",
                      ["there's water leaking in the street", "how do I report a burst pipe"],
                      "Report a burst main or a leak in the street on 13 20 56, any time."),
    "moving-house": ("Moving house", "accounts.move",
                     ["I'm moving out, how do I close my account", "we're moving house"],
                     "Tell us your move-out date at least 2 business days ahead and we'll read\n"
                     "the meter and send a final bill."),
    "meter-reading": ("How we read your meter", "meters.reading",
                      ["when do you read my meter", "why was my reading estimated"],
                      "We read your meter every three months. If we can't get to it, we\n"
                      "estimate the reading from your past use."),
}  # fmt: skip
QUESTION = "how can I pay"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnswerService]:
    root = tmp_path_factory.mktemp("duplicates")
    for article_id, (title, intent, questions, body) in ARTICLES.items():
        text = HEAD.format(
            id=article_id, title=title, intent=intent, body=body,
            questions="\n".join(f"  - {q}" for q in questions),
        )  # fmt: skip
        (root / "content").mkdir(exist_ok=True)
        (root / "content" / f"{article_id}.md").write_text(text, encoding="utf-8")
    settings = Settings(today=TODAY)
    with pytest.MonkeyPatch.context() as patch:  # a finding's new status counts at once
        patch.setattr(answer_service, "DUPLICATES_TTL", 0.0)
        yield open_answer_service(
            root / "kb", [root / "content"], create_embedder(settings, threads=2), settings
        )


def _duplicate(service: AnswerService) -> Finding:
    with Session(service.engine) as session:
        rows = session.exec(select(Finding).where(Finding.kind == FindingKind.DUPLICATE)).all()
    assert [sorted(f.article_ids) for f in rows] == [["pay-your-bill", "ways-to-pay"]]
    return rows[0]


def _set_status(service: AnswerService, finding: Finding, status: FindingStatus) -> None:
    with Session(service.engine) as session:
        row = session.get(Finding, finding.id)
        assert row is not None
        row.status = status
        session.add(row)
        session.commit()


def test_a_question_two_duplicates_answer_is_answered(service: AnswerService) -> None:
    finding = _duplicate(service)
    answered = service.answer(QUESTION, Channel.CHAT)
    assert answered.status == AnswerStatus.ANSWERED
    assert answered.article_id in finding.article_ids
    # the same ranking, with no finding saying the two are one: their lead splits
    _set_status(service, finding, FindingStatus.RESOLVED)
    try:
        refused = service.answer(QUESTION, Channel.CHAT)
    finally:
        _set_status(service, finding, FindingStatus.OPEN)
    assert refused.status == AnswerStatus.NO_ANSWER
    assert refused.confidence < answered.confidence
    assert refused.handoff is not None
    assert refused.handoff.candidates[0].confidence == refused.confidence


def test_the_hand_off_carries_the_confidence_the_answer_was_weighed_with(
    service: AnswerService,
) -> None:
    """Below what voice needs, the escalation names the best article at the confidence the
    decision used (beside its duplicate), not at its split one."""
    result = service.answer(QUESTION, Channel.VOICE)
    assert result.status == AnswerStatus.ESCALATE
    assert result.handoff is not None
    assert result.handoff.candidates[0].confidence == result.confidence


def _forget_duplicates(service: AnswerService) -> None:
    """Expire what the process read about duplicates: the next question reads the store."""
    service._duplicates = LruCache(16)


def test_duplicates_are_read_once_for_a_while(
    service: AnswerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process reads an article's duplicate findings at most once per DUPLICATES_TTL seconds
    (most of a bot's questions are refused, and each would read them): a change counts after
    that."""
    monkeypatch.setattr(answer_service, "DUPLICATES_TTL", 3600.0)
    finding = _duplicate(service)
    _forget_duplicates(service)
    assert service.answer(QUESTION, Channel.CHAT).status == AnswerStatus.ANSWERED
    _set_status(service, finding, FindingStatus.RESOLVED)
    try:
        assert service.answer(QUESTION, Channel.CHAT).status == AnswerStatus.ANSWERED  # trusted
        _forget_duplicates(service)
        assert service.answer(QUESTION, Channel.CHAT).status == AnswerStatus.NO_ANSWER
    finally:
        _set_status(service, finding, FindingStatus.OPEN)
        _forget_duplicates(service)


def test_only_the_asked_articles_duplicates_are_read(service: AnswerService) -> None:
    """The lookup reads the pairs of one article, never every duplicate finding of the store
    (a store with 50,000 of them had made each refused answer load them all: seconds under
    load). Other kinds, resolved findings and other articles' pairs are left out."""
    finding = _duplicate(service)
    with Session(service.engine) as session:
        other = Finding(
            fingerprint="f" * 64, kind=FindingKind.DUPLICATE, severity=finding.severity,
            message="m", article_ids=["meter-reading", "report-a-leak"], evidence=[],
        )  # fmt: skip
        session.add(other)
        session.commit()
        session.refresh(other)
        for article_id in other.article_ids:
            session.add(FindingArticle(finding_id=other.id, article_id=article_id))
        session.commit()
        try:
            assert repository.duplicates_of(session, "ways-to-pay") == {"pay-your-bill"}
            assert repository.duplicates_of(session, "pay-your-bill") == {"ways-to-pay"}
            assert repository.duplicates_of(session, "meter-reading") == {"report-a-leak"}
            assert repository.duplicates_of(session, "moving-house") == frozenset()
            other.status = FindingStatus.RESOLVED
            session.add(other)
            session.commit()
            assert repository.duplicates_of(session, "meter-reading") == frozenset()
        finally:
            for row in session.exec(
                select(FindingArticle).where(FindingArticle.finding_id == other.id)
            ):
                session.delete(row)
            session.commit()
            session.delete(other)
            session.commit()
