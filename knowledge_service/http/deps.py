"""Shared dependencies of every HTTP adapter: heavy objects from ``app.state``, the request's
session (its one transaction), the caller and limits.

Routers use the ``Annotated`` aliases below (``SessionDep``, ``SearchServiceDep``) and guard
each route with :func:`require_roles` or :func:`require`. Service verbs take the session and
never commit; :func:`get_session` commits once the handler has succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import AfterValidator
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session
from starlette.datastructures import State

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Permission, Principal, Role, roles_for
from knowledge_service.access.throttle import FailedSignIns
from knowledge_service.analytics.log import AnswerLog, LoggedAnswer
from knowledge_service.analytics.metrics import ServiceMetrics
from knowledge_service.analytics.stream import EventHub
from knowledge_service.answers.batcher import MicroBatcher
from knowledge_service.answers.schemas import AnswerResult
from knowledge_service.answers.service import AnswerQuery, AnswerService
from knowledge_service.clock import SUPPORTED_DAYS, is_supported_day
from knowledge_service.content.schemas import LOCALE_PATTERN, MAX_LOCALE_CHARS
from knowledge_service.db import MAX_OFFSET
from knowledge_service.errors import AuthenticationError, InvalidRequestError
from knowledge_service.freshness.follower import release_check_caches
from knowledge_service.freshness.pipeline import StoreChanges, apply_changes
from knowledge_service.http.parameters import NOT_BLANK, check_query
from knowledge_service.index.schemas import MAX_TOP_K, SearchHit, SearchRequest
from knowledge_service.index.service import SearchService
from knowledge_service.settings import MAX_QUERY_CHARS, Settings

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_BODY_BYTES = 64 * 1024


# Dependencies that never block are ``async def``: FastAPI runs a plain ``def`` dependency in
# the thread pool, and each such hop costs a thread handoff on every request.


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_search_service(request: Request) -> SearchService:
    """The app's search service (tests may install a double with the same methods)."""
    service: SearchService = request.app.state.search_service
    return service


async def get_answer_service(request: Request) -> AnswerService:
    service: AnswerService = request.app.state.answer_service
    return service


async def get_answer_batcher(request: Request) -> MicroBatcher[AnswerQuery, AnswerResult]:
    """Concurrent answer requests share one encode."""
    batcher: MicroBatcher[AnswerQuery, AnswerResult] = request.app.state.answer_batcher
    return batcher


async def get_search_batcher(request: Request) -> MicroBatcher[SearchRequest, list[SearchHit]]:
    """Concurrent searches share one encode."""
    batcher: MicroBatcher[SearchRequest, list[SearchHit]] = request.app.state.search_batcher
    return batcher


class AnswerRecorder:
    """Where a route records what it served: the answer log and the metrics, when the app
    has them (an app built without analytics records nothing)."""

    def __init__(self, log: AnswerLog | None, metrics: ServiceMetrics | None) -> None:
        self.log = log
        self.metrics = metrics

    def record(self, event: LoggedAnswer) -> None:
        if self.log is not None:
            self.log.record(event)
        if self.metrics is not None and event.kind == "answer" and event.status:
            self.metrics.count_answer(event.channel or "", event.status, event.reason)


def recorder_of(state: State) -> AnswerRecorder:
    """The recorder of an app's ``state`` (routes that read ``app.state`` themselves)."""
    return AnswerRecorder(getattr(state, "answer_log", None), getattr(state, "metrics", None))


async def get_recorder(request: Request) -> AnswerRecorder:
    return recorder_of(request.app.state)


async def get_answer_log(request: Request) -> AnswerLog | None:
    """The app's answer log (None when ``KS_ANALYTICS__ENABLED`` is false)."""
    log: AnswerLog | None = getattr(request.app.state, "answer_log", None)
    return log


async def get_event_hub(request: Request) -> EventHub:
    hub: EventHub = request.app.state.event_hub
    return hub


class RequestSession(Session):
    """A request's session; ``info["wrote"]`` says whether it flushed a change or executed an
    ``INSERT``, ``UPDATE`` or ``DELETE`` statement (``session.execute``: no flush sees it)."""


@event.listens_for(RequestSession, "after_flush")
def _mark_written(session: Session, _context: object) -> None:
    session.info["wrote"] = True


@event.listens_for(RequestSession, "do_orm_execute")
def _mark_statement_written(execute: ORMExecuteState) -> None:
    if execute.is_insert or execute.is_update or execute.is_delete:
        execute.session.info["wrote"] = True


async def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> AsyncIterator[Session]:
    """One session per request, shared by every dependency of that request: the request's
    transaction, committed once the handler has succeeded and rolled back if it raised.

    Declared with ``scope="function"`` (see ``SessionDep``), so the commit happens before the
    response is sent: a client never sees success for a change that did not commit. Opening a
    session does no I/O; a request that wrote nothing ends without a commit round trip, and one
    that wrote commits in a worker thread (a busy store must not stall the event loop).
    """
    with RequestSession(engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        if session.info.get("wrote") or session.new or session.dirty or session.deleted:
            await run_in_threadpool(session.commit)


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SearchServiceDep = Annotated[SearchService, Depends(get_search_service)]
AnswerServiceDep = Annotated[AnswerService, Depends(get_answer_service)]
AnswerBatcherDep = Annotated[MicroBatcher[AnswerQuery, AnswerResult], Depends(get_answer_batcher)]
RecorderDep = Annotated[AnswerRecorder, Depends(get_recorder)]
AnswerLogDep = Annotated[AnswerLog | None, Depends(get_answer_log)]
EventHubDep = Annotated[EventHub, Depends(get_event_hub)]
SearchBatcherDep = Annotated[
    MicroBatcher[SearchRequest, list[SearchHit]], Depends(get_search_batcher)
]

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    bearerFormat="ks_<prefix>_<secret>",
    description="An API key from `knowledge-service keys create`, sent as "
    "`Authorization: Bearer <key>`.",
)


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The authenticated caller; raises AuthenticationError (401) otherwise.

    A key whose credentials this process read in the last few seconds is checked on the event
    loop (hashing a key takes microseconds); only a key not in the cache costs a thread hop to
    read the store, in a short session of its own (the key lookup only reads), so a route that
    needs no session, like ``/v1/search`` and ``/v1/answer``, never opens the request's one.
    """
    _one_authorization(request)
    engine: Engine = request.app.state.engine
    raw_key = credentials.credentials if credentials else None
    with counted_attempt(request, raw_key):
        return await _authenticate(engine, raw_key)


def _one_authorization(request: Request) -> None:
    """Refuse a request with two ``Authorization`` headers (InvalidRequestError, 400): which
    key it acts with would depend on which one a reader takes (a proxy may check the other),
    as for a query parameter or a body field given twice."""
    if len(request.headers.getlist("authorization")) > 1:
        raise InvalidRequestError("Authorization", "header is given more than once: send one key")


@contextmanager
def counted_attempt(request: Request, raw_key: str | None) -> Iterator[None]:
    """Authenticate ``raw_key`` inside: an address with too many recent failures is refused
    first (TooManyAttemptsError), an AuthenticationError inside counts as one more failure,
    and a success clears the address's failures (:mod:`~knowledge_service.access.throttle`).
    Sending no key is not an attempt."""
    if not raw_key:
        yield
        return
    sign_ins: FailedSignIns = request.app.state.sign_ins
    address = request.client.host if request.client else "-"
    sign_ins.check(address)
    try:
        yield
    except AuthenticationError:
        sign_ins.failed(address)
        raise
    sign_ins.succeeded(address)


async def refuse_undeclared_query(
    request: Request, _: Annotated[Principal, Depends(get_principal)]
) -> None:
    """The query check of every keyed route (:func:`~knowledge_service.http.parameters.
    check_query`: a 400 for a parameter the route does not declare, or a repeated one), once
    the caller is known: without a valid key it is a 401 whatever the query string holds, as
    whatever a body holds. The key is read once per request (FastAPI caches ``get_principal``
    for the route's own role check)."""
    await check_query(request)


async def key_still_valid(request: Request) -> bool:
    """Whether the key ``request`` was admitted with is still valid: a long-lived response (a
    live event stream) asks now and then, so that revoking the key ends it, as it ends the
    key's page sessions. Read as :func:`get_principal` reads it (the cache, else the store); not
    counted as a failed attempt. A store out of reach says nothing against the key: it is asked
    again next time."""
    scheme, credentials = get_authorization_scheme_param(request.headers.get("authorization"))
    raw_key = credentials if scheme.lower() == "bearer" else None
    engine: Engine = request.app.state.engine
    try:
        await _authenticate(engine, raw_key)
    except AuthenticationError:
        return False
    except SQLAlchemyError:
        return True
    return True


async def _authenticate(engine: Engine, raw_key: str | None) -> Principal:
    """The caller ``raw_key`` names: from this process's key cache, else (a thread hop) from
    the store; AuthenticationError for none."""
    principal = access.authenticate_from_cache(engine, raw_key)
    if principal is None:
        principal = await run_in_threadpool(_authenticate_from_store, engine, raw_key)
    return principal


def _authenticate_from_store(engine: Engine, raw_key: str | None) -> Principal:
    with Session(engine) as session:
        return access.authenticate(session, raw_key)


def authenticate_request(request: Request) -> Principal:
    """The caller of ``request``, found as :func:`get_principal` finds it, for code outside
    dependency injection (the validation error handler); a plain function, as it may read the
    store: run it in a thread."""
    _one_authorization(request)
    scheme, credentials = get_authorization_scheme_param(request.headers.get("authorization"))
    raw_key = credentials if scheme.lower() == "bearer" else None  # as ``bearer_scheme`` reads it
    engine: Engine = request.app.state.engine
    with counted_attempt(request, raw_key):
        principal = access.authenticate_from_cache(engine, raw_key or None)
        return principal or _authenticate_from_store(engine, raw_key or None)


class RoleCheck:
    """A dependency that admits admins and callers with one of ``roles`` (403 otherwise).

    An object rather than a closure, so that a route's role checks can be found from its
    dependencies: a request refused for its parameters or body is authorised first with them
    (:mod:`~knowledge_service.http.authorise_first`), as FastAPI reads a JSON body before it
    runs any dependency."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        self.roles = roles
        self.__name__ = "require_" + "_".join(str(r) for r in roles or (Role.ADMIN,))

    async def __call__(self, principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        access.authorize_roles(principal, self.roles)
        return principal


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits admins and callers with one of ``roles`` (403 otherwise)."""
    return RoleCheck(roles)


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits the roles granting ``permission`` (see ``ROLE_PERMISSIONS``)."""
    return require_roles(*roles_for(permission))


class Pagination:
    """``limit`` (1..100) and ``offset`` query parameters."""

    def __init__(
        self,
        limit: Annotated[
            int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (at most 100).")
        ] = DEFAULT_PAGE_SIZE,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


PageDep = Annotated[Pagination, Depends()]

QueryText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        pattern=NOT_BLANK,
        description="The question or query (not only white space).",
    ),
]
TopK = Annotated[int, Query(ge=1, le=MAX_TOP_K, description=f"How many results (1..{MAX_TOP_K}).")]
LocaleParam = Annotated[
    str | None,
    Query(
        pattern=LOCALE_PATTERN, max_length=MAX_LOCALE_CHARS, description="BCP 47 tag, e.g. en-AU."
    ),
]

Moment = TypeVar("Moment")


def check_supported_day(value: Moment) -> Moment:
    """``value`` (an ISO date or timestamp, as text or parsed) when its day is one the service
    handles; ValueError (a 400 naming the parameter) otherwise. Text that is not ISO 8601 is
    left to the parameter's own parser, which says what format it wants."""
    day = _day_of(value)
    if day is not None and not is_supported_day(day):
        raise ValueError(SUPPORTED_DAYS)
    return value


def _day_of(value: object) -> date | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


SupportedDay = AfterValidator(check_supported_day)
"""Every date and time parameter carries this (``Annotated[..., Query(...), SupportedDay]``)."""


logger = logging.getLogger(__name__)

AfterWrite = Callable[[StoreChanges], None]


async def get_after_write(request: Request) -> AfterWrite:
    """The after-write pipeline of this app's store and search service (tests may override)."""
    state = request.app.state

    def run(changes: StoreChanges) -> None:
        try:
            apply_changes(state.engine, state.search_service, changes, settings=state.settings)
        finally:
            release_check_caches()  # as the store follower does: a server keeps none of it

    return run


AfterWriteDep = Annotated[AfterWrite, Depends(get_after_write)]


def commit_and_apply(session: Session, after_write: AfterWrite, changes: StoreChanges) -> None:
    """Commit, then bring the index and the findings level with ``changes`` before the caller
    answers (a pipeline failure is logged: the change has committed and the store follower
    catches up)."""
    session.commit()
    if not changes:
        return
    try:
        after_write(changes)
    except Exception:
        logger.exception(
            "after-write pipeline failed for %s",
            sorted(changes.article_ids | changes.policy_ids),
        )
