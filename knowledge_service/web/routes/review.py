"""The owners' review page: the queue, one finding with its evidence and diff, the actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from knowledge_service import clock
from knowledge_service.content import service as content
from knowledge_service.content.schemas import ARTICLE_ID_PATTERN
from knowledge_service.errors import InvalidRequestError, NotFoundError, VersionConflictError
from knowledge_service.freshness import service as freshness
from knowledge_service.freshness.schemas import FindingStatus, FindingStatusChange
from knowledge_service.http.deps import MAX_VERSION, SessionDep, SettingsDep
from knowledge_service.web import workflow
from knowledge_service.web.auth import FormDep, WebUser, csrf_user, page_user
from knowledge_service.web.pages import Page
from knowledge_service.web.review_view import highlight_evidence, review_queue, version_diff
from knowledge_service.web.templating import render

router = APIRouter(prefix="/ui/review", include_in_schema=False)

Owner = Annotated[WebUser, Depends(page_user(Page.REVIEW))]
OwnerPost = Annotated[WebUser, Depends(csrf_user(Page.REVIEW))]
FindingId = Annotated[int, Path(ge=1, le=MAX_VERSION)]
ArticleId = Annotated[str, Path(pattern=ARTICLE_ID_PATTERN, max_length=120)]
DONE_MESSAGES = {
    "acknowledged": "Finding acknowledged. It still blocks customer channels until it is fixed.",
    "open": "Finding reopened.",
    **{a.name: f"{a.label}: done." for a in workflow.ACTIONS},
}


@router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request, user: Owner, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    queue = review_queue(session, user.principal, clock.today(settings))
    return render(request, "review.html", user=user, active="review", queue=queue, detail=None)


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(
    request: Request,
    user: Owner,
    session: SessionDep,
    settings: SettingsDep,
    finding_id: FindingId,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """One finding: the evidence side by side, the diff of each article, the actions."""
    queue = review_queue(session, user.principal, clock.today(settings))
    item = next((i for i in queue if i.finding.id == finding_id), None)
    if item is None:
        raise NotFoundError("finding", str(finding_id))
    articles = [content.get_article(session, a) for a in item.finding.article_ids]
    return render(
        request, "review.html", user=user, active="review", queue=queue, detail=item,
        evidence=highlight_evidence(session, item.finding), articles=articles,
        diffs=[version_diff(session, a.article_id) for a in articles],
        actions=workflow.ACTIONS, available=workflow.available,
        done=DONE_MESSAGES.get(done or ""),
    )  # fmt: skip


@router.post("/findings/{finding_id}/status")
def change_status(
    user: OwnerPost, session: SessionDep, form: FormDep, finding_id: FindingId
) -> Response:
    """Acknowledge (or reopen) a finding, with the owner's note for its history."""
    try:
        status = FindingStatus(form.get("status", ""))
    except ValueError:
        raise InvalidRequestError("status", "choose acknowledged or open") from None
    if status == FindingStatus.RESOLVED:
        raise InvalidRequestError("status", "a finding is resolved by fixing the article")
    note = form.get("note", "").strip()[:2000] or None
    change = FindingStatusChange(status=status, note=note)
    freshness.change_finding_status(session, user.principal, finding_id, change)
    return RedirectResponse(f"/ui/review/findings/{finding_id}?done={status}", status_code=303)


def _expected_version(form: dict[str, str]) -> int:
    value = form.get("expected_version", "")
    if not value.isdigit() or not 1 <= int(value) <= MAX_VERSION:
        raise InvalidRequestError("expected_version", "the version you looked at is missing")
    return int(value)


@router.post("/articles/{article_id}/{action}", response_class=HTMLResponse, response_model=None)
def article_action(
    request: Request,
    user: OwnerPost,
    session: SessionDep,
    form: FormDep,
    article_id: ArticleId,
    action: Annotated[str, Path(max_length=40)],
) -> Response:
    """Run a workflow action on the version the owner looked at; a stale version shows who
    changed what instead of overwriting it."""
    spec = workflow.ACTION_BY_NAME.get(action)
    if spec is None:
        raise NotFoundError("action", action)
    handler = workflow.HANDLERS.get(action)
    if handler is None:
        return render(request, "unavailable.html", user=user, active="review", action=spec,
                      article_id=article_id, status_code=501)  # fmt: skip
    expected = _expected_version(form)
    try:
        handler(session, request.app.state.settings, user.principal, article_id, expected, form)
    except VersionConflictError:
        session.rollback()
        current = content.get_article(session, article_id)
        diff = version_diff(session, article_id, expected, current.version)
        return render(request, "conflict.html", user=user, active="review", action=spec,
                      article=current, expected=expected, diff=diff, status_code=409)  # fmt: skip
    back = form.get("finding_id", "")
    target = f"/ui/review/findings/{back}" if back.isdigit() else "/ui/review"
    return RedirectResponse(f"{target}?done={action}", status_code=303)
