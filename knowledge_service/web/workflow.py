"""The article workflow actions the review page offers, and where their handlers plug in.

The lifecycle verbs live in ``review/``; ``web/workflow_handlers.py`` registers them in
:data:`HANDLERS`. The page shows an action's button when its handler exists, posts the version
the owner looked at as ``expected_version`` (the ETag), and turns a
:class:`~knowledge_service.errors.VersionConflictError` into "someone else changed this
article" with the diff (and, for an edit, the text that was not saved). Accepting a finding's
risk is the finding's own action (``routes/review.py``), not an article's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from knowledge_service.access.schemas import Principal
from knowledge_service.review.workflow_state import Step
from knowledge_service.settings import Settings

WorkflowHandler = Callable[[Session, Settings, Principal, str, int, dict[str, str]], Step]
"""``(session, settings, caller, article_id, expected_version, form fields)``; raises domain
errors."""


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
    WorkflowAction("edit", "Edit", "Save your changes as a new draft version. Customers keep "
                   "getting the published version until the draft is approved.",
                   "/v1/articles/{id}", needs_text=True),
    WorkflowAction("submit", "Submit for approval", "Send the draft to a second owner.",
                   "/v1/articles/{id}/submit"),
    WorkflowAction("approve", "Approve", "Publish the submitted version (four eyes: not your "
                   "own change).", "/v1/articles/{id}/approve"),
    WorkflowAction("reject", "Reject", "Send the submitted version back with your note.",
                   "/v1/articles/{id}/reject"),
    WorkflowAction("discard", "Discard draft", "Throw this draft away: the version before it "
                   "that was approved (or retired) becomes current again, and customers keep "
                   "getting what they get now. The draft stays in the article's history.",
                   "/v1/articles/{id}/discard"),
    WorkflowAction("retire", "Retire", "Stop serving the article on every channel.",
                   "/v1/articles/{id}/retire"),
)  # fmt: skip
ACTION_BY_NAME = {action.name: action for action in ACTIONS}

HANDLERS: dict[str, WorkflowHandler] = {}
"""Action name -> the review service verb behind it (see ``workflow_handlers.register``)."""
