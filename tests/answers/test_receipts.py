"""Receipts: the same resolution always gives the same receipt; any change gives a new one."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_service.answers.receipts import make_receipt
from knowledge_service.answers.schemas import AnswerStatus
from knowledge_service.content.schemas import Channel
from tests.answers.kb import ALL_CHANNELS, QUESTIONS, STANDARD_ARTICLES, AnswerKB, build_kb

NEW_ANSWER = "Refunds reach your account within 10 business days, often sooner."
BASE = ("refund-timeframe", 2, "a" * 64)


def test_receipt_is_a_pure_function_of_article_version_and_hash() -> None:
    assert make_receipt(*BASE) == make_receipt(*BASE)
    assert make_receipt(*BASE).startswith("rcpt_")
    assert len(make_receipt(*BASE)) == len("rcpt_") + 32


@pytest.mark.parametrize(
    "other",
    [
        ("refund-timeframe", 3, "a" * 64),
        ("refund-timeframe", 2, "b" * 64),
        ("refund-timeframes", 2, "a" * 64),
        ("refund-timeframe2", 2, "a" * 64),  # no ambiguity from joining fields
    ],
)
def test_any_change_gives_a_new_receipt(other: tuple[str, int, str]) -> None:
    assert make_receipt(*other) != make_receipt(*BASE)


def test_every_channel_gets_the_same_receipt(kb: AnswerKB) -> None:
    results = [kb.service.answer(QUESTIONS["refund"], Channel(ch)) for ch in ALL_CHANNELS]
    assert {r.status for r in results} == {AnswerStatus.ANSWERED}
    assert len({r.receipt for r in results}) == 1


def test_receipt_changes_with_the_version_and_stays_without_one(tmp_path: Path) -> None:
    kb = build_kb(tmp_path)
    try:
        first = kb.service.answer(QUESTIONS["refund"], Channel.CHAT)
        kb.reimport()  # unchanged files: no new version
        again = kb.service.answer(QUESTIONS["refund"], Channel.CHAT)
        assert (again.version, again.receipt) == (first.version, first.receipt)

        fields = {**STANDARD_ARTICLES["refund-timeframe"], "answer": NEW_ANSWER}
        kb.write("refund-timeframe", **fields)
        kb.reimport()
        edited = kb.service.answer(QUESTIONS["refund"], Channel.CHAT)
        assert edited.version == first.version + 1  # type: ignore[operator]
        assert edited.receipt != first.receipt
        assert edited.answer == NEW_ANSWER
    finally:
        kb.close()
