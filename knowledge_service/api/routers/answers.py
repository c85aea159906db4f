"""``GET /v1/answer``: one canonical answer for a channel (the serving contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from knowledge_service.access.schemas import Permission, Principal, Role
from knowledge_service.answers.schemas import AnswerResult
from knowledge_service.answers.service import AnswerQuery
from knowledge_service.content.schemas import Channel
from knowledge_service.errors import PermissionDeniedError
from knowledge_service.http.deps import (
    AnswerBatcherDep,
    AnswerServiceDep,
    LocaleParam,
    QueryText,
    require,
)
from knowledge_service.http.errors import problem_responses
from knowledge_service.http.schemas import json_response

router = APIRouter(prefix="/v1", tags=["answers"])

Asker = Annotated[Principal, Depends(require(Permission.ANSWER))]
ChannelParam = Annotated[
    Channel,
    Query(description="Where the answer is served: plain text for chat, voice and email; "
          "Markdown for agent and web. Bot keys may not ask on the agent channel."),
]  # fmt: skip
AsOfParam = Annotated[
    datetime | None,
    Query(description="Answer as the knowledge stood at this moment (ISO 8601 with a zone)."),
]


@router.get(
    "/answer",
    response_model=AnswerResult,
    summary="Resolve a question to one answer for a channel",
    responses=problem_responses(400, 401, 403, 503),
)
def get_answer(
    q: QueryText,
    channel: ChannelParam,
    principal: Asker,
    service: AnswerServiceDep,
    batcher: AnswerBatcherDep,
    locale: LocaleParam = None,
    as_of: AsOfParam = None,
) -> Response:
    """One canonical article version for the question, or `escalate` / `no_answer`.

    The same question at the same moment resolves to the same article and version on every
    channel that may see it; `receipt` identifies that exact resolution.
    """
    if channel == Channel.AGENT and principal.role == Role.BOT:
        raise PermissionDeniedError("bot keys may not ask on the agent channel")
    query = AnswerQuery(q, channel, locale, as_of)
    service.validate(query)
    if as_of is not None:
        return json_response(service.answer_many([query])[0])
    return json_response(batcher.submit(query))
