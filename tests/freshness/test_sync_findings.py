"""Keeping the findings table in step with a check run, on both stores: new findings are created
with their article links and history in batches, findings found again keep their first sighting
and move their last one, changed ones are updated, and vanished ones resolve."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from knowledge_service.freshness import repository
from knowledge_service.freshness.findings import sync_findings
from knowledge_service.freshness.models import Finding, FindingArticle
from knowledge_service.freshness.schemas import Evidence, FindingData, FindingKind, FindingStatus

FIRST = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SECOND = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def _duplicate(first: str, second: str, message: str = "they say the same") -> FindingData:
    evidence = [
        Evidence(article_id=a, version=1, section="answer", text="No fee.") for a in (first, second)
    ]
    return FindingData.create(FindingKind.DUPLICATE, [first, second], message, evidence)


def _run(engine: Engine, findings: list[FindingData], now: datetime) -> None:
    with Session(engine) as session:
        sync_findings(session, findings, covered=lambda row: True, now=now)
        session.commit()


def _rows(engine: Engine) -> dict[tuple[str, ...], Finding]:
    with Session(engine) as session:
        return {tuple(row.article_ids): row for row in session.exec(select(Finding)).all()}


@pytest.mark.parametrize("scan_from", [5_000, 100], ids=["lookups", "one-pass"])
def test_findings_are_created_found_again_updated_and_resolved(
    engine: Engine, scan_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways of finding the known ones: chunked lookups, and one pass for a full check."""
    monkeypatch.setattr(repository, "_SCAN_FROM", scan_from)
    many = [_duplicate(f"a-{n:03d}", f"a-{n + 1:03d}") for n in range(250)]
    _run(engine, many, FIRST)
    rows = _rows(engine)
    assert len(rows) == 250
    with Session(engine) as session:
        links = session.exec(select(FindingArticle)).all()
        assert len(links) == 500
        row = rows[("a-007", "a-008")]
        assert {link.article_id for link in links if link.finding_id == row.id} == {
            "a-007",
            "a-008",
        }
        assert [e.action for e in repository.finding_events(session, row.id)] == ["created"]
    seen = {(_naive(r.first_seen_at), _naive(r.last_seen_at), r.status) for r in rows.values()}
    assert seen == {(_naive(FIRST), _naive(FIRST), FindingStatus.OPEN)}

    # The next run finds the first 200 again (the first of them in new words), not the rest.
    _run(engine, [_duplicate("a-000", "a-001", "reworded"), *many[1:200]], SECOND)
    rows = _rows(engine)
    kept, gone, reworded = (
        rows[("a-010", "a-011")],
        rows[("a-220", "a-221")],
        rows[("a-000", "a-001")],
    )
    assert kept.status == FindingStatus.OPEN
    assert _naive(kept.first_seen_at) == _naive(FIRST) and _naive(kept.last_seen_at) == _naive(
        SECOND
    )
    assert gone.status == FindingStatus.RESOLVED and _naive(gone.last_seen_at) == _naive(FIRST)
    assert reworded.message == "reworded" and _naive(reworded.last_seen_at) == _naive(SECOND)
    with Session(engine) as session:
        assert [e.action for e in repository.finding_events(session, gone.id)] == [
            "created",
            "resolved",
        ]
        assert [e.action for e in repository.finding_events(session, kept.id)] == ["created"]


def _naive(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment is not None else None
