"""The one audit log: every domain's changes, queried by object, actor and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service.audit import list_events, record_event
from knowledge_service.db import session_scope
from knowledge_service.freshness import repository as findings
from knowledge_service.freshness.models import Finding


def test_events_are_filtered_by_object_actor_and_time(engine: Engine) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    with session_scope(engine) as session:
        record_event(session, actor="ann", via="key", action="created", object_type="article",
                     object_id="a")  # fmt: skip
        record_event(session, actor="bob", via="cli", action="updated", object_type="article",
                     object_id="a", version_before=1, version_after=2, reason="typo",
                     detail={"k": 1})  # fmt: skip
        record_event(session, actor="ann", via="key", action="created", object_type="policy",
                     object_id="a")  # fmt: skip
    with Session(engine) as session:
        assert [e.action for e in list_events(session, object_type="article", object_id="a")] == [
            "created",
            "updated",
        ]
        assert [e.object_type for e in list_events(session, actor="ann")] == ["article", "policy"]
        assert [e.via for e in list_events(session)] == ["key", "cli", "key"]
        (latest,) = list_events(session, newest_first=True, limit=1)
        assert latest.object_type == "policy"
        assert len(list_events(session, since=start)) == 3
        assert list_events(session, since=datetime.now(UTC) + timedelta(hours=1)) == []


def test_audit_table_is_indexed_by_object_actor_and_time(engine: Engine) -> None:
    indexes = inspect(engine).get_indexes("audit_log")
    columns = {tuple(index["column_names"]) for index in indexes}
    assert {("object_type", "object_id"), ("actor",), ("at",)} <= columns


def test_finding_history_is_read_from_the_audit_log(engine: Engine) -> None:
    with session_scope(engine) as session:
        finding = Finding(fingerprint="f1", kind="policy_mismatch", severity="block",
                          article_ids=["a"], message="m")  # fmt: skip
        session.add(finding)
        session.flush()
        findings.add_event(session, finding, "created", actor="system")
        finding.status = "acknowledged"
        findings.add_event(session, finding, "acknowledged", actor="ann", note="known")
        assert finding.id is not None
        finding_id = finding.id
    with Session(engine) as session:
        history = findings.finding_events(session, finding_id)
        assert [(e.action, e.actor, e.reason) for e in history] == [
            ("created", "system", None),
            ("acknowledged", "ann", "known"),
        ]
        assert list_events(session, object_type="finding")[1].detail == {"status": "acknowledged"}
