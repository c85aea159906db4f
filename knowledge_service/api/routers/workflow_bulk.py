"""Bulk verify and bulk reassign over HTTP: one request, many documents, all or nothing.
No ``from __future__ import annotations``: FastAPI reads the routes' annotations."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from knowledge_service import clock
from knowledge_service.api.routers.workflow_support import (
    ADMINS_ONLY,
    WRITE_ERRORS,
    Caller,
    finish,
)
from knowledge_service.http.deps import AfterWriteDep, SessionDep, SettingsDep
from knowledge_service.review.blocks import with_blocks
from knowledge_service.review.bulk import run_batch
from knowledge_service.review.etags import Precondition
from knowledge_service.review.workflow_schemas import (
    WorkflowBulk,
    WorkflowBulkReassign,
    WorkflowStatus,
)
from knowledge_service.review.workflow_state import Step


def add_bulk_routes(router: APIRouter, kind: str, flow_dep: Any) -> None:
    """``POST /v1/articles:bulk-verify`` and ``POST /v1/<plural>:bulk-reassign``: all or nothing."""

    def items(payload: WorkflowBulk) -> list[tuple[str, Precondition]]:
        return [(i.id, Precondition.of_etag(i.etag)) for i in payload.items]

    if kind == "article":

        @router.post(
            ":bulk-verify", name="bulk_verify_articles", summary="Verify many articles at once",
            response_model=list[WorkflowStatus], responses=WRITE_ERRORS,
        )  # fmt: skip
        def bulk_verify(
            session: SessionDep, principal: Caller, workflow: flow_dep, settings: SettingsDep,
            after_write: AfterWriteDep, response: Response,
            payload: Annotated[WorkflowBulk, Body()],
        ) -> Any:  # fmt: skip
            """Each item names an article and the ETag of its published version; at most the
            bulk limit (100) per request. One failure fails the whole batch."""
            today = clock.today(settings)

            def verify(doc_id: str, pre: Precondition) -> Step:
                step: Step = workflow.verify(
                    session, principal, doc_id, pre, today=today, reason=payload.reason
                )
                return step

            done = run_batch(items(payload), settings.workflow.bulk_limit, verify)
            finish(session, done, kind, response, after_write)
            return [with_blocks(session, step.status, today=today) for step in done]

    @router.post(
        ":bulk-reassign", name=f"bulk_reassign_{kind}", summary=f"Reassign many {kind}s (admins)",
        response_model=list[WorkflowStatus], responses=WRITE_ERRORS, dependencies=ADMINS_ONLY,
    )  # fmt: skip
    def bulk_reassign(
        session: SessionDep, principal: Caller, workflow: flow_dep, settings: SettingsDep,
        after_write: AfterWriteDep, response: Response,
        payload: Annotated[WorkflowBulkReassign, Body()],
    ) -> Any:  # fmt: skip
        """Each item names a document and its ETag; at most the bulk limit (100) per request."""

        def reassign(doc_id: str, pre: Precondition) -> Step:
            step: Step = workflow.reassign(
                session, principal, doc_id, pre, owner=payload.owner, reason=payload.reason
            )
            return step

        done = run_batch(items(payload), settings.workflow.bulk_limit, reassign)
        finish(session, done, kind, response, after_write)
        return [step.status for step in done]
