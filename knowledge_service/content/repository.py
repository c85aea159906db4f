"""All queries of the content store: one generic repository, parameterised by the kind.

:class:`DocumentRepository` (the shape of Polar's ``RepositoryBase[M]``) is bound to a session
and a :class:`~knowledge_service.content.kinds.DocumentKind`; the module functions below it are
the names the other domains read the store by.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Generic

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from knowledge_service.content.kinds import ARTICLE, POLICY, DocumentKind, RowT, VersionT
from knowledge_service.content.models import Article, ArticleVersion, Policy, PolicyVersion
from knowledge_service.content.schemas import ArticleStatus


class DocumentRepository(Generic[RowT, VersionT]):
    """The queries of one kind of document, in one session."""

    def __init__(self, session: Session, kind: DocumentKind[RowT, VersionT, Any]) -> None:
        self.session = session
        self.kind = kind
        self.rows_model = kind.row_model
        self.model = kind.version_model
        self.doc_id = kind.doc_id_column

    def get(self, doc_id: str) -> RowT | None:
        return self.session.get(self.rows_model, doc_id)

    def list_rows(self) -> Sequence[RowT]:
        return self.session.exec(select(self.rows_model).order_by(col(self.rows_model.id))).all()

    def get_version(self, doc_id: str, version: int | None = None) -> VersionT | None:
        """A given version, or the current one when ``version`` is None."""
        if version is None:
            row = self.get(doc_id)
            if row is None:
                return None
            version = row.current_version
        query = select(self.model).where(self.doc_id == doc_id, self.model.version == version)
        return self.session.exec(query).first()

    def history(self, doc_id: str) -> Sequence[VersionT]:
        query = select(self.model).where(self.doc_id == doc_id)
        return self.session.exec(query.order_by(col(self.model.version))).all()

    def _on_current(self) -> ColumnElement[bool]:
        row = self.rows_model
        return and_(col(row.id) == self.doc_id, col(row.current_version) == col(self.model.version))

    def _current(self) -> SelectOfScalar[VersionT]:
        return select(self.model).join(self.rows_model, self._on_current())

    def current(
        self, *where: ColumnElement[bool], limit: int | None = None, offset: int = 0
    ) -> Sequence[VersionT]:
        """The current version of every document matching ``where``, ordered by id, one page."""
        query = self._current().where(*where).order_by(self.doc_id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return self.session.exec(query).all()

    def count_current(self, *where: ColumnElement[bool]) -> int:
        """How many documents' current versions match ``where`` (counted by the database)."""
        query = select(func.count()).select_from(self._current().where(*where).subquery())
        return int(self.session.exec(query).one())

    def current_states(self) -> dict[str, tuple[str, str]]:
        """``id -> (content_hash, status)`` of every document's current version."""
        status = getattr(self.model, "status")  # noqa: B009 (each kind has its own enum)
        query = select(self.doc_id, col(self.model.content_hash), status)
        rows = self.session.exec(query.join(self.rows_model, self._on_current())).all()
        return {doc_id: (digest, str(state)) for doc_id, digest, state in rows}

    def as_of(self, at: datetime) -> Sequence[VersionT]:
        """The version of every document that was current at ``at``."""
        latest = (
            select(self.doc_id, func.max(self.model.seq).label("seq"))
            .where(self.model.created_at <= at)
            .group_by(self.doc_id)
            .subquery()
        )
        query = select(self.model).join(latest, col(self.model.seq) == latest.c.seq)
        return self.session.exec(query.order_by(self.doc_id)).all()

    def _in_force(self, at: datetime | None = None) -> SelectOfScalar[VersionT]:
        status = getattr(self.model, "status")  # noqa: B009
        latest = select(self.doc_id, func.max(self.model.seq).label("seq")).where(status != "draft")
        if at is not None:
            latest = latest.where(self.model.created_at <= at)
        sub = latest.group_by(self.doc_id).subquery()
        return select(self.model).join(sub, col(self.model.seq) == sub.c.seq)

    def in_force(
        self, at: datetime | None = None, *where: ColumnElement[bool], limit: int | None = None,
        offset: int = 0,
    ) -> Sequence[VersionT]:  # fmt: skip
        """The latest version of every document that is not a draft (as of ``at``, if given)
        and matches ``where``, ordered by id, one page: a draft being written or reviewed never
        replaces the version in force."""
        query = self._in_force(at).where(*where).order_by(self.doc_id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return self.session.exec(query).all()

    def count_in_force(self, *where: ColumnElement[bool]) -> int:
        """How many documents' versions in force match ``where``."""
        query = select(func.count()).select_from(self._in_force().where(*where).subquery())
        return int(self.session.exec(query).one())

    def in_force_ids(self, *where: ColumnElement[bool]) -> SelectOfScalar[str]:
        """A subquery: the ids of the documents whose version in force matches ``where``."""
        return self._in_force().where(*where).with_only_columns(self.doc_id)  # type: ignore[return-value]

    def in_force_version(self, doc_id: str) -> VersionT | None:
        """The latest version of one document that is not a draft (None: only drafts)."""
        status = getattr(self.model, "status")  # noqa: B009
        query = select(self.model).where(self.doc_id == doc_id, status != "draft")
        return self.session.exec(query.order_by(col(self.model.seq).desc()).limit(1)).first()

    def since(self, seq: int) -> Sequence[VersionT]:
        """Every version written after watermark ``seq``, oldest first."""
        query = select(self.model).where(col(self.model.seq) > seq)
        return self.session.exec(query.order_by(col(self.model.seq))).all()

    def changed_since(self, seq: int) -> set[str]:
        """Ids of the documents with a version written after watermark ``seq``."""
        query = select(self.doc_id).where(col(self.model.seq) > seq)
        return set(self.session.exec(query).all())

    def watermark(self) -> int:
        """The largest version ``seq`` (0 for an empty store)."""
        return int(self.session.exec(select(func.max(self.model.seq))).one() or 0)


def articles(session: Session) -> DocumentRepository[Article, ArticleVersion]:
    return DocumentRepository(session, ARTICLE)


def policies(session: Session) -> DocumentRepository[Policy, PolicyVersion]:
    return DocumentRepository(session, POLICY)


def get_article_version(
    session: Session, article_id: str, version: int | None = None
) -> ArticleVersion | None:
    return articles(session).get_version(article_id, version)


def current_article_versions(
    session: Session, statuses: Sequence[str] | None = None
) -> Sequence[ArticleVersion]:
    """The current version of every article (optionally only those in ``statuses``)."""
    where = [] if statuses is None else [col(ArticleVersion.status).in_(list(statuses))]
    return articles(session).current(*where)


def served_article_versions(
    session: Session, as_of: datetime | None = None
) -> list[ArticleVersion]:
    """The version of every article that search and answers serve (as of ``as_of``, if given):
    its latest version that is not a draft, when that version is published.

    A published article being edited keeps its approved version in service while the new draft
    is written and reviewed; approving the draft publishes it and it is served from then on.
    """
    return [
        row for row in articles(session).in_force(as_of) if row.status == ArticleStatus.PUBLISHED
    ]


def indexed_article_version(session: Session, article_id: str) -> ArticleVersion | None:
    """The version of an article the search index holds: the one in force (published or
    retired), or the current draft of an article never published (which search never serves)."""
    repository = articles(session)
    return repository.in_force_version(article_id) or repository.get_version(article_id)


def indexed_article_versions(session: Session) -> list[ArticleVersion]:
    """:func:`indexed_article_version` of every article, ordered by id."""
    in_force = {row.article_id: row for row in articles(session).in_force()}
    return [in_force.get(row.article_id, row) for row in articles(session).current()]


def article_versions_as_of(session: Session, as_of: datetime) -> Sequence[ArticleVersion]:
    return articles(session).as_of(as_of)


def article_versions_since(session: Session, seq: int) -> Sequence[ArticleVersion]:
    return articles(session).since(seq)


def article_watermark(session: Session) -> int:
    return articles(session).watermark()


def policy_watermark(session: Session) -> int:
    return policies(session).watermark()


def changed_since(session: Session, article_seq: int, policy_seq: int) -> tuple[set[str], set[str]]:
    """Ids of the articles and policies with a version written after the given watermarks."""
    return articles(session).changed_since(article_seq), policies(session).changed_since(policy_seq)


def current_policy_versions(session: Session) -> Sequence[PolicyVersion]:
    """The version in force of every policy: its latest that is not a draft."""
    return policies(session).in_force()


def policy_ids(session: Session) -> set[str]:
    """The id of every policy with a stored version (in force, draft or retired)."""
    return set(session.exec(select(PolicyVersion.policy_id).distinct()).all())


def policy_labels(
    session: Session, policy_ids: Collection[str], as_of: datetime | None = None
) -> dict[str, str]:
    """``policy_id -> the policy's own version label``, current or in force at ``as_of``."""
    ids = set(policy_ids)
    if not ids:
        return {}
    repo = policies(session)
    rows = [row for row in repo.in_force(as_of) if row.policy_id in ids]
    return {row.policy_id: row.policy_version for row in rows}
