"""The editorial workflow over HTTP, for articles and policy sources alike.

Each route parses, calls one :class:`~knowledge_service.review.workflow.Workflow` verb with the
caller and the ``If-Match`` precondition, commits, then runs the after-write pipeline before it
answers: the search index and the findings already follow the change when the client reads
them. Bodies are JSON; a document's text travels whole (front matter and body) in ``text``.
This module avoids ``from __future__ import annotations``: FastAPI reads the routes'
annotations, which refer to the factory's locals.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from sqlmodel import Session

from knowledge_service import clock
from knowledge_service.access.schemas import Permission, Principal
from knowledge_service.api.routers.workflow_bulk import add_bulk_routes
from knowledge_service.api.routers.workflow_support import (
    ADMINS_ONLY,
    CREATE_ERRORS,
    ETAG_HEADER,
    READ_ERRORS,
    WRITE_RESPONSES,
    Caller,
    IfMatch,
    Reason,
    finish,
    require_parameter,
)
from knowledge_service.content import service as content
from knowledge_service.content.schemas import ARTICLE_ID_PATTERN, POLICY_ID_PATTERN
from knowledge_service.db import MAX_VERSION
from knowledge_service.errors import a_or_an
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.schemas import VersionCheck, any_blocking
from knowledge_service.http.deps import (
    AfterWriteDep,
    SearchServiceDep,
    SessionDep,
    SettingsDep,
    require,
)
from knowledge_service.review.blocks import with_blocks
from knowledge_service.review.diff import DocumentDiff, diff_versions
from knowledge_service.review.etags import Precondition
from knowledge_service.review.workflow import Workflow
from knowledge_service.review.workflow_schemas import (
    WorkflowReassign,
    WorkflowRejection,
    WorkflowRestore,
    WorkflowStatus,
    WorkflowText,
)
from knowledge_service.review.workflow_state import Step


def build_router(documents: content.DocumentService[Any, Any, Any], id_pattern: str) -> APIRouter:
    """The workflow routes of one kind under ``/v1/<plural>``."""
    kind = documents.kind
    router = APIRouter(prefix=f"/v1/{kind.plural}", tags=[kind.plural])
    doc_id_path = Annotated[str, Path(alias=f"{kind.name}_id", pattern=id_pattern, max_length=120)]

    def flow(settings: SettingsDep) -> Workflow:
        return Workflow(documents, settings.workflow)

    flow_dep = Annotated[Workflow, Depends(flow)]

    def write(
        name: str, summary: str, body: Any, call: Callable[..., Step],
        then: Callable[[Session, WorkflowStatus, date], WorkflowStatus] | None = None,
        admins_only: bool = False,
    ) -> None:  # fmt: skip
        """``POST /{id}/<name>``: one workflow step on one document (a body that is not the
        optional reason is required); ``then`` adds to the status once the check has run."""

        @router.post(
            f"/{{{kind.name}_id}}/{name}", name=f"{name}_{kind.name}", summary=summary,
            response_model=WorkflowStatus, responses=WRITE_RESPONSES,
            dependencies=ADMINS_ONLY if admins_only else None,
        )  # fmt: skip
        def step(
            *, session: SessionDep, principal: Caller, workflow: flow_dep, settings: SettingsDep,
            after_write: AfterWriteDep, response: Response, doc_id: doc_id_path,
            if_match: IfMatch = None, payload: body = None,
        ) -> Any:  # fmt: skip
            pre = Precondition.from_header(if_match)
            done = call(workflow, session, principal, doc_id, pre, payload, settings)
            finish(session, [done], kind.name, response, after_write)
            return (
                done.status if then is None else then(session, done.status, clock.today(settings))
            )

        if body is not Reason:
            require_parameter(step, "payload")
        step.__doc__ = summary

    def reason(payload: Any) -> str | None:
        return None if payload is None else payload.reason

    write(
        "submit",
        f"Submit a draft {kind.name} for review",
        Reason,
        lambda w, s, p, i, pre, b, _: w.submit(s, p, i, pre, reason=reason(b)),
    )
    write(
        "approve",
        f"Approve and publish {a_or_an(kind.name)} in review (not its last editor)",
        Reason,
        lambda w, s, p, i, pre, b, _: w.approve(s, p, i, pre, reason=reason(b)),
        # what the published article's check finds blocking: the approver learns of it now
        then=(lambda s, status, today: with_blocks(s, status, today=today))
        if kind.name == "article"
        else None,
    )
    write(
        "reject",
        f"Send {a_or_an(kind.name)} in review back with a reason",
        Annotated[WorkflowRejection, Body()],
        lambda w, s, p, i, pre, b, _: w.reject(s, p, i, pre, reason=b.reason),
    )
    write(
        "retire",
        f"Retire {a_or_an(kind.name)}",
        Reason,
        lambda w, s, p, i, pre, b, _: w.retire(s, p, i, pre, reason=reason(b)),
    )
    write(
        "restore",
        f"Restore an old version of {a_or_an(kind.name)} as a new draft",
        Annotated[WorkflowRestore, Body()],
        lambda w, s, p, i, pre, b, _: w.restore(s, p, i, pre, version=b.version, reason=b.reason),
    )
    write(
        "discard",
        f"Discard the draft of {a_or_an(kind.name)}: its version in force is current again",
        Reason,
        lambda w, s, p, i, pre, b, _: w.discard(s, p, i, pre, reason=reason(b)),
    )
    write(
        "reassign",
        f"Give {a_or_an(kind.name)} to another owner (admins)",
        Annotated[WorkflowReassign, Body()],
        lambda w, s, p, i, pre, b, _: w.reassign(s, p, i, pre, owner=b.owner, reason=b.reason),
        admins_only=True,
    )
    if kind.name == "article":
        write("verify", "Verify a published article: reviewed today, next review one interval on",
              Reason, lambda w, s, p, i, pre, b, st: w.verify(
                  s, p, i, pre, today=clock.today(st), reason=reason(b)),
              then=lambda s, status, today: with_blocks(s, status, today=today))  # fmt: skip
    _add_text_routes(router, kind.name, doc_id_path, flow_dep)
    _add_read_routes(router, documents, doc_id_path, flow_dep)
    add_bulk_routes(router, kind.name, flow_dep)
    return router


def _add_text_routes(router: APIRouter, kind: str, doc_id_path: Any, flow_dep: Any) -> None:
    """Create a draft (``POST``) and edit one (``PUT /{id}``): the whole text in ``text``."""

    @router.post(
        "", name=f"create_{kind}", summary=f"Create a draft {kind}", status_code=201,
        response_model=WorkflowStatus, responses={**CREATE_ERRORS, 201: {"headers": ETAG_HEADER}},
    )  # fmt: skip
    def create(
        session: SessionDep, principal: Caller, workflow: flow_dep, after_write: AfterWriteDep,
        response: Response, payload: Annotated[WorkflowText, Body()],
    ) -> Any:  # fmt: skip
        """The whole Markdown file (front matter and body) in `text`; it is stored as a draft
        whatever `status` it names. An owner key may create only documents it owns."""
        done = workflow.create(session, principal, payload.text, reason=payload.reason)
        finish(session, [done], kind, response, after_write)
        return done.status

    @router.put(
        f"/{{{kind}_id}}", name=f"edit_{kind}",
        summary=f"Edit {a_or_an(kind)} (a new draft version)",
        response_model=WorkflowStatus, responses=WRITE_RESPONSES,
    )  # fmt: skip
    def edit(
        session: SessionDep, principal: Caller, workflow: flow_dep, after_write: AfterWriteDep,
        response: Response, doc_id: doc_id_path, payload: Annotated[WorkflowText, Body()],
        if_match: IfMatch = None,
    ) -> Any:  # fmt: skip
        """The whole new text in `text`, with `If-Match` naming the version it replaces. The
        new version is a draft: the document is served again once approved. A text that is
        the current version's writes nothing: 200 with `unchanged: true`, the same version,
        state and ETag."""
        pre = Precondition.from_header(if_match)
        done = workflow.edit(session, principal, doc_id, payload.text, pre, reason=payload.reason)
        finish(session, [done], kind, response, after_write)
        return done.status


def _add_read_routes(
    router: APIRouter, documents: content.DocumentService[Any, Any, Any], doc_id_path: Any,
    flow_dep: Any,
) -> None:  # fmt: skip
    kind = documents.kind
    reader = Annotated[
        Principal,
        Depends(
            require(
                Permission.READ_ARTICLES if kind.name == "article" else Permission.READ_POLICIES
            )
        ),
    ]

    @router.get(
        f"/{{{kind.name}_id}}/workflow", name=f"{kind.name}_workflow",
        summary=f"Where {a_or_an(kind.name)} stands in the workflow", response_model=WorkflowStatus,
        responses={**READ_ERRORS, 200: {"headers": ETAG_HEADER}},
    )  # fmt: skip
    def status(
        session: SessionDep, principal: reader, workflow: flow_dep, response: Response,
        doc_id: doc_id_path,
    ) -> Any:  # fmt: skip
        """Its state, who submitted and approved it, its ETag and the actions the caller may
        take now (`allowed_actions`: role, ownership and four eyes)."""
        found = workflow.status(session, principal, doc_id)
        response.headers["ETag"] = found.etag
        return found

    @router.get(
        f"/{{{kind.name}_id}}/diff", name=f"diff_{kind.name}",
        summary=f"What changed between two versions of {a_or_an(kind.name)}",
        response_model=DocumentDiff, responses=READ_ERRORS,
    )  # fmt: skip
    def diff(
        session: SessionDep, principal: reader, doc_id: doc_id_path,
        from_version: Annotated[int, Query(alias="from", ge=1, le=MAX_VERSION)],
        to_version: Annotated[int, Query(alias="to", ge=1, le=MAX_VERSION)],
    ) -> Any:  # fmt: skip
        """The front matter fields and the sections (answer, headed sections, clauses) that
        changed, each with its diff, and the unified diff of the whole text."""
        old = documents.read(session, principal, doc_id, from_version).version
        new = documents.read(session, principal, doc_id, to_version).version
        return diff_versions(doc_id, old, new)

    if kind.name == "article":
        _add_check_route(router, documents, doc_id_path, reader)


def _add_check_route(
    router: APIRouter, documents: content.DocumentService[Any, Any, Any], doc_id_path: Any,
    reader: Any,
) -> None:  # fmt: skip
    @router.get(
        "/{article_id}/check", name="check_article_version",
        summary="What the governance check finds in a version were it published",
        response_model=VersionCheck, responses=READ_ERRORS,
    )  # fmt: skip
    def check(
        session: SessionDep, principal: reader, settings: SettingsDep, search: SearchServiceDep,
        doc_id: doc_id_path,
        version: Annotated[
            int | None,
            Query(ge=1, le=MAX_VERSION, description="The version (default: the newest)."),
        ] = None,
    ) -> Any:  # fmt: skip
        """The check an edit runs, on this version as if it were the one served: against the
        current policies and the other served articles, with the server's encoder. Nothing is
        stored. An approver reads it before approving a draft in review (the review page
        shows the same); it never stops an approval."""
        row = documents.read(session, principal, doc_id, version).version
        found = freshness.check_version(
            session, row, today=clock.today(settings), settings=settings,
            embedder=search.embedder, cache=search.cache,
        )  # fmt: skip
        return VersionCheck(
            article_id=row.article_id, version=row.version, status=str(row.status),
            blocking=any_blocking(found), findings=found,
        )  # fmt: skip


articles = build_router(content.articles, ARTICLE_ID_PATTERN)
policies = build_router(content.policies, POLICY_ID_PATTERN)
