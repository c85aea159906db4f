"""The kinds of versioned document: each kind's own small part of the one mechanism.

Articles and policy sources are stored, versioned, retired, restored, listed and shown by the
same generic code (:mod:`.repository`, :mod:`.versions`, :mod:`.service`). A
:class:`DocumentKind` names what differs: its tables, its parser, its kind-specific columns and
filters, the status a narrow reader is limited to, and how a version is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlmodel import col

from knowledge_service.content.models import (
    Article,
    ArticleVersion,
    DocumentBase,
    Policy,
    PolicyVersion,
    VersionBase,
)
from knowledge_service.content.parser import parse_article, parse_policy
from knowledge_service.content.schemas import (
    ArticleDocument,
    ArticlePublic,
    ArticleStatus,
    ArticleSummary,
    ArticleVersionSummary,
    Audience,
    ClausePublic,
    PolicyDocument,
    PolicyPublic,
    PolicyStatus,
    PolicySummary,
    PolicyVersionSummary,
    SectionPublic,
)
from knowledge_service.db import json_array_contains
from knowledge_service.errors import InvalidRequestError

Render = Callable[[str], str]
"""Markdown to sanitised HTML (the adapters pass the answers domain's renderer)."""


class Document(Protocol):
    """What the generic code reads of a parsed document."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> StrEnum: ...
    @property
    def source_path(self) -> str | None: ...

    def model_dump(self, *, mode: str = ...) -> dict[str, Any]: ...


ShownT = TypeVar("ShownT", bound=BaseModel)


def _shown(schema: type[ShownT], parts: Sequence[BaseModel]) -> list[ShownT]:
    """``parts`` (sections, clauses) with only the fields ``schema`` shows."""
    return [schema.model_validate(p.model_dump(include=set(schema.model_fields))) for p in parts]


RowT = TypeVar("RowT", bound=DocumentBase)
VersionT = TypeVar("VersionT", bound=VersionBase)
DocT = TypeVar("DocT", bound=BaseModel)


@dataclass(frozen=True)
class DocumentFilter:
    """Filters of a list of current versions; a kind refuses the ones it has no column for."""

    status: str | None = None
    owner: str | None = None
    audience: str | None = None
    locale: str | None = None
    intent: str | None = None

    def given(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v is not None}


class DocumentKind(Generic[RowT, VersionT, DocT]):
    """One kind of versioned document. Subclasses set the class attributes and the hooks."""

    name: ClassVar[str]
    plural: ClassVar[str]
    row_model: type[RowT]
    version_model: type[VersionT]
    status_enum: ClassVar[type[StrEnum]]
    retired: ClassVar[StrEnum]
    narrow_statuses: ClassVar[tuple[StrEnum, ...]] = ()
    """The statuses a narrow reader (an agent) may see, or empty: every status."""
    filters: ClassVar[dict[str, type[StrEnum] | None]] = {}
    """The filters a kind accepts besides ``status``, each with the enum its value must be in."""

    @property
    def doc_id_column(self) -> Any:
        """The version table's column naming its document (``article_id``, ``policy_id``)."""
        return getattr(self.version_model, f"{self.name}_id")

    def parse(self, text: str, source: str) -> DocT:
        raise NotImplementedError

    document_schema: type[DocT]
    version_summary_schema: ClassVar[type[BaseModel]]

    def document(self, version: VersionT) -> DocT:
        return self.document_schema.model_validate(version.document)

    def version_columns(self, doc: DocT) -> dict[str, Any]:
        """The kind's own columns of a new version row."""
        return {}

    def where(self, filters: DocumentFilter) -> list[ColumnElement[bool]]:
        """SQL conditions on the version table for ``filters``."""
        accepted: dict[str, type[StrEnum] | None] = {"status": self.status_enum, **self.filters}
        conditions = []
        for name, value in filters.given().items():
            if name not in accepted:
                raise InvalidRequestError(name, f"{self.plural} have no such filter")
            enum = accepted[name]
            if enum is not None and value not in set(enum):
                choices = ", ".join(member.value for member in enum)
                raise InvalidRequestError(name, f"must be one of {choices} (got {value!r})")
            conditions.append(self.condition(name, value))
        return conditions

    def condition(self, name: str, value: str) -> ColumnElement[bool]:
        """The SQL condition of one accepted filter: by default, the version column of its name."""
        column: ColumnElement[Any] = getattr(self.version_model, name)
        return column == value

    def new_version(self, doc: DocT, **columns: Any) -> VersionT:
        values = {f"{self.name}_id": getattr(doc, "id"), **columns}  # noqa: B009
        return self.version_model(**values, **self.version_columns(doc))

    def audit_detail(self, doc: DocT) -> dict[str, Any]:
        return {}

    def summary(self, version: VersionT) -> BaseModel:
        raise NotImplementedError

    public_schema: ClassVar[type[BaseModel]]

    def public_parts(self, version: VersionT, render: Render) -> dict[str, Any]:
        """The kind's own fields of :meth:`public` (its body, rendered)."""
        raise NotImplementedError

    def public(self, version: VersionT, *, is_current: bool, render: Render) -> BaseModel:
        """One version as shown to readers: the summary, the kind's parts, the version facts."""
        return self.public_schema(
            **self.summary(version).model_dump(), **self.public_parts(version, render),
            content_hash=version.content_hash, created_at=version.created_at,
            author=version.author, is_current=is_current,
        )  # fmt: skip

    def version_summary(self, version: VersionT) -> BaseModel:
        return self.version_summary_schema.model_validate(version, from_attributes=True)


class ArticleKind(DocumentKind[Article, ArticleVersion, ArticleDocument]):
    name = "article"
    plural = "articles"
    row_model = Article
    version_model = ArticleVersion
    status_enum = ArticleStatus
    retired = ArticleStatus.RETIRED
    narrow_statuses = (ArticleStatus.PUBLISHED,)
    document_schema = ArticleDocument
    public_schema = ArticlePublic
    version_summary_schema = ArticleVersionSummary
    filters: ClassVar[dict[str, type[StrEnum] | None]] = {
        "owner": None,
        "audience": Audience,
        "locale": None,
        "intent": None,
    }

    def parse(self, text: str, source: str) -> ArticleDocument:
        return parse_article(text, source)

    def version_columns(self, doc: ArticleDocument) -> dict[str, Any]:
        return {"audience": doc.audience, "locale": doc.locale, "owner": doc.owner}

    def condition(self, name: str, value: str) -> ColumnElement[bool]:
        if name == "intent":  # intents live in the stored document (a JSON array)
            return json_array_contains(col(ArticleVersion.document), "intents", value)
        return super().condition(name, value)

    def summary(self, version: ArticleVersion) -> ArticleSummary:
        doc = version.to_document()
        return ArticleSummary(
            id=doc.id, version=version.version, title=doc.title, status=doc.status,
            audience=doc.audience, locale=doc.locale, owner=doc.owner, intents=doc.intents,
            next_review=doc.next_review,
        )  # fmt: skip

    def public_parts(self, version: ArticleVersion, render: Render) -> dict[str, Any]:
        doc = version.to_document()
        return {
            "channels": doc.channels, "policy_sources": [str(ref) for ref in doc.policy_sources],
            "last_reviewed": doc.last_reviewed, "questions": doc.questions,
            "answer": doc.answer, "answer_html": render(doc.answer), "body": doc.body,
            "body_html": render(doc.body), "sections": _shown(SectionPublic, doc.sections),
        }  # fmt: skip


class PolicyKind(DocumentKind[Policy, PolicyVersion, PolicyDocument]):
    name = "policy"
    plural = "policies"
    row_model = Policy
    version_model = PolicyVersion
    status_enum = PolicyStatus
    retired = PolicyStatus.RETIRED
    narrow_statuses = (PolicyStatus.ACTIVE, PolicyStatus.RETIRED)  # never a draft
    document_schema = PolicyDocument
    public_schema = PolicyPublic
    version_summary_schema = PolicyVersionSummary
    filters: ClassVar[dict[str, type[StrEnum] | None]] = {"owner": None}

    def parse(self, text: str, source: str) -> PolicyDocument:
        return parse_policy(text, source)

    def version_columns(self, doc: PolicyDocument) -> dict[str, Any]:
        return {"policy_version": doc.version}

    def audit_detail(self, doc: PolicyDocument) -> dict[str, Any]:
        return {"policy_version": doc.version}

    def condition(self, name: str, value: str) -> ColumnElement[bool]:
        if name == "owner":  # a policy's owner lives in its stored document only (no column)
            owner: ColumnElement[str] = col(PolicyVersion.document)["owner"].as_string()
            return owner == value
        return super().condition(name, value)

    def summary(self, version: PolicyVersion) -> PolicySummary:
        doc = version.to_document()
        return PolicySummary(
            id=doc.id, title=doc.title, policy_version=doc.version,
            store_version=version.version, effective_date=doc.effective_date,
            owner=doc.owner, status=doc.status,
        )  # fmt: skip

    def public_parts(self, version: PolicyVersion, render: Render) -> dict[str, Any]:
        doc = version.to_document()
        clauses = _shown(ClausePublic, doc.clauses)
        return {"body": doc.body, "body_html": render(doc.body), "clauses": clauses}


ARTICLE = ArticleKind()
POLICY = PolicyKind()
KINDS: tuple[ArticleKind, PolicyKind] = (ARTICLE, POLICY)
