"""Tables of the versioned content store: one identity row and immutable version rows per kind.

Every change to an article or a policy appends an immutable ``*Version`` row; the ``Article``
and ``Policy`` rows only point at the current version. The columns every kind shares live in
:class:`DocumentBase` and :class:`VersionBase`; each kind adds its own few. ``seq`` is a
per-kind, store-wide monotonic counter: the largest article ``seq`` is the watermark that the
search index records. The audit log is :mod:`knowledge_service.audit`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import JSON, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from knowledge_service.content.schemas import (
    ArticleDocument,
    ArticleStatus,
    Audience,
    PolicyDocument,
    PolicyStatus,
)
from knowledge_service.db import UTCDateTime, utcnow

__all__ = [
    "Article",
    "ArticleVersion",
    "DocumentBase",
    "Policy",
    "PolicyVersion",
    "StrEnumType",
    "SyncMark",
    "UTCDateTime",
    "VersionBase",
    "utcnow",
]

E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E], Generic[E]):
    """A ``StrEnum`` stored as its plain value (the same text columns as before) and read back
    as the enum member."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def _ts(*, index: bool = False) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=index)


def _enum(enum: type[StrEnum], *, index: bool = False) -> Any:
    return Field(sa_type=StrEnumType(enum), nullable=False, index=index)


class DocumentBase(SQLModel):
    """The identity of a document and a pointer to its current version."""

    id: str = Field(primary_key=True, max_length=120)
    current_version: int
    current_seq: int
    source_path: str | None = None
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class VersionBase(SQLModel):
    """The columns every kind's immutable version rows share."""

    seq: int | None = Field(default=None, primary_key=True)
    version: int
    content_hash: str
    title: str
    source: str
    author: str
    created_at: datetime = _ts(index=True)
    document: dict[str, Any] = Field(sa_type=JSON, nullable=False)
    raw: str = Field(sa_type=Text, nullable=False)

    @property
    def doc_id(self) -> str:
        """The id of the document this is a version of."""
        raise NotImplementedError


class Article(DocumentBase, table=True):
    """The identity of an article and a pointer to its current version."""

    status: ArticleStatus = _enum(ArticleStatus, index=True)


class ArticleVersion(VersionBase, table=True):
    """One immutable version of an article."""

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    article_id: str = Field(index=True, foreign_key="article.id", max_length=120)
    status: ArticleStatus = _enum(ArticleStatus, index=True)
    audience: Audience = _enum(Audience)
    locale: str
    owner: str = Field(index=True)

    @property
    def doc_id(self) -> str:
        return self.article_id

    def to_document(self) -> ArticleDocument:
        return ArticleDocument.model_validate(self.document)


class Policy(DocumentBase, table=True):
    """The identity of a policy source and a pointer to its current version."""

    status: PolicyStatus = _enum(PolicyStatus)


class PolicyVersion(VersionBase, table=True):
    """One immutable version of a policy source (store versions, not the policy's own label)."""

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("policy_id", "version"),)

    policy_id: str = Field(index=True, foreign_key="policy.id", max_length=120)
    policy_version: str
    status: PolicyStatus = _enum(PolicyStatus)

    @property
    def doc_id(self) -> str:
        return self.policy_id

    def to_document(self) -> PolicyDocument:
        return PolicyDocument.model_validate(self.document)


class SyncMark(SQLModel, table=True):
    """What a document's file last agreed with: the hash of the file text last imported or
    exported, and the store version that import or export left current.

    An import compares a file and the store with it: a file that changed while the store moved
    on through another way (the API) is a conflict, never an overwrite.
    """

    __tablename__ = "sync_mark"

    kind: str = Field(primary_key=True, max_length=16)
    doc_id: str = Field(primary_key=True, max_length=120)
    file_hash: str = Field(description="Empty once the file was gone (the import retired it).")
    version: int
    relative_path: str | None = Field(
        default=None, description="The file's path under its content or policies root."
    )
    synced_at: datetime = _ts()
