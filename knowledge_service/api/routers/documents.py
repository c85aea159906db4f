"""Articles and policy sources: list, one document, its version history and one version.

Both resources are one kind of thing (a versioned document), so one factory builds both
routers; a :class:`Resource` names what differs (the kind's service, permission, filters and
schemas). Each route parses, calls one content verb with the caller and returns a schema. This
module avoids ``from __future__ import annotations``: FastAPI reads the routes' annotations,
which refer to the factory's locals.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from knowledge_service.access.schemas import Permission, Principal
from knowledge_service.answers.render import markdown_to_safe_html
from knowledge_service.answers.sanitise import clean_title
from knowledge_service.content import service as content
from knowledge_service.content.schemas import (
    ARTICLE_ID_PATTERN,
    INTENT_PATTERN,
    MAX_INTENT_CHARS,
    POLICY_ID_PATTERN,
    SHOWS_TEXT_SCHEMA,
    ArticlePublic,
    ArticleStatus,
    ArticleSummary,
    ArticleVersionSummary,
    NoNul,
    NotBlank,
    PolicyPublic,
    PolicyStatus,
    PolicySummary,
    PolicyVersionSummary,
    ShowsText,
    VersionRead,
)
from knowledge_service.content.service import DocumentFilter, DocumentService
from knowledge_service.content.sync_marks import relative_path
from knowledge_service.db import MAX_VERSION
from knowledge_service.errors import a_or_an
from knowledge_service.freshness.schemas import FindingPublic
from knowledge_service.freshness.service import findings_for_article
from knowledge_service.http.deps import PageDep, SessionDep, require
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import Page
from knowledge_service.review.etags import etag

_LIST_ERRORS = problem_responses(400, 401, 403)
_READ_ERRORS = problem_responses(400, 401, 403, 404)


class ArticleWithFindings(ArticlePublic):
    """One version of an article, with the findings of the governance check on it."""

    findings: list[FindingPublic] | None = Field(
        default=None,
        description="Findings of the governance check, on the version the caller is shown by "
        "default only (the current one; for agents and bots, while an edit is in review, the "
        "approved version still served).",
    )


def _article_detail(
    session: Session, principal: Principal, read: VersionRead[Any], public: Any
) -> BaseModel:
    shown = read.is_shown
    findings = findings_for_article(session, read.version.doc_id, principal) if shown else None
    return ArticleWithFindings(**public.model_dump(), findings=findings)


def _titled(document: Any) -> Any:
    """A document as every response gives its title: its words as plain text, no Markdown or
    HTML (``clean_title``, as search and answers give it; the stored source is unchanged)."""
    document.title = clean_title(document.title)
    return document


def _shown(summary: Any) -> Any:
    """A version as readers see it: an imported one's source is its file's path under the
    content root, never where the file lies on the server."""
    if PurePosixPath(summary.source).is_absolute():
        summary.source = relative_path(summary.source) or summary.source
    return summary


def article_filters(
    status: Annotated[ArticleStatus | None, Query(description="Only this status.")] = None,
    owner: Annotated[
        str | None,
        Query(max_length=200, description="Only this owner.", json_schema_extra=SHOWS_TEXT_SCHEMA),
        NoNul,
        NotBlank,
        ShowsText,
    ] = None,
    intent: Annotated[
        str | None,
        Query(pattern=INTENT_PATTERN, max_length=MAX_INTENT_CHARS, description="Only this intent."),
    ] = None,
) -> DocumentFilter:
    return DocumentFilter(status=status, owner=owner, intent=intent)


def policy_filters(
    status: Annotated[PolicyStatus | None, Query(description="Only this status.")] = None,
) -> DocumentFilter:
    return DocumentFilter(status=status)


@dataclass(frozen=True)
class Resource:
    """What one kind's routes need besides the generic verbs."""

    service: DocumentService[Any, Any, Any]
    permission: Permission
    id_pattern: str
    filters: Callable[..., DocumentFilter]
    summary: type[BaseModel]
    public: type[BaseModel]
    version_summary: type[BaseModel]
    detail: Callable[[Session, Principal, VersionRead[Any], Any], BaseModel] = (
        lambda _s, _p, _r, public: public
    )
    has_version_routes: bool = True
    """Whether ``/{id}/versions[/{version}]`` are served (policies: ``?version=`` only)."""

    @property
    def name(self) -> str:
        return self.service.kind.name

    @property
    def plural(self) -> str:
        return self.service.kind.plural


def build_router(res: Resource) -> APIRouter:
    """The list, detail, history and version routes of one kind under ``/v1/<plural>``."""
    kind, service = res.service.kind, res.service
    router = APIRouter(prefix=f"/v1/{res.plural}", tags=[res.plural])
    reader = Annotated[Principal, Depends(require(res.permission))]
    doc_id_path = Annotated[
        str,
        Path(
            alias=f"{res.name}_id", pattern=res.id_pattern, max_length=120,
            description=f"The {res.name} id.",
        ),
    ]  # fmt: skip
    version_query = Annotated[
        int | None,
        Query(ge=1, le=MAX_VERSION, description="A store version (default: the current one)."),
    ]
    filters_dep = Annotated[DocumentFilter, Depends(res.filters)]

    @router.get(
        "", name=f"list_{res.plural}", summary=f"List {res.plural}", responses=_LIST_ERRORS,
        response_model=Page[res.summary],  # type: ignore[name-defined]
    )  # fmt: skip
    def list_documents(
        session: SessionDep, principal: reader, page: PageDep, filters: filters_dep
    ) -> Any:
        found = service.list_page(session, principal, filters, limit=page.limit, offset=page.offset)
        items = [_titled(kind.summary(v)) for v in found.items]
        return Page(items=items, total=found.total, limit=page.limit, offset=page.offset)

    def show(
        session: Session, principal: Principal, read: VersionRead[Any], *, detail: bool
    ) -> BaseModel:
        public = kind.public(read.version, is_current=read.is_current, render=markdown_to_safe_html)
        public = _titled(public)
        return res.detail(session, principal, read, public) if detail else public

    @router.get(
        f"/{{{res.name}_id}}", name=f"get_{res.name}", summary=f"One {res.name}",
        responses=_READ_ERRORS, response_model=res.public,
    )  # fmt: skip
    def get_document(
        session: SessionDep,
        principal: reader,
        doc_id: doc_id_path,
        response: Response,
        version: version_query = None,
    ) -> Any:
        """The current version (or the given store version) with its parts rendered; its
        ``ETag`` is what a workflow write sends as ``If-Match``."""
        read = service.read(session, principal, doc_id, version)
        response.headers["ETag"] = etag(read.version.doc_id, read.version.version)
        return show(session, principal, read, detail=version is None)

    if res.has_version_routes:
        _add_version_routes(router, res, reader, doc_id_path, show)
    return router


def _add_version_routes(
    router: APIRouter, res: Resource, reader: Any, doc_id_path: Any, show: Callable[..., Any]
) -> None:
    kind, service = res.service.kind, res.service
    version_path = Annotated[int, Path(ge=1, le=MAX_VERSION, description="The version number.")]

    @router.get(
        f"/{{{res.name}_id}}/versions", name="list_versions",
        summary=f"{a_or_an(res.name).capitalize()}'s version history", responses=_READ_ERRORS,
        response_model=list[res.version_summary],  # type: ignore[name-defined]
    )  # fmt: skip
    def list_versions(session: SessionDep, principal: reader, doc_id: doc_id_path) -> Any:
        """Every version, oldest first."""
        return [
            _titled(_shown(kind.version_summary(v)))
            for v in service.read_history(session, principal, doc_id)
        ]

    @router.get(
        f"/{{{res.name}_id}}/versions/{{version}}", name="get_version",
        summary=f"One version of {a_or_an(res.name)}", responses=_READ_ERRORS,
        response_model=res.public,
    )  # fmt: skip
    def get_version(
        session: SessionDep, principal: reader, doc_id: doc_id_path, version: version_path
    ) -> Any:
        """Exactly the given version, as it was stored (findings are for the current one only)."""
        read = service.read(session, principal, doc_id, version)
        return show(session, principal, read, detail=False)


articles = build_router(
    Resource(
        service=content.articles, permission=Permission.READ_ARTICLES,
        id_pattern=ARTICLE_ID_PATTERN, filters=article_filters, summary=ArticleSummary,
        public=ArticleWithFindings, version_summary=ArticleVersionSummary,
        detail=_article_detail,
    )
)  # fmt: skip
policies = build_router(
    Resource(
        service=content.policies, permission=Permission.READ_POLICIES,
        id_pattern=POLICY_ID_PATTERN, filters=policy_filters, summary=PolicySummary,
        public=PolicyPublic, version_summary=PolicyVersionSummary, has_version_routes=False,
    )
)  # fmt: skip
