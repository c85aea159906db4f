"""The composition root: the FastAPI application factory, above every HTTP adapter.

:func:`create_app` wires the shared HTTP parts (:mod:`knowledge_service.http`: dependencies,
problem+json errors, middleware, OpenAPI finishing) and the adapters' routers (``api``, and the
pages of ``web``) to the domains' services. Heavy objects (the engine, the embedder and the search
service) are built once in the lifespan and kept on ``app.state``; the store follower
(:mod:`knowledge_service.freshness.follower`) keeps the index and the findings level with the
store. Tests pass their own to :func:`create_app`::

    app = create_app(settings, engine=engine, search_service=FakeSearchService())
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from sqlalchemy.engine import Engine

from knowledge_service import __version__
from knowledge_service.access.throttle import FailedSignIns
from knowledge_service.analytics import repository as analytics_repository
from knowledge_service.analytics.log import PSEUDONYM_KEY_FILE, AnswerLog
from knowledge_service.analytics.metrics import ServiceMetrics
from knowledge_service.analytics.retention import RetentionScheduler
from knowledge_service.analytics.stream import EventHub
from knowledge_service.answers.batcher import MicroBatcher
from knowledge_service.answers.service import AnswerService
from knowledge_service.api.routers import KEYED_ROUTERS, PROBES
from knowledge_service.db import session_scope
from knowledge_service.freshness.follower import StoreFollower
from knowledge_service.http.authorise_first import authorise_request
from knowledge_service.http.deps import MAX_BODY_BYTES, refuse_undeclared_query
from knowledge_service.http.errors import install_error_handlers
from knowledge_service.http.logging import AccessLogMiddleware, redact_existing_handlers
from knowledge_service.http.middleware import (
    BodySizeLimitMiddleware,
    ContentEncodingMiddleware,
    JsonBodyCheckMiddleware,
    RequestMetricsMiddleware,
)
from knowledge_service.http.openapi import install_openapi
from knowledge_service.http.security_headers import SecurityHeadersMiddleware
from knowledge_service.http.shutdown import on_server_stop, stop_on_signals
from knowledge_service.index.embedder import create_embedder
from knowledge_service.index.service import SearchService
from knowledge_service.index.vectors import set_search_threads
from knowledge_service.keyfile import load_key
from knowledge_service.models_registry import create_all_tables
from knowledge_service.settings import Settings, get_settings
from knowledge_service.store import engine_for
from knowledge_service.web import install_web

DESCRIPTION = """\
A governed knowledge service for customer-contact teams: one answer for every channel, search
for agents, versioned articles and policy sources, and the findings of the governance check.

Every route under `/v1` needs an API key (`Authorization: Bearer <key>`) whose role allows it:
`bot` may only ask for answers and rate them; `agent` may also search and read articles,
policies and findings; `owner` may also edit its own articles and update their findings;
`leader` may do what an agent does and read the measures, gaps, events and `/metrics`; `admin`
may do everything.
Every error is `application/problem+json` (RFC 9457).
"""

TAGS = [
    {"name": "health", "description": "Liveness and readiness (no key needed)."},
    {"name": "answers", "description": "One canonical answer per question, for every channel."},
    {"name": "search", "description": "Hybrid search with freshness, for agents."},
    {"name": "articles", "description": "Knowledge articles and their versions."},
    {"name": "policies", "description": "Policy sources and their clauses."},
    {"name": "findings", "description": "Findings of the governance check."},
    {"name": "analytics", "description": "Receipts, feedback, measures and the live answer feed."},
]


def build_search_service(
    settings: Settings, engine: Engine, *, is_opened: bool = True
) -> SearchService:
    """The real search service: the configured embedder and the on-disk index, made current
    (``is_opened=False``: not loaded yet; the store follower loads it in the background)."""
    set_search_threads(settings.index.query_threads)
    service = SearchService(settings, engine, create_embedder(settings))
    if is_opened:
        service.open()
    return service


def _start_serving(app: FastAPI, settings: Settings) -> None:
    """The answer service and the batchers that let concurrent requests share one encode."""
    app.state.answer_service = AnswerService(settings, app.state.engine, app.state.search_service)
    app.state.sign_ins = FailedSignIns(settings.sign_in_failures, settings.sign_in_window)
    workers = settings.index.query_workers
    app.state.answer_batcher = MicroBatcher(app.state.answer_service.answer_many, workers=workers)
    app.state.search_batcher = MicroBatcher(
        lambda requests: app.state.search_service.search_requests(requests), workers=workers
    )


def _start_analytics(app: FastAPI, settings: Settings) -> Callable[[], None]:
    """The answer log (with its live feed), the metrics and the retention schedule; returns
    what stops them (flushing the log: a graceful shutdown loses no answer event)."""
    engine = app.state.engine
    cfg = settings.analytics
    app.state.event_hub = EventHub(max_subscribers=cfg.max_streams)
    log = None
    pseudonym_key = load_key(settings.data_dir, PSEUDONYM_KEY_FILE)
    if cfg.enabled:
        log = AnswerLog(
            engine, queue_size=cfg.queue_size, batch_size=cfg.batch_size,
            flush_interval=cfg.flush_interval, hub=app.state.event_hub,
            pseudonym_key=pseudonym_key,
        )  # fmt: skip
        log.start()
    app.state.answer_log = log

    def open_findings() -> dict[str, int]:
        with session_scope(engine) as session:
            return analytics_repository.open_findings_by_kind(session)

    app.state.metrics = ServiceMetrics(
        index_size=lambda: len(app.state.search_service.index.articles),
        open_findings=open_findings,
        log=log,
    )
    retention = RetentionScheduler(
        engine, retention_days=settings.log_retention_days,
        interval=cfg.purge_interval_hours * 3600, pseudonym_key=pseudonym_key,
    )  # fmt: skip
    retention.start()
    hub = app.state.event_hub
    forget_streams = on_server_stop(lambda: _end_streams(hub))

    def stop() -> None:
        forget_streams()
        hub.close()
        retention.stop()
        if log is not None:
            log.close()

    return stop


def _end_streams(hub: EventHub) -> None:
    """The server is stopping: end the live feed's streams, which never end by themselves and
    would hold the stop for its whole graceful timeout (then be cancelled, with an ERROR)."""
    count = hub.close()
    if count:
        logger.info("the server is stopping: ended %d live event stream(s) (/v1/events)", count)


def _lifespan(
    settings: Settings,
    engine: Engine | None,
    search_service: SearchService | None,
    follow_store: bool,
) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned_engine = engine is None
        app.state.settings = settings
        app.state.engine = engine or engine_for(settings)
        if owned_engine:
            create_all_tables(app.state.engine)
        # Following the store, the server listens at once: the follower loads the index in
        # the background and /readyz says 503 until it is current.
        app.state.search_service = search_service or build_search_service(
            settings, app.state.engine, is_opened=not follow_store
        )
        follower = None
        if follow_store:  # keep the index and the findings level with the store
            follower = StoreFollower(
                settings, app.state.engine, app.state.search_service, settings.index.sync_interval
            )
            follower.start()
        redact_existing_handlers()  # an embedding server's own handlers redact too
        _start_serving(app, settings)
        stop_analytics = _start_analytics(app, settings)
        restore_signals = stop_on_signals()  # streams end as the stop begins, under any uvicorn
        try:
            yield
        finally:
            restore_signals()
            stop_analytics()
            app.state.answer_batcher.close()
            app.state.search_batcher.close()
            if follower is not None:
                follower.stop()
            if owned_engine:
                app.state.engine.dispose()

    return lifespan


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    search_service: SearchService | None = None,
    follow_store: bool | None = None,
) -> FastAPI:
    """Build the HTTP API.

    Args:
        settings: The service settings (default: from the environment).
        engine: A ready engine with tables created (default: built from ``settings``).
        search_service: A ``SearchService`` (opened, or opened by the follower), or a test
            double (default: built in the lifespan with the configured embedder; opened there,
            or in the background by the store follower when ``follow_store``).
        follow_store: Run the governance check at start and follow the store (index sync and
            incremental checks after imports, a full check daily). Default: only when the
            lifespan builds the search service itself.

    Returns:
        The application; serve it with uvicorn (``knowledge-service serve``).
    """
    settings = settings or get_settings()
    app = FastAPI(
        title="knowledge-service",
        version=__version__,
        summary="Governed knowledge for chatbots, voice bots and agent assist.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,  # served by the web package with vendored assets (no CDN)
        # A path with a trailing slash is no route: a 404 (problem+json under /v1, the 404 page
        # under /ui), never a redirect repeating the path and query (a question) in Location.
        redirect_slashes=False,
        redoc_url=None,
        lifespan=_lifespan(
            settings,
            engine,
            search_service,
            search_service is None if follow_store is None else follow_store,
        ),
    )
    install_error_handlers(app, authorise=authorise_request)
    app.add_middleware(JsonBodyCheckMiddleware)  # inside the size limit: it reads the body
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(ContentEncodingMiddleware)  # outside the size limit: 415 before 413
    app.add_middleware(RequestMetricsMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(AccessLogMiddleware)  # outermost: it times everything the app does
    for router in PROBES:
        app.include_router(router)
    # Once for every keyed route (a new one included): a query string, whatever the method, may
    # hold only the parameters the route declares, each once unless it takes many (checked
    # after the key).
    for router in KEYED_ROUTERS:
        app.include_router(router, dependencies=[Depends(refuse_undeclared_query)])
    install_web(app)
    install_openapi(app)
    return app


logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
"""``prctl`` option (linux/prctl.h): the signal the kernel sends this process when its parent
ends."""


def end_with_parent() -> None:
    """On Linux, have the kernel send this process SIGTERM (uvicorn's graceful stop: open
    requests end, the answer log is flushed) when the process that started it ends, however it
    ends: a ``kill -9`` of ``serve --workers N``'s supervisor would otherwise leave its workers
    serving, re-parented to PID 1 and holding the port. A parent that ended before the request
    took effect sends nothing: then this process exits at once. Elsewhere, nothing changes."""
    parent = multiprocessing.parent_process()
    if not sys.platform.startswith("linux") or parent is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        logger.warning("cannot ask to end with the parent process: %s", os.strerror(error))
        return
    if os.getppid() != parent.pid:  # the parent died before prctl took effect
        logger.warning("the server's parent process %d has ended: this worker exits", parent.pid)
        raise SystemExit(1)


def create_worker_app() -> FastAPI:
    """The app of one process of ``serve --workers N`` (uvicorn's factory, called in the worker
    as it starts): the process ends with its supervisor (:func:`end_with_parent`)."""
    end_with_parent()
    return create_app()
