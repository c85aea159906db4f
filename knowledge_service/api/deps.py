"""Shared dependencies: heavy objects from ``app.state``, a session, the caller and limits.

Routers use the ``Annotated`` aliases below (``SessionDep``, ``SearchServiceDep``) and guard
each route with :func:`require_roles` or :func:`require`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service.access import service as access
from knowledge_service.access.schemas import Permission, Principal, Role, roles_for
from knowledge_service.content.schemas import LOCALE_PATTERN
from knowledge_service.index.service import SearchService
from knowledge_service.settings import Settings

MAX_QUERY_CHARS = 500
MAX_TOP_K = 50
DEFAULT_TOP_K = 10
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_BODY_BYTES = 64 * 1024
MAX_OFFSET = 1_000_000
MAX_VERSION = 2**31 - 1


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


async def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> AsyncIterator[Session]:
    """One session per request, shared by every dependency of that request.

    Opening a session does no I/O (it connects on first use, in a worker thread); closing it
    hands the connection back to the pool.
    """
    with Session(engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
SearchServiceDep = Annotated[SearchService, Depends(get_search_service)]

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    bearerFormat="ks_<prefix>_<secret>",
    description="An API key from `knowledge-service keys create`, sent as "
    "`Authorization: Bearer <key>`.",
)


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The authenticated caller; raises AuthenticationError (401) otherwise."""
    return access.authenticate(session, credentials.credentials if credentials else None)


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits admins and callers with one of ``roles`` (403 otherwise)."""

    async def dependency(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        access.authorize_roles(principal, roles)
        return principal

    dependency.__name__ = "require_" + "_".join(str(r) for r in roles or (Role.ADMIN,))
    return dependency


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
    str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="The question or query.")
]
TopK = Annotated[int, Query(ge=1, le=MAX_TOP_K, description="How many results (1..50).")]
LocaleParam = Annotated[
    str | None,
    Query(pattern=LOCALE_PATTERN, max_length=35, description="BCP 47 tag, e.g. en-AU."),
]
