"""What the workflow routes share: the caller, ``If-Match``, the after-write step and the
responses they document. No ``from __future__ import annotations`` (FastAPI reads them)."""

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Body, Depends, Header, Response
from sqlmodel import Session

from knowledge_service.access.schemas import Permission, Principal
from knowledge_service.freshness.pipeline import StoreChanges
from knowledge_service.http.deps import AfterWrite, commit_and_apply, require
from knowledge_service.http.errors import problem_responses
from knowledge_service.review.workflow_schemas import WorkflowReason
from knowledge_service.review.workflow_state import Step

WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 413, 422, 428)
CREATE_ERRORS = problem_responses(400, 401, 403, 409, 413, 422)
READ_ERRORS = problem_responses(400, 401, 403, 404)
ETAG_HEADER = {
    "ETag": {"description": "The ETag of the current version.", "schema": {"type": "string"}}
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    200: {"headers": ETAG_HEADER},
}


# The roles that may write at all, checked before the body is read (a bot or agent gets 403,
# not 400 for its body); which documents an owner may change is decided per document.
Caller = Annotated[Principal, Depends(require(Permission.EDIT_DOCUMENTS))]
ADMINS_ONLY = [Depends(require(Permission.ADMINISTER))]
"""A route's own guard for what only an admin may do (reassign): an owner key gets 403 before
its body is read, as a bot or agent key does on every write, not 400 describing the body."""
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match", max_length=2000,
        description='The ETag of the version this changes (`"<id>-v<version>"`); '
        "a stale one gets 412, none 428.",
    ),
]  # fmt: skip


def finish(
    session: Session, steps: list[Step], kind: str, response: Response, after_write: AfterWrite
) -> None:
    """Commit, then bring the index and the findings level with what the steps wrote."""
    wrote = frozenset(step.status.id for step in steps if step.wrote)
    changes = (
        StoreChanges(article_ids=wrote) if kind == "article" else StoreChanges(policy_ids=wrote)
    )
    commit_and_apply(session, after_write, changes)
    if len(steps) == 1:
        response.headers["ETag"] = steps[0].status.etag


Reason = Annotated[WorkflowReason | None, Body()]


def require_parameter(route: Callable[..., Any], name: str) -> None:
    """Make keyword-only parameter ``name`` of ``route`` required (FastAPI reads the
    signature): the steps share one function whose body is optional by default."""
    signature = inspect.signature(route)
    parameters = [
        p.replace(default=inspect.Parameter.empty) if p.name == name else p
        for p in signature.parameters.values()
    ]
    route.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
