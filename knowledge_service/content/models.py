"""Tables of the versioned content store.

Every change to an article or a policy appends an immutable ``*Version`` row; the ``Article``
and ``Policy`` rows only point at the current version. ``seq`` is a store-wide monotonic
counter: the largest article ``seq`` is the watermark that the search index records.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from knowledge_service.content.schemas import ArticleDocument, PolicyDocument


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always gives back timezone-aware datetimes (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


def _ts(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, **kwargs))


class Article(SQLModel, table=True):
    """The identity of an article and a pointer to its current version."""

    id: str = Field(primary_key=True, max_length=120)
    current_version: int
    current_seq: int
    status: str = Field(index=True)
    source_path: str | None = None
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class ArticleVersion(SQLModel, table=True):
    """One immutable version of an article."""

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    seq: int | None = Field(default=None, primary_key=True)
    article_id: str = Field(index=True, foreign_key="article.id", max_length=120)
    version: int
    content_hash: str
    status: str = Field(index=True)
    audience: str
    locale: str
    title: str
    owner: str = Field(index=True)
    source: str
    author: str
    created_at: datetime = _ts(index=True)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    raw: str = Field(sa_column=Column(Text, nullable=False))

    def to_document(self) -> ArticleDocument:
        return ArticleDocument.model_validate(self.document)


class Policy(SQLModel, table=True):
    """The identity of a policy source and a pointer to its current version."""

    id: str = Field(primary_key=True, max_length=120)
    current_version: int
    current_seq: int
    status: str
    source_path: str | None = None
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class PolicyVersion(SQLModel, table=True):
    """One immutable version of a policy source (store versions, not the policy's own label)."""

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("policy_id", "version"),)

    seq: int | None = Field(default=None, primary_key=True)
    policy_id: str = Field(index=True, foreign_key="policy.id", max_length=120)
    version: int
    policy_version: str
    content_hash: str
    status: str
    title: str
    source: str
    author: str
    created_at: datetime = _ts(index=True)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    raw: str = Field(sa_column=Column(Text, nullable=False))

    def to_document(self) -> PolicyDocument:
        return PolicyDocument.model_validate(self.document)


class AuditEvent(SQLModel, table=True):
    """Who changed what, when: written with every change in the same transaction."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor: str
    action: str = Field(index=True)
    entity_type: str
    entity_id: str = Field(index=True)
    version: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
