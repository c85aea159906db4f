"""``db copy``: a whole store moves between SQLite and PostgreSQL with every row of every table,
the target works afterwards (receipts, keys, new rows past the copied ids), and a target that
holds data, or a copy that fails midway, keeps the target as it was.

Each test runs twice: the source is the test's store (``[sqlite]`` or ``[postgresql]``) and the
target the other kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import JSON, Table, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import col
from sqlmodel import select as select_models

from knowledge_service import store_copy
from knowledge_service.access import repository as keys_repository
from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer
from knowledge_service.analytics.receipts import lookup_receipt
from knowledge_service.analytics.rollup import roll_up_before
from knowledge_service.analytics.schemas import FeedbackCreate, Rating
from knowledge_service.analytics.service import record_feedback
from knowledge_service.answers.receipts import make_handoff_receipt, make_receipt
from knowledge_service.content import service as content
from knowledge_service.content.models import ArticleVersion
from knowledge_service.content.service import import_content, save_article_text
from knowledge_service.db import make_engine, session_scope
from knowledge_service.errors import StoreCopyError, StoreSchemaError
from knowledge_service.freshness import pipeline
from knowledge_service.freshness.schemas import FindingStatus
from knowledge_service.freshness.service import check_store, list_findings, set_finding_status
from knowledge_service.index.cache import StoreEmbeddingCache
from knowledge_service.review.etags import Precondition, etag
from knowledge_service.review.queue_schemas import RiskAcceptanceCreate
from knowledge_service.review.risk import accept_risk
from knowledge_service.review.workflow import Workflow
from knowledge_service.settings import Settings
from tests.conftest import TODAY
from tests.factories import article_text, make_caller, write_article_md, write_policy_md

WRONG_FEE = "Refunds reach your account within 5 business days."
EDITOR, APPROVER = make_caller("admin", name="editor"), make_caller("admin", name="approver")
LONG_AGO = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def _seed(engine: Engine, settings: Settings, kb: Path) -> dict[str, str]:
    """Rows in every table, written by the service's own verbs; returns a key and a receipt."""
    write_policy_md(kb / "policies")
    write_article_md(kb / "content", "refund-timeframe", policy_sources=["REFUNDS#2.1"],
                     answer=WRONG_FEE)  # fmt: skip
    write_article_md(kb / "content", "lost-card", title="Lost card")
    import_content(engine, [kb], max_file_bytes=1 << 20)  # documents, versions, sync marks
    flow, text_ = (
        Workflow(content.articles, settings.workflow),
        article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"], answer=WRONG_FEE),
    )
    with session_scope(engine) as session:  # workflow state and the audit trail
        edited = flow.edit(session, EDITOR, "refund-timeframe", text_ + "\nMore.\n", _on(1))
        submitted = flow.submit(session, EDITOR, "refund-timeframe", _on(edited.status.version))
        flow.approve(session, APPROVER, "refund-timeframe", _on(submitted.status.version))
    check_store(engine, today=TODAY, settings=settings)  # findings and their articles
    pipeline.record_checked(engine, pipeline.read_marks(engine))  # check_mark
    with session_scope(engine) as session:
        block = next(f for f in list_findings(session, severity="block") if f.policy_id)
        assert block.id is not None
        request = RiskAcceptanceCreate(reason="fee confirmed", expires_on=TODAY + timedelta(9))
        accept_risk(session, APPROVER, block.id, request, today=TODAY)
        set_finding_status(session, block.id, FindingStatus.ACKNOWLEDGED, actor="owner")
        secret = access.create_key(session, name="bot", role=Role.BOT).secret
        access.create_key(session, name="gone", role=Role.AGENT)
        access.revoke_key(session, "gone")
        keys_repository.end_session(session, "ended-session", LONG_AGO + timedelta(days=400),
                                    now=LONG_AGO)  # fmt: skip
        versions = select_models(ArticleVersion).order_by(col(ArticleVersion.seq).desc())
        served = session.exec(
            versions.where(col(ArticleVersion.article_id) == "refund-timeframe")
        ).first()
        assert served is not None
    receipt = make_receipt("refund-timeframe", served.version, served.content_hash)
    log = AnswerLog(engine, pseudonym_key=b"k" * 32)
    log.record(LoggedAnswer(kind="answer", question="when is my refund?", latency_ms=12.5,
                            channel="chat", intent="refunds", article_id="refund-timeframe",
                            version=served.version, status="answered", reason="match",
                            confidence=0.8125, stale=True, receipt=receipt,
                            conversation_id="conv-1", caller="key:bot", at=LONG_AGO,
                            text="Refunds take 10 days."))  # fmt: skip
    log.record(LoggedAnswer(kind="answer", question="talk to a person", latency_ms=3.0,
                            channel="voice", status="escalate", reason="asked",
                            receipt=make_handoff_receipt(), caller="key:bot",
                            handoff={"queue": "billing", "notes": [1, None, "x"]}))  # fmt: skip
    log.record(LoggedAnswer(kind="search", question="lost card", latency_ms=1.0))
    log.flush()
    with engine.begin() as connection:  # SQL NULL, not JSON null: as a raw writer leaves it
        connection.execute(text("UPDATE answer_event SET handoff = NULL WHERE kind = 'search'"))
    with session_scope(engine) as session:
        record_feedback(session, FeedbackCreate(receipt=receipt, rating=Rating.WRONG,
                        comment="says 5 days"), caller="key:bot")  # fmt: skip
        roll_up_before(session, datetime(2026, 6, 1, tzinfo=UTC))  # daily_count
    vector = np.arange(384, dtype=np.float32) / np.float32(7)
    StoreEmbeddingCache(engine).put_many("hash", {"a" * 64: vector})
    return {"secret": secret, "receipt": receipt}


def _on(version: int) -> Precondition:
    return Precondition((etag("refund-timeframe", version),))


def _rows(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    """Every row as the service reads it, and for JSON columns whether it is SQL NULL."""
    nulls = [c.is_(None) for c in table.columns if isinstance(c.type, JSON)]
    query = select(table, *nulls).order_by(*table.primary_key.columns)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


@pytest.fixture
def source(engine: Engine, settings: Settings, tmp_path: Path) -> tuple[Engine, dict[str, str]]:
    return engine, _seed(engine, settings, tmp_path / "kb")


@pytest.fixture
def target(other_database_url: str) -> Iterator[Engine]:
    """An empty database of the other kind."""
    engine = make_engine(other_database_url)
    yield engine
    engine.dispose()


def test_the_copy_carries_every_row_of_every_table(
    source: tuple[Engine, dict[str, str]], target: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = source
    monkeypatch.setattr(store_copy, "BATCH_ROWS", 2)  # a table streamed in several batches
    seen: dict[str, int] = {}
    copies = store_copy.copy_store(engine, target, lambda t, done, total: seen.update({t: done}))
    tables = store_copy.copied_tables()
    assert [c.table for c in copies] == [t.name for t in tables]
    assert all(c.matches for c in copies)
    for table in tables:
        rows = _rows(engine, table)
        assert rows, f"the seed wrote no row in {table.name}: it would prove nothing"
        assert _rows(target, table) == rows, table.name
        assert seen[table.name] == len(rows)


def test_every_table_of_the_schema_is_copied(
    source: tuple[Engine, dict[str, str]], target: Engine
) -> None:
    """A table a future revision adds is copied without anyone listing it."""
    engine, _ = source
    copied = {c.table for c in store_copy.copy_store(engine, target)}
    in_source = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert copied == in_source == set(inspect(target).get_table_names()) - {"alembic_version"}
    with target.connect() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_the_target_serves_and_takes_new_rows_after_the_copy(
    source: tuple[Engine, dict[str, str]], target: Engine
) -> None:
    """New rows take ids past the copied ones (PostgreSQL's sequences are moved on)."""
    engine, seeded = source
    store_copy.copy_store(engine, target)
    with session_scope(target) as session:
        record = lookup_receipt(session, seeded["receipt"], limit=10, offset=0)
        assert (record.article_id, record.kind, record.total_servings) == (
            "refund-timeframe", "answer", 1
        )  # fmt: skip
        assert record.servings[0].at == LONG_AGO
        assert [r.text for r in record.renderings] == ["Refunds take 10 days."]
        assert access.authenticate(session, seeded["secret"]).role == Role.BOT
        access.create_key(session, name="new", role=Role.AGENT)
        saved = save_article_text(session, article_text("lost-card", title="Lost card!"),
                                  author="key:new", source="api")  # fmt: skip
        assert saved is not None and saved.version == 2  # a new version row (a new seq)
    log = AnswerLog(target)
    log.record(LoggedAnswer(kind="search", question="new", latency_ms=1.0))
    assert log.flush() == 1


def test_the_copy_is_of_one_moment_of_the_source(
    source: tuple[Engine, dict[str, str]], target: Engine
) -> None:
    """A write to the source while the copy runs is not copied, and splits no table."""
    engine, _ = source
    before = len(_rows(engine, store_copy.copied_tables()[0]))

    def write_meanwhile(table: str, done: int, total: int) -> None:
        if (table, done) == ("answer_event", 0):
            log = AnswerLog(engine)
            log.record(LoggedAnswer(kind="search", question="meanwhile", latency_ms=1.0))
            assert log.flush() == 1

    copies = store_copy.copy_store(engine, target, write_meanwhile)
    assert all(c.matches for c in copies)
    assert (copies[0].table, copies[0].target_rows) == ("answer_event", before)
    assert len(_rows(engine, store_copy.copied_tables()[0])) == before + 1


def test_a_target_holding_data_is_refused_naming_the_table(
    source: tuple[Engine, dict[str, str]], target: Engine
) -> None:
    engine, _ = source
    store_copy.copy_store(engine, target)
    before = {t.name: _rows(target, t) for t in store_copy.copied_tables()}
    with pytest.raises(StoreCopyError, match=r"already holds data: table answer_event has 3 row"):
        store_copy.copy_store(engine, target)
    assert {t.name: _rows(target, t) for t in store_copy.copied_tables()} == before


def test_a_copy_failing_midway_leaves_the_target_as_it_was(
    source: tuple[Engine, dict[str, str]], target: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = source
    written = store_copy.insert_rows
    tables: list[str] = []

    def fail_on_the_fifth_table(connection: Any, table: Table, rows: Any) -> None:
        tables.append(table.name) if table.name not in tables else None
        if len(tables) == 5:
            raise RuntimeError("disk full")
        written(connection, table, rows)

    monkeypatch.setattr(store_copy, "insert_rows", fail_on_the_fifth_table)
    with pytest.raises(RuntimeError, match="disk full"):
        store_copy.copy_store(engine, target)
    assert inspect(target).get_table_names() == []  # not even the schema stays
    monkeypatch.undo()
    assert all(c.matches for c in store_copy.copy_store(engine, target))  # a second try works


def test_a_copy_whose_counts_differ_from_the_source_is_rolled_back(
    source: tuple[Engine, dict[str, str]], target: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = source
    written = store_copy.insert_rows

    def lose_a_feedback_row(connection: Any, table: Table, rows: list[Any]) -> None:
        written(connection, table, rows[1:] if table.name == "feedback" else rows)

    monkeypatch.setattr(store_copy, "insert_rows", lose_a_feedback_row)
    with pytest.raises(store_copy.CopyMismatchError, match=r"feedback \(1 in the source, 0 "):
        store_copy.copy_store(engine, target)
    assert inspect(target).get_table_names() == []


def test_a_source_behind_this_release_is_refused_naming_db_upgrade(
    source: tuple[Engine, dict[str, str]], target: Engine
) -> None:
    engine, _ = source
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    with pytest.raises(StoreSchemaError, match="knowledge-service db upgrade"):
        store_copy.copy_store(engine, target)
    assert inspect(target).get_table_names() == []
