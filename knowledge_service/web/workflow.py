"""The article workflow actions the review page offers, and where their handlers plug in.

HOOK(issue 10): the lifecycle verbs (verify, edit, submit, approve, reject, retire, accept
risk) live in ``review/`` once that lands. Register each one in :data:`HANDLERS` (for example
in ``knowledge_service/web/__init__.py``); the page shows an action's button as soon as its
handler exists, posts the version the owner looked at as ``expected_version`` (the ETag), and
turns a :class:`~knowledge_service.errors.VersionConflictError` into "someone else changed
this article" with the diff. Actions without a handler are listed as not yet available.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from knowledge_service.access.schemas import Principal

WorkflowHandler = Callable[[Session, Principal, str, int, dict[str, str]], object]
"""``(session, caller, article_id, expected_version, form fields)``; raises domain errors."""


@dataclass(frozen=True)
class WorkflowAction:
    name: str
    label: str
    confirm: str
    api_path: str
    needs_text: bool = False


ACTIONS: tuple[WorkflowAction, ...] = (
    WorkflowAction("verify", "Verify", "Confirm the article is still right and set its next "
                   "review date.", "/v1/articles/{id}/verify"),
    WorkflowAction("edit", "Edit", "Save your changes as a new draft version.",
                   "/v1/articles/{id}", needs_text=True),
    WorkflowAction("submit", "Submit for approval", "Send the draft to a second owner.",
                   "/v1/articles/{id}/submit"),
    WorkflowAction("approve", "Approve", "Publish the submitted version (four eyes: not your "
                   "own change).", "/v1/articles/{id}/approve"),
    WorkflowAction("reject", "Reject", "Send the submitted version back with your note.",
                   "/v1/articles/{id}/reject"),
    WorkflowAction("retire", "Retire", "Stop serving the article on every channel.",
                   "/v1/articles/{id}/retire"),
    WorkflowAction("accept_risk", "Accept risk", "Keep serving despite the finding, until a "
                   "date, with your reason on record.", "/v1/findings/{id}/accept-risk"),
)  # fmt: skip
ACTION_BY_NAME = {action.name: action for action in ACTIONS}

HANDLERS: dict[str, WorkflowHandler] = {}
"""HOOK(issue 10): action name -> the review service verb behind it."""


def available(name: str) -> bool:
    return name in HANDLERS
