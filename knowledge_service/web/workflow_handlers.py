"""The review page's actions, run through the same review service verbs as the API.

Each handler acts on the version the owner looked at (``expected_version``, sent as the ETag
precondition), so a stale page gets :class:`~knowledge_service.errors.PreconditionFailedError`
and the page shows "someone else changed this article" with the diff. The store follower brings
the index and the findings level within ``KS_INDEX__SYNC_INTERVAL`` seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from knowledge_service import clock
from knowledge_service.access.schemas import Principal
from knowledge_service.content import repository as content_repository
from knowledge_service.content import service as content
from knowledge_service.errors import InvalidRequestError
from knowledge_service.review.etags import Precondition, etag
from knowledge_service.review.workflow import Workflow
from knowledge_service.review.workflow_schemas import (
    MAX_REASON_CHARS,
    Withheld,
    WorkflowAction,
    WorkflowStatus,
)
from knowledge_service.review.workflow_state import Step
from knowledge_service.settings import Settings
from knowledge_service.web.workflow import HANDLERS, WorkflowHandler


def _flow(settings: Settings) -> Workflow:
    return Workflow(content.articles, settings.workflow)


@dataclass(frozen=True)
class ArticleState:
    """Where an article stands in the workflow, the actions of that state the caller may take,
    and why the others are not offered (None when every one is)."""

    status: WorkflowStatus
    offered: list[WorkflowAction]
    withheld: str | None = None
    in_force: str | None = None
    """The status of the version in force (``published``, ``retired``; None: never approved),
    which a draft on top of it leaves as it is."""


def state_for(
    session: Session, settings: Settings, caller: Principal, article_id: str
) -> ArticleState:
    """The article's state and what ``caller`` may do there, as the workflow offers it (the
    API's ``allowed_actions``: role, ownership, then four eyes for approving)."""
    status, withheld = _flow(settings).offer(session, caller, article_id)
    offered = list(status.allowed_actions)
    kept = content_repository.articles(session).in_force_version(article_id)
    in_force = None if kept is None else str(kept.status)
    if withheld is Withheld.NOT_PERMITTED:
        return ArticleState(status, offered, f"Only an owner of {status.owner} or an admin may "
                            "change it.", in_force)  # fmt: skip
    if withheld is Withheld.FOUR_EYES:
        return ArticleState(status, offered, "You made the last edit, so another owner must "
                            "approve it (four eyes).", in_force)  # fmt: skip
    return ArticleState(status, offered, in_force=in_force)


def _on(article_id: str, version: int) -> Precondition:
    return Precondition((etag(article_id, version),))


def _note(fields: dict[str, str]) -> str | None:
    """The form's note (None when empty), refused past the API's limit for a reason."""
    note = fields.get("note", "")
    if len(note) > MAX_REASON_CHARS:
        raise InvalidRequestError("note", f"longer than {MAX_REASON_CHARS} characters")
    return note or None


def verify(
    session: Session, settings: Settings, caller: Principal, article_id: str, version: int,
    fields: dict[str, str],
) -> Step:  # fmt: skip
    return _flow(settings).verify(
        session, caller, article_id, _on(article_id, version), today=clock.today(settings),
        reason=_note(fields),
    )  # fmt: skip


def _simple(action: str) -> WorkflowHandler:
    """A handler for a verb that takes only the caller's note."""

    def handler(
        session: Session, settings: Settings, caller: Principal, article_id: str, version: int,
        fields: dict[str, str],
    ) -> Step:  # fmt: skip
        verb: Callable[..., Step] = getattr(_flow(settings), action)
        return verb(session, caller, article_id, _on(article_id, version), reason=_note(fields))

    return handler


MAX_TEXT_CHARS = 19_000
"""The longest article text the edit form takes. The browser URL-encodes the form, a line break
or punctuation mark as three bytes (``%0A``), so this many characters of the worst such text
plus a full note still fit the 64 KiB request body limit (``MAX_BODY_BYTES``); longer articles
are edited through the API (``WorkflowText``, 60,000 characters) or their file."""


def edit(
    session: Session, settings: Settings, caller: Principal, article_id: str, version: int,
    fields: dict[str, str],
) -> Step:  # fmt: skip
    text = fields.get("text", "")  # line breaks as typed: form_data reads them so
    if not text.strip():
        raise InvalidRequestError("text", "the article text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidRequestError("text", f"longer than {MAX_TEXT_CHARS} characters")
    return _flow(settings).edit(
        session, caller, article_id, text, _on(article_id, version), reason=_note(fields),
    )  # fmt: skip


def reject(
    session: Session, settings: Settings, caller: Principal, article_id: str, version: int,
    fields: dict[str, str],
) -> Step:  # fmt: skip
    return _flow(settings).reject(
        session, caller, article_id, _on(article_id, version), reason=_note(fields) or ""
    )


def register() -> None:
    """Offer the actions that have a review service verb behind them."""
    HANDLERS.update(
        verify=verify, edit=edit, reject=reject,
        **{action: _simple(action) for action in ("submit", "approve", "discard", "retire")},
    )  # fmt: skip
