"""The agent-assist sidebar: search as you type, the answer card, feedback, the hand-off.

Questions travel in POST bodies, never in URLs (URLs end up in access logs); a bot's hand-off
opens here by its receipt (``/ui/assist?handoff=<receipt>``). Typing updates
the results without logging each partial question; pressing Enter (or Search) records the
answer the agent saw, and a flag records it first if needed, so feedback always has a receipt
to attach to.
"""

from __future__ import annotations

import re
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from knowledge_service import clock
from knowledge_service.analytics import service as analytics
from knowledge_service.analytics.schemas import (
    MAX_COMMENT_CHARS,
    RECEIPT_PATTERN,
    FeedbackCreate,
    Rating,
)
from knowledge_service.answers.schemas import AnswerResult, AnswerStatus
from knowledge_service.answers.service import AnswerQuery
from knowledge_service.content.schemas import ARTICLE_ID_PATTERN, Channel
from knowledge_service.db import MAX_VERSION
from knowledge_service.errors import InvalidRequestError, NotFoundError
from knowledge_service.http.deps import (
    AnswerBatcherDep,
    AnswerLogDep,
    AnswerServiceDep,
    SearchBatcherDep,
    SessionDep,
    SettingsDep,
)
from knowledge_service.settings import MAX_QUERY_CHARS
from knowledge_service.web.assist_view import build_view, find_handoff, log_answer, open_article
from knowledge_service.web.auth import FormDep, WebUser, csrf_user, page_user
from knowledge_service.web.errors import is_fragment
from knowledge_service.web.pages import Page
from knowledge_service.web.templating import render

router = APIRouter(prefix="/ui/assist", include_in_schema=False)

Agent = Annotated[WebUser, Depends(page_user(Page.ASSIST))]
AgentPost = Annotated[WebUser, Depends(csrf_user(Page.ASSIST))]
TYPING_TRIGGER = "q"
"""The id of the question box: htmx names it in ``HX-Trigger`` for requests made by typing."""
FEEDBACK_PROBLEMS = {
    "receipt": "a receipt looks like rcpt_ followed by letters and digits; search again",
    "used_article_id": "an article id is lower-case letters, digits, '.', '_' and '-' "
    "(at most 120 characters)",
}
"""What is wrong with a feedback form's field that fails ``FeedbackCreate``'s checks."""


MAX_CALL_CHARS = 200
"""The longest call reference: the API's limit for a ``conversation_id``."""


HandoffReceipt = Annotated[str | None, Query(pattern=RECEIPT_PATTERN, max_length=70)]


@router.get("", response_class=HTMLResponse)
def assist_page(
    request: Request,
    user: Agent,
    session: SessionDep,
    service: AnswerServiceDep,
    batcher: AnswerBatcherDep,
    search: SearchBatcherDep,
    settings: SettingsDep,
    log: AnswerLogDep,
    handoff: HandoffReceipt = None,
) -> HTMLResponse:
    """The sidebar; with ``?handoff=<receipt>``, the bot's question (stored redacted) in the
    box and its answer, so the address holds the receipt, never the question, and a reload
    sends nothing again (the answer is logged only when the agent presses Enter)."""
    if handoff is None:
        return render(request, "assist.html", user=user, active="assist", view=None)
    event = find_handoff(session, handoff, log).event
    if event is None:
        raise NotFoundError("receipt", handoff)
    question = event.question[:MAX_QUERY_CHARS]
    result = _answer(service, batcher, question)
    view = build_view(session, question, result, search.submit, today=clock.today(settings))
    return render(request, "assist.html", user=user, active="assist", view=view)


def _answer(service: AnswerServiceDep, batcher: AnswerBatcherDep, question: str) -> AnswerResult:
    query = AnswerQuery(question, Channel.AGENT)
    service.validate(query)
    return batcher.submit(query)


@router.post("/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    user: AgentPost,
    form: FormDep,
    session: SessionDep,
    service: AnswerServiceDep,
    batcher: AnswerBatcherDep,
    search: SearchBatcherDep,
    settings: SettingsDep,
    log: AnswerLogDep,
) -> HTMLResponse:
    """The answer card and further results for the question in the form, logged under the
    agent's call reference when the form names one."""
    started = time.perf_counter()
    question = form.get("q", "").strip()  # a longer one than answers take is refused (400)
    call = _call_of(form)
    template = "_assist_results.html" if is_fragment(request) else "assist.html"
    if not question:
        return render(request, template, user=user, active="assist", view=None, call=call)
    result = _answer(service, batcher, question)
    if request.headers.get("hx-trigger") != TYPING_TRIGGER:
        log_answer(session, question, result, caller=user.principal.name, started=started,
                   call=call, log=log)  # fmt: skip
    view = build_view(session, question, result, search.submit, today=clock.today(settings))
    return render(request, template, user=user, active="assist", view=view, call=call)


def _call_of(form: dict[str, str]) -> str | None:
    """The agent's call reference (the conversation the answers and ratings belong to; None
    when blank), refused past the API's limit for a conversation id, never cut."""
    call = form.get("call", "").strip() or None
    if call is not None and len(call) > MAX_CALL_CHARS:
        problem = f"a call reference is at most {MAX_CALL_CHARS} characters"
        raise InvalidRequestError("call", problem)
    return call


def _feedback_from(form: dict[str, str]) -> FeedbackCreate:
    try:
        rating = Rating(form.get("rating", ""))
    except ValueError:
        raise InvalidRequestError("rating", "choose helpful, wrong, outdated or unclear") from None
    comment = form.get("comment", "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:  # refused, as by the API
        raise InvalidRequestError("comment", f"at most {MAX_COMMENT_CHARS} characters")
    used = form.get("used_article_id", "").strip() or None
    try:
        return FeedbackCreate.model_validate(
            {"receipt": form.get("receipt", ""), "rating": rating, "comment": comment,
             "used_article_id": used, "conversation_id": _call_of(form)}
        )  # fmt: skip
    except ValidationError as error:
        field = str(error.errors()[0]["loc"][0])
        raise InvalidRequestError(field, FEEDBACK_PROBLEMS.get(field, "is not valid")) from None


def _shows_the_same(result: AnswerResult, receipt: str, shown: str) -> bool:
    """Whether asking again gives what the rated card showed: the same answer (its receipt),
    or again no single answer (a hand-off's receipt is new each time it is asked, so the
    rating goes to the one logged now)."""
    if result.status == AnswerStatus.ANSWERED:
        return result.receipt == receipt
    return shown == result.status


@router.post("/feedback", response_class=HTMLResponse)
def feedback(
    request: Request,
    user: AgentPost,
    form: FormDep,
    session: SessionDep,
    service: AnswerServiceDep,
    batcher: AnswerBatcherDep,
    log: AnswerLogDep,
) -> HTMLResponse:
    """Record the agent's rating of the answer card (it reaches the owner's review queue)."""
    started = time.perf_counter()
    data = _feedback_from(form)
    caller = user.principal.name
    agent_only = user.principal.reads_served_only  # published articles only, as in the API
    try:  # not waiting for other workers: the card may have been shown while typing (below)
        saved = analytics.record_feedback(
            session, data, caller=caller, log=log, wait=False, published_only=agent_only
        )
    except NotFoundError as exc:
        if exc.entity != "receipt":  # the article named as used instead does not exist
            raise InvalidRequestError("used_article_id", str(exc)) from None
        # The card was shown while typing (not logged): log the answer it showed, if unchanged.
        question = form.get("q", "").strip()[:MAX_QUERY_CHARS]
        result = _answer(service, batcher, question) if question else None
        if result is None or not _shows_the_same(result, data.receipt, form.get("shown", "")):
            raise InvalidRequestError(
                "receipt", "the answer has changed since it was shown; search again"
            ) from None
        log_answer(session, question, result, caller=caller, started=started,
                   call=data.conversation_id, log=log)  # fmt: skip
        data = data.model_copy(update={"receipt": result.receipt})
        saved = analytics.record_feedback(
            session, data, caller=caller, log=log, wait=False, published_only=agent_only
        )
    template = "_feedback_done.html" if is_fragment(request) else "feedback_done.html"
    return render(request, template, user=user, active="assist", feedback=saved)


ArticleId = Annotated[str, Path(pattern=ARTICLE_ID_PATTERN, max_length=120)]
Version = Annotated[int | None, Query(ge=1, le=MAX_VERSION)]


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def other_article(
    request: Request,
    user: Agent,
    article_id: ArticleId,
    session: SessionDep,
    settings: SettingsDep,
    version: Version = None,
) -> HTMLResponse:
    """One of the other articles, opened from the results as the answer card shows an answer
    (a fragment for the list's disclosure; a page without htmx)."""
    opened = open_article(session, user.principal, article_id, version, today=clock.today(settings))
    template = "_other_article.html" if is_fragment(request) else "other_article.html"
    return render(request, template, user=user, active="assist", article=opened)


Receipt = Annotated[str, Path(pattern=RECEIPT_PATTERN, max_length=70)]


@router.get("/handoff", response_class=HTMLResponse, response_model=None)
def handoff_form(
    request: Request, user: Agent, receipt: str | None = None
) -> HTMLResponse | RedirectResponse:
    """Open a bot's escalation: the receipt field, or straight to it when given."""
    if receipt is None:
        return render(request, "handoff.html", user=user, active="assist", handoff=None)
    target = receipt.strip().lower()  # receipts are lower-case; one read out may not be
    if not re.fullmatch(RECEIPT_PATTERN, target):
        error = (
            "A receipt is rcpt_ followed by 8 to 64 digits and the letters a to f, "
            "as the bot gave it, e.g. rcpt_3f2a9c1e."
        )
        return render(request, "handoff.html", user=user, active="assist", handoff=None,
                      typed=receipt, error=error, status_code=400)  # fmt: skip
    return RedirectResponse(f"/ui/assist/handoff/{target}", status_code=303)


@router.get("/handoff/{receipt}", response_class=HTMLResponse)
def handoff(
    request: Request, user: Agent, receipt: Receipt, session: SessionDep, log: AnswerLogDep
) -> HTMLResponse:
    """What the bot had and why it stopped, with the article it nearly used."""
    found = find_handoff(session, receipt, log)
    status = 200 if found.event is not None else 404
    return render(
        request, "handoff.html", user=user, active="assist", handoff=found, status_code=status
    )
