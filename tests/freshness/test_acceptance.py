"""Blocks in the store: acknowledging never lifts one, a risk acceptance does until it lapses or
the finding resolves, and a review grace period ending turns the same finding into a block."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from knowledge_service.access.schemas import Principal, Role
from knowledge_service.content import service as content
from knowledge_service.content.service import import_content, save_article_text
from knowledge_service.db import session_scope
from knowledge_service.errors import InvalidStateError, PermissionDeniedError
from knowledge_service.freshness import repository
from knowledge_service.freshness.notes import is_blocking, notes_for_articles
from knowledge_service.freshness.schemas import FindingStatus, Severity
from knowledge_service.freshness.service import check_store, list_findings, set_finding_status
from knowledge_service.review.etags import LOCAL, Precondition, etag
from knowledge_service.review.queue_schemas import RiskAcceptanceCreate
from knowledge_service.review.risk import accept_risk
from knowledge_service.review.workflow import Workflow
from knowledge_service.settings import Settings
from tests.conftest import TODAY
from tests.factories import article_text, make_caller, write_article_md, write_policy_md

ADMIN = make_caller("admin", name="reviewer")
WRONG_FEE = "Refunds reach your account within 5 business days."
OWNER = "payments@example.com"  # the owner of the factory's articles


@pytest.fixture
def blocked(tmp_path: Path, engine: Engine, settings: Settings) -> int:
    """refund-timeframe states 5 days where REFUNDS#2.1 says 10: a policy_mismatch block."""
    write_policy_md(tmp_path / "kb" / "policies")
    write_article_md(
        tmp_path / "kb" / "content", "refund-timeframe", policy_sources=["REFUNDS#2.1"],
        answer=WRONG_FEE,
    )  # fmt: skip
    import_content(engine, [tmp_path / "kb"], max_file_bytes=1 << 20)
    check_store(engine, today=TODAY, settings=settings)
    with session_scope(engine) as session:
        (row,) = list_findings(session, severity="block")
        assert row.id is not None
        return row.id


def _blocks(engine: Engine, today: date = TODAY) -> bool:
    with session_scope(engine) as session:
        notes = notes_for_articles(session, ["refund-timeframe"], today=today)
    return is_blocking(notes["refund-timeframe"])


def _accept(engine: Engine, finding: int, days: int = 10, caller: Any = ADMIN) -> None:
    request = RiskAcceptanceCreate(reason="fee confirmed", expires_on=TODAY + timedelta(days))
    with session_scope(engine) as session:
        accept_risk(session, caller, finding, request, today=TODAY)


def test_acknowledging_a_block_never_lifts_it(engine: Engine, blocked: int) -> None:
    with session_scope(engine) as session:
        set_finding_status(session, blocked, FindingStatus.ACKNOWLEDGED, actor="owner")
    assert _blocks(engine)
    with session_scope(engine) as session, pytest.raises(InvalidStateError, match="re-check"):
        set_finding_status(session, blocked, FindingStatus.RESOLVED, actor="owner")
    assert _blocks(engine)


def test_a_risk_acceptance_lifts_the_block_until_its_expiry_date(
    engine: Engine, blocked: int
) -> None:
    _accept(engine, blocked, days=10)
    assert not _blocks(engine)
    assert not _blocks(engine, TODAY + timedelta(days=9))
    assert _blocks(engine, TODAY + timedelta(days=10))  # lapses on its expiry date
    with session_scope(engine) as session:
        notes = notes_for_articles(session, ["refund-timeframe"])  # no date: nothing lifted
        assert is_blocking(notes["refund-timeframe"])
        actions = [e.action for e in repository.finding_events(session, blocked)]
    assert actions == ["created", "risk_accepted"]


def test_a_fix_resolves_the_finding_and_ends_its_acceptance(
    engine: Engine, settings: Settings, blocked: int
) -> None:
    _accept(engine, blocked)
    with session_scope(engine) as session:
        text = article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"])
        save_article_text(session, text, author="key:fixer", source="api")
    check_store(engine, today=TODAY, settings=settings)
    with session_scope(engine) as session:
        text = article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"], answer=WRONG_FEE)
        save_article_text(session, text, author="key:other", source="api")
    check_store(engine, today=TODAY, settings=settings)  # the same cause comes back
    assert _blocks(engine)  # the old acceptance ended with the resolution
    with session_scope(engine) as session:
        actions = [e.action for e in repository.finding_events(session, blocked)]
    assert actions == ["created", "risk_accepted", "resolved", "risk_acceptance_ended", "reopened"]


def test_only_an_admin_other_than_the_last_author_accepts(engine: Engine, blocked: int) -> None:
    with pytest.raises(PermissionDeniedError):
        _accept(engine, blocked, caller=make_caller("owner", name="reviewer"))
    with session_scope(engine) as session:
        text = article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"], answer=WRONG_FEE)
        save_article_text(session, text + "\nMore.\n", author="key:reviewer", source="api")
    with pytest.raises(PermissionDeniedError, match="last author"):
        _accept(engine, blocked)
    assert _blocks(engine)


def test_the_editor_of_the_served_text_may_not_accept_its_risk_but_its_approver_may(
    engine: Engine, settings: Settings, blocked: int
) -> None:
    """An approval writes the served version under the approver's name; the text is the
    editor's, so the editor is its last author."""
    editor, approver = make_caller("admin", name="editor"), make_caller("admin", name="approver")
    flow = Workflow(content.articles, settings.workflow)

    def on(version: int) -> Precondition:
        return Precondition((etag("refund-timeframe", version),))

    text = article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"], answer=WRONG_FEE)
    with session_scope(engine) as session:
        edited = flow.edit(session, editor, "refund-timeframe", text + "\nMore.\n", on(1))
        submitted = flow.submit(session, editor, "refund-timeframe", on(edited.status.version))
        approved = flow.approve(session, approver, "refund-timeframe", on(submitted.status.version))
        assert (approved.status.author, approved.status.last_editor) == ("approver", "editor")
    with pytest.raises(PermissionDeniedError, match="last author"):
        _accept(engine, blocked, caller=editor)
    _accept(engine, blocked, caller=approver)
    assert not _blocks(engine)


def test_the_editor_s_admin_key_may_not_accept_the_risk_of_what_their_owner_key_wrote(
    engine: Engine, settings: Settings, blocked: int
) -> None:
    """Four eyes compare persons: the editor holding an owner key and an admin key is still
    the last author through the other one; another person's admin key may accept."""
    person = "ann@example.com"
    editor = Principal(name="ann-owner", prefix="p1", role=Role.OWNER, owner=OWNER, person=person)
    ann_admin = Principal(name="ann-admin", prefix="p2", role=Role.ADMIN, person=person.upper())
    approver = Principal(name="bob-admin", prefix="p3", role=Role.ADMIN, person="bob@example.com")
    flow = Workflow(content.articles, settings.workflow)
    text = article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"], answer=WRONG_FEE)
    with session_scope(engine) as session:
        edited = flow.edit(session, editor, "refund-timeframe", text + "\nMore.\n", LOCAL)
        flow.submit(session, editor, "refund-timeframe", LOCAL)
        flow.approve(session, approver, "refund-timeframe", LOCAL)
        assert edited.status.last_editor_person == person
    with pytest.raises(PermissionDeniedError, match="last author"):
        _accept(engine, blocked, caller=ann_admin)
    assert _blocks(engine)
    _accept(engine, blocked, caller=approver)
    assert not _blocks(engine)


def test_the_grace_period_ending_turns_the_same_finding_into_a_block(
    tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    write_article_md(
        tmp_path / "kb" / "content", "meter-reading", last_reviewed="2025-06-01",
        next_review=(TODAY - timedelta(days=5)).isoformat(),
    )  # fmt: skip
    import_content(engine, [tmp_path / "kb"], max_file_bytes=1 << 20)
    check_store(engine, today=TODAY, settings=settings)
    with session_scope(engine) as session:
        (warn,) = list_findings(session, kind="review_overdue")
        assert warn.severity == Severity.WARN
    check_store(engine, today=TODAY + timedelta(days=30), settings=settings)
    with session_scope(engine) as session:
        (block,) = list_findings(session, kind="review_overdue")
        assert (block.id, block.severity, block.status) == (warn.id, Severity.BLOCK, "open")


def test_an_acceptance_ends_when_the_finding_quotes_another_text(
    engine: Engine, settings: Settings, blocked: int
) -> None:
    """The risk accepted was that of the text the finding quoted: an edit that states another
    wrong figure (here by the admin who accepted the first one, so the rule that the last author
    never accepts would otherwise be bypassed) is blocked again until someone accepts it."""
    _accept(engine, blocked)
    with session_scope(engine) as session:  # another sentence only: the acceptance holds
        text = article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"], answer=WRONG_FEE)
        save_article_text(session, text + "\n## Detail\nCall us.\n", author="key:x", source="api")
    check_store(engine, today=TODAY, settings=settings)
    assert not _blocks(engine)
    with session_scope(engine) as session:
        worse = WRONG_FEE.replace("5 business days", "30 business days")
        text = article_text("refund-timeframe", policy_sources=["REFUNDS#2.1"], answer=worse)
        save_article_text(session, text, author="key:reviewer", source="api")
    check_store(engine, today=TODAY, settings=settings)
    with session_scope(engine) as session:
        (row,) = list_findings(session, severity="block")
        actions = [e.action for e in repository.finding_events(session, blocked)]
    assert (row.id, row.status) == (blocked, "open") and "30 business days" in row.message
    assert _blocks(engine)
    assert actions == ["created", "risk_accepted", "risk_acceptance_ended"]
