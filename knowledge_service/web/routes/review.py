"""The owners' review page: the queue, one finding with its evidence and diff, the actions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from knowledge_service import clock
from knowledge_service.content import service as content
from knowledge_service.content.raw_html import describe_raw_html, find_raw_html
from knowledge_service.content.schemas import ARTICLE_ID_PATTERN, POLICY_ID_PATTERN
from knowledge_service.db import MAX_VERSION
from knowledge_service.errors import (
    InvalidContentError,
    InvalidRequestError,
    InvalidStateError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    VersionConflictError,
)
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.pipeline import StoreChanges
from knowledge_service.freshness.schemas import (
    MAX_NOTE_CHARS,
    FindingPublic,
    FindingStatus,
    FindingStatusChange,
    Severity,
)
from knowledge_service.http.deps import (
    AfterWriteDep,
    SessionDep,
    SettingsDep,
    commit_and_apply,
)
from knowledge_service.index.service import SearchService
from knowledge_service.review import risk
from knowledge_service.review.blocks import blocking_findings
from knowledge_service.review.workflow_schemas import BlockingFinding, WorkflowState
from knowledge_service.settings import Settings
from knowledge_service.web import workflow
from knowledge_service.web.auth import FormDep, WebUser, csrf_user, page_user
from knowledge_service.web.errors import NotInQueueError, error_page
from knowledge_service.web.pages import Page
from knowledge_service.web.review_view import (
    DraftCheck,
    check_unpublished,
    highlight_evidence,
    policy_diff,
    review_queue,
    risk_request,
    risk_view,
    version_diff,
)
from knowledge_service.web.templating import render
from knowledge_service.web.workflow_handlers import MAX_TEXT_CHARS, ArticleState, state_for

router = APIRouter(prefix="/ui/review", include_in_schema=False)

Owner = Annotated[WebUser, Depends(page_user(Page.REVIEW))]
OwnerPost = Annotated[WebUser, Depends(csrf_user(Page.REVIEW))]
FindingId = Annotated[int, Path(ge=1, le=MAX_VERSION)]
_NUMBER = re.compile(r"[0-9]{1,10}")
"""A form's version or finding id: ASCII digits (``str.isdigit`` also takes '²', which ``int``
refuses)."""
ArticleId = Annotated[str, Path(pattern=ARTICLE_ID_PATTERN, max_length=120)]
PolicyId = Annotated[str, Path(pattern=POLICY_ID_PATTERN, max_length=120)]
DONE_MESSAGES = {
    "acknowledged": "Finding acknowledged.",
    "open": "Finding reopened.",
    **{a.name: f"{a.label}: done." for a in workflow.ACTIONS},
    "reject": "Sent back to the author with your reason.",
    "edit": "Saved as a new draft. Customers keep getting the published version until the "
    "draft is submitted and approved.",
    "unchanged": "Nothing to save: the text is the current version's, so no draft was written.",
    "submit": "Submitted for approval: another owner can approve it now.",
    "approve": "Approved: the new version is published and served on its channels (unless "
    "a finding blocks it: named below).",
    "discard": "Draft discarded: the version before it that was approved (or retired) is "
    "current again, and the draft stays in the article's history.",
    "risk_accepted": "Risk accepted: customer channels serve the article despite this finding "
    "until the expiry date (or until the finding resolves).",
}


Done = Annotated[str | None, Query(max_length=40)]
Acted = Annotated[str | None, Query(alias="article", pattern=ARTICLE_ID_PATTERN, max_length=120)]
"""The article a verify or an approval acted on, once its page has left the queue: the page it
lands on names what still blocks it."""
STILL_BLOCKS = " It still blocks customer channels until it is fixed."
"""What acknowledging a ``block`` adds (a warning never blocks: acknowledged, nothing more)."""


def _done_message(done: str | None, finding: FindingPublic) -> str | None:
    message = DONE_MESSAGES.get(done or "")
    if done == "acknowledged" and finding.severity == Severity.BLOCK:
        return f"{message}{STILL_BLOCKS}"
    return message


@router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request, user: Owner, session: SessionDep, settings: SettingsDep, done: Done = None,
    acted: Acted = None,
) -> HTMLResponse:  # fmt: skip
    today = clock.today(settings)
    queue = review_queue(session, user.principal, today)
    still_blocked = _still_blocked(session, today, [acted] if acted else [], done)
    return render(request, "review.html", user=user, active="review", queue=queue, detail=None,
                  done=DONE_MESSAGES.get(done or ""), still_blocked=still_blocked,
                  still_blocked_after=done)  # fmt: skip


def _to_queue(done: str, acted: str | None) -> RedirectResponse:
    """Back to the queue once the page acted on has left it, saying what was done (and, after
    a verify or an approval, what still blocks the article acted on)."""
    article = f"&article={acted}" if acted and done in BLOCKS_SHOWN_AFTER else ""
    return RedirectResponse(f"/ui/review?done={done}{article}", status_code=303)


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(
    request: Request,
    user: Owner,
    session: SessionDep,
    settings: SettingsDep,
    finding_id: FindingId,
    done: Done = None,
    acted: Acted = None,
) -> Response:
    """One finding: the evidence side by side, the diff of each article, the actions. Once an
    action has fixed it (the finding resolved), back to the queue with what was done."""
    return _finding_view(request, user, session, settings, finding_id, done, acted=acted)


def _finding_view(
    request: Request, user: WebUser, session: Session, settings: Settings, finding_id: int,
    done: str | None, *, failed: FailedAction | None = None, status_code: int = 200,
    acted: str | None = None,
) -> Response:  # fmt: skip
    today = clock.today(settings)
    queue = review_queue(session, user.principal, today)
    item = next((i for i in queue.findings if i.finding.id == finding_id), None)
    if item is None:
        if done in DONE_MESSAGES:
            return _to_queue(done, acted)
        raise NotInQueueError("finding", str(finding_id))
    shown = _articles_and_actions(request, session, settings, user, item.finding.article_ids)
    return render(
        request, "review.html", user=user, active="review", queue=queue, detail=item,
        evidence=highlight_evidence(session, item.finding),
        acknowledged=freshness.last_acknowledgement(session, finding_id)
        if item.finding.status == FindingStatus.ACKNOWLEDGED else None,
        risk=risk_view(session, item.finding, today, stored=bool(shown["articles"])),
        done=_done_message(done, item.finding), failed=failed, status_code=status_code,
        page_url=f"/ui/review/findings/{finding_id}" if failed else None,
        raw_html=_raw_html_notes(shown["articles"], done),
        still_blocked=_still_blocked(
            session, today, [a.article_id for a in shown["articles"]], done
        ),
        still_blocked_after=done, **shown,
    )  # fmt: skip


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request,
    user: Owner,
    session: SessionDep,
    settings: SettingsDep,
    article_id: ArticleId,
    done: Done = None,
) -> Response:
    """An article in the queue for its draft waiting for approval or for agents' feedback: why,
    its changes, the actions. Once none of its items is left, back to the queue."""
    return _article_view(request, user, session, settings, article_id, done)


def _article_view(
    request: Request, user: WebUser, session: Session, settings: Settings, article_id: str,
    done: str | None, *, failed: FailedAction | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    queue = review_queue(session, user.principal, clock.today(settings))
    entries = queue.about(article_id)
    if not entries:
        if done in DONE_MESSAGES:
            return _to_queue(done, article_id)
        raise NotInQueueError("article", article_id)
    shown = _articles_and_actions(request, session, settings, user, [article_id])
    return render(
        request, "review.html", user=user, active="review", queue=queue, detail=None,
        shown_article=article_id, entries=entries, done=DONE_MESSAGES.get(done or ""),
        failed=failed, status_code=status_code,
        page_url=f"/ui/review/articles/{article_id}" if failed else None,
        raw_html=_raw_html_notes(shown["articles"], done),
        still_blocked=_still_blocked(
            session, clock.today(settings), [a.article_id for a in shown["articles"]], done
        ),
        still_blocked_after=done, **shown,
    )  # fmt: skip


BLOCKS_SHOWN_AFTER = frozenset({"verify", "approve"})
"""The actions after which the page names what still blocks the article on customer channels."""


def _still_blocked(
    session: Session, today: date, article_ids: list[str], done: str | None
) -> dict[str, list[BlockingFinding]]:
    """After a verify or an approval: the findings that still block each article on customer
    channels (neither lifts any), by article id."""
    if done not in BLOCKS_SHOWN_AFTER:
        return {}
    found = {a: blocking_findings(session, a, today=today) for a in article_ids}
    return {article_id: blocks for article_id, blocks in found.items() if blocks}


SAVED_TEXT = frozenset({"edit", "unchanged"})
"""The actions after which the page says what the saved text holds that no channel shows."""


def _raw_html_notes(articles: list[Any], done: str | None) -> dict[str, str]:
    """After an edit: the raw HTML each article's current text holds, which every channel
    leaves out (the text is saved as written), by article id."""
    if done not in SAVED_TEXT:
        return {}
    found = {a.article_id: find_raw_html(a.raw) for a in articles}
    return {article_id: describe_raw_html(html) for article_id, html in found.items() if html}


@router.get("/policies/{policy_id}", response_class=HTMLResponse)
def policy_page(
    request: Request, user: Owner, session: SessionDep, settings: SettingsDep,
    policy_id: PolicyId,
) -> Response:  # fmt: skip
    """A policy source's draft in the queue: why, its changes, and how to approve it."""
    queue = review_queue(session, user.principal, clock.today(settings))
    entries = queue.about_policy(policy_id)
    if not entries:
        raise NotInQueueError("policy", policy_id)
    return render(
        request, "review.html", user=user, active="review", queue=queue, detail=None,
        shown_policy=policy_id, entries=entries, policy=content.get_policy(session, policy_id),
        diffs=[policy_diff(session, policy_id)], done=None,
    )  # fmt: skip


@dataclass(frozen=True)
class FailedAction:
    """An action's form refused for what was in it: shown again, open, with what was wrong
    and what the person had typed. The page is the answer to the form's POST, so it names its
    own address (``page_url``), which the browser's address bar then shows: a reload reads the
    page rather than sending the form again."""

    action: str
    article_id: str
    parameter: str
    message: str
    note: str
    text: str | None


def _articles_and_actions(
    request: Request, session: Session, settings: Settings, user: WebUser, article_ids: list[str]
) -> dict[str, Any]:
    """What the actions part of a review page needs: each article's current version, its diff,
    its place in the workflow and the actions the user may take there. An id with no article in
    the store (an ``invalid`` finding about a file never imported) has none."""
    articles = _stored_articles(session, article_ids)
    states = {a.article_id: state_for(session, settings, user.principal, a.article_id)
              for a in articles}  # fmt: skip
    return dict(
        articles=articles, diffs=[version_diff(session, a.article_id) for a in articles],
        states=states, checks=_unpublished_checks(request, session, settings, articles, states),
        actions=workflow.ACTIONS, max_text_chars=MAX_TEXT_CHARS,
    )  # fmt: skip


UNPUBLISHED = frozenset({WorkflowState.DRAFT, WorkflowState.IN_REVIEW})
"""The states whose version is not served yet: the page shows what the check finds in it."""


def _unpublished_checks(
    request: Request, session: Session, settings: Settings, articles: list[Any],
    states: dict[str, ArticleState],
) -> dict[str, DraftCheck]:  # fmt: skip
    """What the check finds in each article's version that waits to be submitted or approved,
    were it published (the app's encoder finds duplicates and conflicts, as after an edit)."""
    search: SearchService = request.app.state.search_service
    today = clock.today(settings)
    return {
        a.article_id: check_unpublished(session, a, today=today, settings=settings,
                                        embedder=search.embedder, cache=search.cache)
        for a in articles
        if states[a.article_id].status.state in UNPUBLISHED
    }  # fmt: skip


def _stored_articles(session: Session, article_ids: list[str]) -> list[Any]:
    """The current version of each of ``article_ids`` that the store holds."""
    found = []
    for article_id in article_ids:
        try:
            found.append(content.get_article(session, article_id))
        except NotFoundError:
            continue
    return found


STATUS_FORM = "status"
"""The acknowledge and reopen forms' name in a :class:`FailedAction` (their note is the
``note``)."""


def _status_change(form: dict[str, str]) -> FindingStatusChange:
    """The acknowledge (or reopen) form's fields as the change to make (the field named on a
    bad value)."""
    try:
        status = FindingStatus(form.get("status", ""))
    except ValueError:
        raise InvalidRequestError("status", "choose acknowledged or open") from None
    if status == FindingStatus.RESOLVED:
        raise InvalidRequestError("status", "a finding is resolved by fixing the article")
    note = form.get("note", "").strip() or None
    if note is not None and len(note) > MAX_NOTE_CHARS:  # refused, as by the API: never cut
        raise InvalidRequestError(
            "note", f"the note is longer than {MAX_NOTE_CHARS} characters; shorten it"
        )
    return FindingStatusChange(status=status, note=note)


@router.post("/findings/{finding_id}/status")
def change_status(
    request: Request, user: OwnerPost, session: SessionDep, settings: SettingsDep,
    form: FormDep, finding_id: FindingId,
) -> Response:  # fmt: skip
    """Acknowledge (or reopen) a finding, with the owner's note for its history. A refusal
    shows the finding again with the form open, what was wrong and the note typed, as the
    accept-risk form does; a finding resolved meanwhile, the queue saying so."""
    verb = "reopened" if form.get("status") == FindingStatus.OPEN else "acknowledged"
    try:
        change = _status_change(form)
        freshness.change_finding_status(session, user.principal, finding_id, change)
    except (InvalidRequestError, PermissionDeniedError, InvalidStateError) as error:
        session.rollback()
        refused = Refused(STATUS_FORM, verb, form.get("note", ""), None)
        return _refused_on_finding(request, user, session, settings, finding_id, refused, error)
    return RedirectResponse(f"/ui/review/findings/{finding_id}?done={change.status}", 303)


FindingRefusal = InvalidRequestError | PermissionDeniedError | InvalidStateError
"""What a finding's own form (acknowledge, reopen, accept risk) may be refused with."""


@dataclass(frozen=True)
class Refused:
    """A finding's form refused: its name, what it would have done ("acknowledged") and what
    was typed in it (for :class:`FailedAction`)."""

    form: str
    verb: str
    note: str
    text: str | None


def _refused_on_finding(
    request: Request, user: WebUser, session: Session, settings: Settings, finding_id: int,
    refused: Refused, error: FindingRefusal,
) -> Response:  # fmt: skip
    """The finding again with the form open and why it was refused (400 for a field, 403 for
    the person, 409 for the finding's state); the queue saying so when the finding has left
    it (resolved meanwhile)."""
    status_code, parameter, problem = _refusal(error)
    failed = FailedAction(refused.form, "", parameter, f"Not {refused.verb}: {problem}.",
                          refused.note, refused.text)  # fmt: skip
    try:
        return _finding_view(request, user, session, settings, finding_id, None,
                             failed=failed, status_code=status_code)  # fmt: skip
    except NotInQueueError:
        message = f"Finding {finding_id} was not {refused.verb}: {problem}."
        return _queue_refused(request, user, session, settings, message, status_code)


def _refusal(error: FindingRefusal) -> tuple[int, str, str]:
    """The status code, the field at fault ("" for none) and what went wrong, in words."""
    if isinstance(error, InvalidRequestError):
        return 400, error.parameter, error.problem
    if isinstance(error, PermissionDeniedError):
        return 403, "", str(error)
    if error.state == FindingStatus.RESOLVED:
        return 409, "", "it is resolved now (a re-check no longer finds its cause)"
    return 409, "", str(error)


def _queue_refused(
    request: Request, user: WebUser, session: Session, settings: Settings, message: str,
    status_code: int,
) -> Response:  # fmt: skip
    """The queue, with why a form about an item no longer in it was refused."""
    queue = review_queue(session, user.principal, clock.today(settings))
    return render(request, "review.html", user=user, active="review", queue=queue, detail=None,
                  done=None, refused=message, status_code=status_code,
                  page_url="/ui/review")  # fmt: skip


def _expected_version(form: dict[str, str]) -> int:
    value = form.get("expected_version", "")
    if not _NUMBER.fullmatch(value) or not 1 <= int(value) <= MAX_VERSION:
        raise InvalidRequestError("expected_version", "the version you looked at is missing")
    return int(value)


@router.post("/articles/{article_id}/{action}", response_class=HTMLResponse, response_model=None)
def article_action(
    request: Request,
    user: OwnerPost,
    session: SessionDep,
    form: FormDep,
    after_write: AfterWriteDep,
    article_id: ArticleId,
    action: Annotated[str, Path(max_length=40)],
) -> Response:
    """Run a workflow action on the version the owner looked at; a stale version shows who
    changed what instead of overwriting it."""
    spec = workflow.ACTION_BY_NAME.get(action)
    handler = workflow.HANDLERS.get(action)
    if spec is None or handler is None:
        raise NotFoundError("action", action)
    expected = _expected_version(form)
    settings = request.app.state.settings
    try:
        step = handler(session, settings, user.principal, article_id, expected, form)
    except (InvalidRequestError, InvalidContentError) as error:  # content: the edited text
        session.rollback()
        return _form_again(request, user, session, settings, form, article_id, action, error)
    except InvalidTransitionError as error:
        session.rollback()
        return _not_possible_now(request, user, session, settings, article_id, error)
    except VersionConflictError:
        session.rollback()
        current = content.get_article(session, article_id)
        if not 1 <= expected < current.version:  # no version the page could have shown
            raise InvalidRequestError(
                "expected_version", f"{article_id} has no version {expected} to have been "
                f"changed since (its current version is {current.version}); reload the page",
            ) from None  # fmt: skip
        diff = version_diff(session, article_id, expected, current.version)
        return render(request, "conflict.html", user=user, active="review", action=spec,
                      article=current, expected=expected, diff=diff, status_code=409,
                      back=_source(form, article_id),
                      unsaved=form.get("text") if spec.needs_text else None)  # fmt: skip
    wrote = frozenset({article_id} if step.wrote else ())
    commit_and_apply(session, after_write, StoreChanges(article_ids=wrote))
    done = action if step.wrote or action != "edit" else "unchanged"
    return RedirectResponse(_back(form, article_id, done), status_code=303)


def _origin(form: dict[str, str]) -> int | Literal["article"] | None:
    """Which page the form came from: its article's page, a finding's (by id), or neither."""
    if form.get("back") == "article":
        return "article"
    finding_id = form.get("finding_id", "")
    if not _NUMBER.fullmatch(finding_id) or not 1 <= int(finding_id) <= MAX_VERSION:
        return None
    return int(finding_id)


def _source(form: dict[str, str], article_id: str) -> str:
    """The finding or article page the form came from (the queue if none)."""
    origin = _origin(form)
    if origin == "article":
        return f"/ui/review/articles/{article_id}"
    return "/ui/review" if origin is None else f"/ui/review/findings/{origin}"


def _back(form: dict[str, str], article_id: str, done: str) -> str:
    """The page the form came from, saying what was done (the queue, or a finding's page, which
    the step may have resolved, also which article it acted on: see :func:`_to_queue`)."""
    acted = _origin(form) != "article" and done in BLOCKS_SHOWN_AFTER
    return f"{_source(form, article_id)}?done={done}" + (f"&article={article_id}" if acted else "")


def _text_problem(error: InvalidContentError) -> str:
    """What is wrong with the edit form's text, as the API says it (line, field, problem)
    without the stand-in path the text was parsed under."""
    where = ", ".join(
        part for part in (
            f"line {error.line}" if error.line is not None else "",
            f"field '{error.field}'" if error.field else "",
        ) if part
    )  # fmt: skip
    problem = error.problem.rstrip(".")
    problem = f"{where}: {problem}" if where else problem
    return f"Not saved: {problem}. Correct the text and confirm again."


FORM_PROBLEMS = {"reason": "Say what must change: the author gets your reason with the draft."}
"""What the form says instead of the review service's words, for a field it names otherwise."""


def _form_again(
    request: Request, user: WebUser, session: Session, settings: Settings,
    form: dict[str, str], article_id: str, action: str,
    error: InvalidRequestError | InvalidContentError,
) -> Response:  # fmt: skip
    """The page the form came from again (400), the form open with what was wrong and what
    was typed (a content-format error is the text's); the error page when that page is gone."""
    if isinstance(error, InvalidContentError):
        parameter, message = "text", _text_problem(error)
    else:
        parameter = error.parameter
        message = FORM_PROBLEMS.get(error.parameter, error.message)
    failed = FailedAction(
        action, article_id, parameter, message, form.get("note", ""), form.get("text")
    )
    origin = _origin(form)
    try:
        if origin == "article":
            return _article_view(request, user, session, settings, article_id, None,
                                 failed=failed, status_code=400)  # fmt: skip
        if origin is not None:
            return _finding_view(request, user, session, settings, origin, None,
                                 failed=failed, status_code=400)  # fmt: skip
    except NotFoundError:
        pass
    raise error


def _not_possible_now(
    request: Request, user: WebUser, session: Session, settings: Settings, article_id: str,
    error: InvalidTransitionError,
) -> Response:  # fmt: skip
    """409 naming only the actions this page offers in the article's state (the API's
    allowed list also names verbs the page has no form for)."""
    state = state_for(session, settings, user.principal, article_id)
    offered = [a.label for a in workflow.ACTIONS if a.name in state.offered]
    now = f"{article_id} is {error.state.replace('_', ' ')}: you cannot {error.action} it now"
    if error.why:  # the state allows it, but not for this caller (four eyes)
        now = f"You cannot {error.action} {article_id}: {error.why}"
    choices = f"; this page offers: {', '.join(offered)}" if offered else ""
    message = f"{now}{choices}. Nothing was changed: reload the page to see where it stands."
    return error_page(request, 409, "Invalid transition", message, user=user)


RISK_FORM = "accept-risk"
"""The accept-risk form's name in a :class:`FailedAction` (its reason is the ``note``, its
expiry date the ``text``)."""


@router.post("/findings/{finding_id}/accept-risk")
def accept_risk(
    request: Request, user: OwnerPost, session: SessionDep, settings: SettingsDep,
    form: FormDep, finding_id: FindingId,
) -> Response:  # fmt: skip
    """An admin accepts a blocking finding's risk until a date, with the reason on record. A
    field refused (no reason, a date out of range) shows the finding again (400) with the
    form open, the error on the field and what was typed, as the article actions do; so does
    a refusal of the admin (403: the article's last author) or of the finding's state (409;
    the queue, saying so, for a finding resolved meanwhile)."""
    risk.check_may_accept(user.principal)  # said before anything about the form
    try:
        if form.get("confirm") != "yes":
            raise InvalidRequestError("confirm", "tick the box to confirm you accept the risk")
        accepted = risk_request(form.get("reason", ""), form.get("expires_on", ""))
        risk.accept_risk(session, user.principal, finding_id, accepted,
                         today=clock.today(settings))  # fmt: skip
    except (InvalidRequestError, PermissionDeniedError, InvalidStateError) as error:
        session.rollback()  # the last author, or a finding resolved meanwhile, as a field
        refused = Refused(RISK_FORM, "accepted", form.get("reason", ""), form.get("expires_on"))
        return _refused_on_finding(request, user, session, settings, finding_id, refused, error)
    return RedirectResponse(f"/ui/review/findings/{finding_id}?done=risk_accepted", 303)
