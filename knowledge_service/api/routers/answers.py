"""``/v1/answer``: one canonical answer for a channel (the serving contract).

``POST`` carries the question in a JSON body, so a customer's words never travel in a URL;
``GET`` stays for simple clients (its query string is redacted in the access log). Every answer
is recorded in the answer log, the question redacted before it is written; a replay (``as_of``:
what was said then) is not live traffic and is not recorded (nor counted in the metrics).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.datastructures import State

from knowledge_service.access.schemas import Permission, Principal, Role
from knowledge_service.analytics.recording import answer_event
from knowledge_service.analytics.schemas import ConversationId
from knowledge_service.answers.batcher import MicroBatcher
from knowledge_service.answers.schemas import AnswerResult
from knowledge_service.answers.service import AnswerQuery, AnswerService
from knowledge_service.content.schemas import LOCALE_PATTERN, MAX_LOCALE_CHARS, Channel
from knowledge_service.errors import InvalidRequestError, PermissionDeniedError
from knowledge_service.http.deps import (
    LocaleParam,
    QueryText,
    SupportedDay,
    recorder_of,
    require,
)
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.parameters import NOT_BLANK
from knowledge_service.http.schemas import json_response
from knowledge_service.settings import MAX_QUERY_CHARS

router = APIRouter(prefix="/v1", tags=["answers"])

Asker = Annotated[Principal, Depends(require(Permission.ANSWER))]
CHANNEL_HELP = (
    "Where the answer is served: plain text for chat, voice and email; Markdown for agent and "
    "web. Bot keys may not ask on the agent channel."
)
ChannelParam = Annotated[Channel, Query(description=CHANNEL_HELP)]
AS_OF_HELP = "Answer as the knowledge stood at this moment (ISO 8601 with a zone)."
AsOfParam = Annotated[
    str | None,
    Query(max_length=40, description=AS_OF_HELP, json_schema_extra={"format": "date-time"}),
    SupportedDay,
]


def parse_as_of(value: object) -> datetime | None:
    """An ISO 8601 moment; numbers (which pydantic would read as Unix times) are refused."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not any(c in value for c in "-:T"):
        raise InvalidRequestError("as_of", "must be an ISO 8601 date and time with a zone")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRequestError("as_of", f"{value!r} is not an ISO 8601 date and time") from None


ConversationParam = Annotated[
    str | None,
    Query(max_length=200, description="The caller's conversation id (repeat-question measures)."),
]


class AnswerRequest(BaseModel):
    """``POST /v1/answer``: the question in the body, never in a URL."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        pattern=NOT_BLANK,
        description="The question (not only white space).",
    )
    channel: Channel = Field(description=CHANNEL_HELP)
    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN, max_length=MAX_LOCALE_CHARS)
    as_of: Annotated[datetime | None, SupportedDay] = Field(
        default=None, description="ISO 8601 with a zone."
    )
    conversation_id: ConversationId = Field(
        default=None, max_length=200, description="The caller's conversation id (empty: none)."
    )

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of_is_text(cls, value: object) -> object:
        try:
            return parse_as_of(value)
        except InvalidRequestError as exc:
            raise ValueError(exc.problem) from None


def _answer(  # everything that blocks: the routes run it in one hop to a worker thread
    request: AnswerRequest, principal: Principal, state: State
) -> Response:
    """The answer; the app's parts are read from its ``state``, not through dependencies (each
    dependency costs FastAPI's resolution on the event loop, on every request)."""
    started = time.perf_counter()
    service: AnswerService = state.answer_service
    batcher: MicroBatcher[AnswerQuery, AnswerResult] = state.answer_batcher
    if request.channel == Channel.AGENT and principal.role == Role.BOT:
        raise PermissionDeniedError("bot keys may not ask on the agent channel")
    query = AnswerQuery(request.q, request.channel, request.locale, request.as_of)
    service.validate(query)
    if request.as_of is not None:  # a replay of what was said then: not live traffic
        return json_response(service.answer_many([query])[0])
    result = batcher.submit(query)
    latency_ms = (time.perf_counter() - started) * 1000
    recorder_of(state).record(
        answer_event(
            result, request.q, latency_ms=latency_ms, caller=principal.name,
            conversation_id=request.conversation_id,
        )
    )  # fmt: skip
    return json_response(result)


_ERRORS = problem_responses(400, 401, 403, 503)
_POST_ERRORS = problem_responses(400, 401, 403, 413, 415, 503)  # a body: its size and coding


@router.get(
    "/answer",
    response_model=AnswerResult,
    summary="Resolve a question to one answer for a channel",
    responses=_ERRORS,
)
async def get_answer(
    http: Request,
    q: QueryText,
    channel: ChannelParam,
    principal: Asker,
    locale: LocaleParam = None,
    as_of: AsOfParam = None,
    conversation_id: ConversationParam = None,
) -> Response:
    """One canonical article version for the question, or `escalate` / `no_answer` with a
    hand-off. Prefer `POST /v1/answer`: URLs end up in proxy and access logs.

    The same question at the same moment resolves to the same article and version on every
    channel that may see it; `receipt` identifies that exact resolution.
    """
    body = AnswerRequest(
        q=q,
        channel=channel,
        locale=locale,
        as_of=parse_as_of(as_of),
        conversation_id=conversation_id,
    )
    return await run_in_threadpool(_answer, body, principal, http.app.state)


@router.post(
    "/answer",
    response_model=AnswerResult,
    summary="Resolve a question (in the body) to one answer",
    responses=_POST_ERRORS,
)
async def post_answer(http: Request, body: AnswerRequest, principal: Asker) -> Response:
    """The same as `GET /v1/answer`, with the question in a JSON body."""
    return await run_in_threadpool(_answer, body, principal, http.app.state)
