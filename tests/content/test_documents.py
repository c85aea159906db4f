"""The one versioned-document mechanism, for both kinds: optimistic concurrency, restore,
visibility, paging in SQL and the audit trail of every version."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service.access.schemas import Role
from knowledge_service.audit import list_events
from knowledge_service.content import service
from knowledge_service.content.kinds import ARTICLE, POLICY
from knowledge_service.content.schemas import ArticleStatus, PolicyStatus
from knowledge_service.content.service import NARROW_ROLES, DocumentFilter, Transition
from knowledge_service.db import session_scope
from knowledge_service.errors import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    VersionConflictError,
)
from tests.factories import article_text, make_caller, policy_text

ADMIN, AGENT = make_caller("admin"), make_caller("agent")


def _save(session: Session, article_id: str = "a", **fields: object) -> None:
    service.articles.save_text(
        session, article_text(article_id, **fields), author="t", source="api"
    )


def test_write_with_a_stale_expected_version_raises_a_conflict_carrying_the_current(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        _save(session)
        _save(session, title="Second")
    with session_scope(engine) as session, pytest.raises(VersionConflictError) as info:
        service.articles.save_text(
            session, article_text("a", title="Third"), author="t", source="api", expected_version=1
        )
    error = info.value
    assert isinstance(error, ConflictError)
    assert (error.kind, error.doc_id, error.expected, error.current) == ("article", "a", 1, 2)
    with Session(engine) as session:
        assert service.get_article(session, "a").version == 2


@pytest.mark.parametrize(("expected", "ok"), [(None, True), (0, True), (1, False)])
def test_expected_version_zero_means_the_document_is_new(
    engine: Engine, expected: int | None, ok: bool
) -> None:
    with session_scope(engine) as session:
        text = policy_text("REFUNDS")
        if ok:
            version = service.policies.save_text(
                session, text, author="t", source="api", expected_version=expected
            )
            assert version is not None and version.version == 1
        else:
            with pytest.raises(VersionConflictError) as info:
                service.policies.save_text(
                    session, text, author="t", source="api", expected_version=expected
                )
            assert (info.value.kind, info.value.current) == ("policy", 0)


def test_matching_expected_version_writes_the_next_version(engine: Engine) -> None:
    with session_scope(engine) as session:
        _save(session)
        retired = service.retire_article(session, "a", actor="lead", expected_version=1)
        assert retired is not None and retired.version == 2
        with pytest.raises(VersionConflictError):
            service.articles.change_status(
                session, "a", Transition.RESTORE, actor="lead", expected_version=1
            )


@pytest.mark.parametrize(
    ("kind_service", "text", "active"),
    [
        (service.articles, article_text("a", status="draft"), ArticleStatus.DRAFT),
        (service.policies, policy_text("REFUNDS"), PolicyStatus.ACTIVE),
    ],
)
def test_retire_then_restore_brings_back_the_earlier_status(
    engine: Engine,
    kind_service: service.DocumentService,
    text: str,
    active: object,  # type: ignore[type-arg]
) -> None:
    with session_scope(engine) as session:
        doc = kind_service.save_text(session, text, author="t", source="api")
        assert doc is not None
        change = partial(kind_service.change_status, session, doc.doc_id, actor="lead")
        assert change(Transition.RESTORE) is None
        change(Transition.RETIRE, reason="outdated")
        assert change(Transition.RETIRE) is None
        restored = change(Transition.RESTORE, reason="still valid")
        assert restored is not None and (restored.version, restored.status) == (3, active)
        assert restored.content_hash == doc.content_hash
        events = list_events(session, object_id=doc.doc_id)
    assert [(e.action, e.version_before, e.version_after, e.reason) for e in events] == [
        ("created", None, 1, None),
        ("retired", 1, 2, "outdated"),
        ("restored", 2, 3, "still valid"),
    ]
    assert {e.object_type for e in events} == {kind_service.kind.name}


def test_audit_event_is_written_in_the_same_transaction_as_its_version(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        _save(session)
        assert len(list_events(session, object_type="article")) == 1
        raise RuntimeError("roll back")
    with Session(engine) as session:
        assert list_events(session) == []
        assert service.list_articles(session) == []


def test_audit_event_is_utc_aware_and_names_actor_and_hash(engine: Engine) -> None:
    with session_scope(engine) as session:
        version = service.save_article_text(session, article_text("a"), author="ann", source="api")
    with Session(engine) as session:
        (event_row,) = list_events(session, actor="ann")
    assert version is not None
    assert event_row.at.tzinfo is not None and event_row.at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert event_row.detail["content_hash"] == version.content_hash


def _seed(session: Session) -> None:
    for n, status in enumerate(["published", "draft", "published", "retired", "published"]):
        intents = ["billing.refund"] if n % 2 == 0 else ["support.escalate"]
        _save(session, f"a{n}", status=status, intents=intents)


def test_list_page_counts_every_match_and_returns_one_page(engine: Engine) -> None:
    with session_scope(engine) as session:
        _seed(session)
        page = service.articles.list_page(session, ADMIN, DocumentFilter(), limit=2, offset=1)
        assert ([v.article_id for v in page.items], page.total) == (["a1", "a2"], 5)
        page = service.articles.list_page(
            session, ADMIN, DocumentFilter(intent="billing.refund"), limit=10
        )
        assert ([v.article_id for v in page.items], page.total) == (["a0", "a2", "a4"], 3)


def test_list_page_counts_and_pages_in_sql(engine: Engine) -> None:
    statements: list[str] = []
    with session_scope(engine) as session:
        _seed(session)
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        with Session(engine) as session:
            service.articles.list_page(session, ADMIN, DocumentFilter(), limit=2, offset=3)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert any("count(*)" in s.lower() for s in statements)
    assert any("LIMIT" in s and "OFFSET" in s for s in statements)


def test_narrow_reader_sees_published_articles_only(engine: Engine) -> None:
    with session_scope(engine) as session:
        _seed(session)
        page = service.articles.list_page(session, AGENT, DocumentFilter(), limit=10)
        assert ([v.article_id for v in page.items], page.total) == (["a0", "a2", "a4"], 3)
        with pytest.raises(PermissionDeniedError, match="an agent key sees published articles"):
            service.articles.list_page(session, AGENT, DocumentFilter(status="draft"), limit=10)
        for call in (
            lambda: service.articles.read(session, AGENT, "a1"),
            lambda: service.articles.read_history(session, AGENT, "a3"),
        ):
            with pytest.raises(NotFoundError):
                call()
        assert service.articles.read(session, ADMIN, "a1").is_current


def test_narrow_reader_keeps_the_published_version_while_an_edit_is_in_review(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        _save(session, "a", title="Approved")
        _save(session, "a", title="Being reviewed", status="draft")
        _save(session, "b", title="Never published", status="draft")
        read = service.articles.read(session, AGENT, "a")
        assert (read.version.version, read.version.title, read.is_current) == (1, "Approved", False)
        page = service.articles.list_page(session, AGENT, DocumentFilter(), limit=10)
        assert ([(v.article_id, v.version) for v in page.items], page.total) == ([("a", 1)], 1)
        assert service.articles.read(session, ADMIN, "a").version.title == "Being reviewed"
        with pytest.raises(NotFoundError):
            service.articles.read(session, AGENT, "b")
        service.articles.change_status(session, "a", Transition.RETIRE, actor="t")
        _save(session, "a", title="Restored draft", status="draft")
        with pytest.raises(NotFoundError):  # retired: the draft after it is not served either
            service.articles.read(session, AGENT, "a")


def test_narrow_reader_sees_every_policy(engine: Engine) -> None:
    with session_scope(engine) as session:
        service.policies.save_text(session, policy_text("FEES"), author="t", source="api")
        service.policies.change_status(session, "FEES", Transition.RETIRE, actor="t")
        page = service.policies.list_page(session, AGENT, DocumentFilter(), limit=10)
        assert [(v.policy_id, v.status) for v in page.items] == [("FEES", PolicyStatus.RETIRED)]


@pytest.mark.parametrize(
    ("kind_service", "filters", "parameter"),
    [
        (service.policies, DocumentFilter(intent="x"), "intent"),
        (service.articles, DocumentFilter(status="archived"), "status"),
        (service.articles, DocumentFilter(audience="everyone"), "audience"),
    ],
)
def test_unknown_filters_and_values_are_invalid_requests(
    engine: Engine,
    kind_service: service.DocumentService,
    filters: DocumentFilter,
    parameter: str,  # type: ignore[type-arg]
) -> None:
    with Session(engine) as session, pytest.raises(InvalidRequestError) as info:
        kind_service.list_page(session, ADMIN, filters, limit=10)
    assert info.value.parameter == parameter


def test_narrow_roles_are_access_roles() -> None:
    assert {str(role) for role in Role} >= NARROW_ROLES


def test_kinds_keep_their_tables() -> None:
    assert (ARTICLE.row_model.__tablename__, ARTICLE.version_model.__tablename__) == (
        "article",
        "article_version",
    )
    assert (POLICY.row_model.__tablename__, POLICY.version_model.__tablename__) == (
        "policy",
        "policy_version",
    )
