"""The store's "checked through" watermark: where an after-write run's changes begin, and the
record a finished run leaves (see :mod:`knowledge_service.freshness.pipeline`)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from knowledge_service.content import service as content
from knowledge_service.db import session_scope
from knowledge_service.freshness import pipeline
from knowledge_service.freshness.models import CheckMark
from knowledge_service.freshness.pipeline import StoreChanges, StoreMarks
from tests.factories import article_text, policy_text


def _write(engine: Engine, article_id: str) -> None:
    with session_scope(engine) as session:
        content.articles.save_text(session, article_text(article_id), author="t", source="test")


def test_a_store_without_the_record_starts_from_its_watermarks_as_before(engine: Engine) -> None:
    assert pipeline.checked_mark(engine) is None  # a new store (or one of an older release)
    assert pipeline.unchecked_since(engine) == StoreMarks(0, 0)
    assert pipeline.checked_mark(engine) == StoreMarks(0, 0)  # recorded from now on

    _write(engine, "refund-timeframe")
    with session_scope(engine) as session:
        session.execute(delete(CheckMark))  # as an older release left it: the record missing
    since = pipeline.unchecked_since(engine)
    assert since == StoreMarks(1, 0)  # what it holds is taken as checked, as before
    _write(engine, "late-payment-fee")
    assert pipeline.changes_since(engine, since) == StoreChanges(frozenset({"late-payment-fee"}))


def test_a_run_that_did_not_finish_leaves_its_changes_to_the_next(engine: Engine) -> None:
    since = pipeline.unchecked_since(engine)
    _write(engine, "refund-timeframe")  # ... and the run stops before record_checked
    again = pipeline.unchecked_since(engine)
    assert again == since == StoreMarks(0, 0)
    _write(engine, "late-payment-fee")
    through = pipeline.read_marks(engine)
    changes = pipeline.changes_since(engine, again)
    assert changes.article_ids == {"refund-timeframe", "late-payment-fee"}
    pipeline.record_checked(engine, through)
    assert pipeline.checked_mark(engine) == through
    assert pipeline.unchecked_since(engine) == through


def test_the_record_only_moves_forward(engine: Engine) -> None:
    pipeline.record_checked(engine, StoreMarks(5, 2))
    pipeline.record_checked(engine, StoreMarks(3, 4))  # a run that listed its changes earlier
    assert pipeline.checked_mark(engine) == StoreMarks(5, 4)
    with session_scope(engine) as session:
        content.policies.save_text(session, policy_text("REFUNDS"), author="t", source="test")
    # the store's watermarks are below the record (written by another store's numbering, say):
    assert pipeline.unchecked_since(engine) == StoreMarks(0, 1)
