"""CLI command: ``serve`` (the HTTP API under uvicorn)."""

from __future__ import annotations

import importlib.util
import ipaddress
import logging
import logging.config
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge_service.access import service as access
from knowledge_service.analytics.log import PSEUDONYM_KEY_FILE
from knowledge_service.cli.after_write import require_model_folder
from knowledge_service.cli.config import settings
from knowledge_service.cli.options import whole_number
from knowledge_service.cli.output import fail
from knowledge_service.cli.store import engine
from knowledge_service.content import repository as content_repository
from knowledge_service.db import store_name
from knowledge_service.http.logging import log_config
from knowledge_service.http.protocol import DeadlineHttpToolsProtocol
from knowledge_service.keyfile import check_key
from knowledge_service.web.sessions import SESSION_KEY_FILE

KEEP_ALIVE_SECONDS = 5
GRACEFUL_SHUTDOWN_SECONDS = 10
"""How long a shutdown waits for open requests before it ends them. A live event stream
(``/v1/events``), which never ends by itself, is ended as the stop begins
(``http.shutdown``), not by this timeout. The answer log is flushed after that, whatever was
still open."""
FORWARDED_ALLOW_IPS = "FORWARDED_ALLOW_IPS"
"""The addresses (or networks) of the reverse proxies whose ``X-Forwarded-For`` and
``X-Forwarded-Proto`` are believed, comma-separated (uvicorn's variable)."""
WORKER_HEALTHCHECK_SECONDS = 60
"""How long uvicorn's supervisor waits for a worker to answer its health ping. Its default (5 s)
is shorter than a worker's imports take on a loaded machine: the supervisor would kill and
restart every worker before it started, without end."""


class Level(StrEnum):
    """``--log-level``'s choices: KS_LOG_LEVEL's (``settings.LogLevel``)."""

    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    DEBUG = "debug"


def _uvicorn_options(level: str) -> dict[str, Any]:
    """Redacting, timestamped log handlers at ``level``, the app's own access log (with each
    request's duration) instead of uvicorn's, httptools with read deadlines, and uvloop where
    installed (much faster with several workers)."""
    options: dict[str, Any] = {
        "log_config": log_config(level),  # every handler redacts
        "log_level": level,
        "access_log": False,  # the app writes its own, once the response is complete
        # httptools with read deadlines (slowloris) and problem+json for unreadable requests
        "http": DeadlineHttpToolsProtocol,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }
    if importlib.util.find_spec("uvloop") is not None:
        options["loop"] = "uvloop"
    return options | proxy_options()


def proxy_options() -> dict[str, Any]:
    """Believe ``X-Forwarded-For`` and ``X-Forwarded-Proto`` only from the proxies that
    ``FORWARDED_ALLOW_IPS`` names (the client is then the right-most address in the header that
    is not one of them); from no one when it is unset or empty.

    uvicorn's own default believes 127.0.0.1: on a machine without a proxy there, any local
    process could send a new client address with each request, and so escape the failed
    sign-in count (:mod:`~knowledge_service.access.throttle`) with every guess."""
    trusted = os.environ.get(FORWARDED_ALLOW_IPS, "").strip()
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def _check_proxy_setting() -> None:
    """Exit 2 naming ``FORWARDED_ALLOW_IPS`` and the entry when one of its entries is neither
    an address nor a network. uvicorn takes such an entry (``10.0.0.5/33``, ``10.0.0.5/8``
    with host bits, a host name) for a literal that no TCP client ever matches: the proxy's
    headers would be silently ignored (no ``Secure`` cookie, every client the proxy's address)
    while the start line said they were believed."""
    trusted = proxy_options().get("forwarded_allow_ips")
    if not trusted or trusted == "*":
        return
    for entry in filter(None, (part.strip() for part in trusted.split(","))):
        try:
            if "/" in entry:
                ipaddress.ip_network(entry)  # strict, as uvicorn reads it
            else:
                ipaddress.ip_address(entry)
        except ValueError:
            raise fail(
                f"{FORWARDED_ALLOW_IPS}: {entry!r} is not an address or a network (such as "
                "10.0.0.5 or 10.0.0.0/24, comma-separated)"
            ) from None


def _log_proxy_trust() -> None:
    """One line saying whose forwarded headers the server believes."""
    trusted = proxy_options().get("forwarded_allow_ips")
    if trusted:
        logger.info("X-Forwarded-For and X-Forwarded-Proto are believed from %s", trusted)
    else:
        logger.info(
            "X-Forwarded-For and X-Forwarded-Proto are ignored (%s is not set): each client is "
            "known by the address it connects from", FORWARDED_ALLOW_IPS,
        )  # fmt: skip


def _check_free(host: str, port: int) -> None:
    """Exit 2 naming the address when it cannot be listened on (another server has the port),
    before the index is loaded and before anything says "Serving on"."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise fail(f"--host {host}: not an address of this machine ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _banner(host: str, port: int) -> None:
    """Where the server listens: printed only once every check before listening has passed
    (the port, the model, the store's schema and connection), never before a refusal."""
    base = f"http://{host}:{port}"
    typer.echo(f"Serving on {base}\n  API docs: {base}/docs\n  health:   {base}/healthz")


logger = logging.getLogger(__name__)


def _warn_if_empty(store: Engine, url: str) -> None:
    """One warning line when the store holds no article and no key: a mistyped
    ``KS_DATABASE_URL`` makes a new, empty store, and every request would then be a 401."""
    with Session(store) as session:
        if content_repository.articles(session).count_current() or access.list_keys(session):
            return
    logger.warning(  # a log line like the server's own (the log is configured by then)
        "the store (%s) holds no articles and no keys: import content and create a key, or "
        "check KS_DATABASE_URL",
        store_name(url),
    )


def _exit_0_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


@contextmanager
def stopped_by_sigterm_exits_0() -> Iterator[None]:
    """Within the block, SIGTERM ends the command with exit status 0, so that a graceful stop
    exits 0 with one worker as with many (as it does on Ctrl-C).

    uvicorn's server handles SIGTERM itself while it serves (a graceful stop), then restores
    the handler it found and raises the signal again. With the default handler a one-worker
    ``serve`` was then killed by the signal (status 143, -15 to Python's ``subprocess``) after
    a clean stop, while ``--workers N``'s supervisor, which never raises it again, exited 0.
    Raised here, SIGTERM ends the command with 0 instead: after the server's stop, or at once
    when it comes before uvicorn took the signal over (nothing is serving yet)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _exit_0_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(**whole_number(1, 65535), help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(**whole_number(1, 64), help="Worker processes.")] = 1,
    log_level: Annotated[
        Level | None,
        typer.Option(help="Log level (default: KS_LOG_LEVEL, else info).", show_default=False),
    ] = None,
) -> None:
    """Serve the HTTP API. Every worker listens at once and makes its index current in the
    background (``/readyz`` says 503 ``index-not-ready`` until then); the workers of one machine
    take turns to open the index, so one builds it and the others load what it saved."""
    import uvicorn

    from knowledge_service.app import build_search_service, create_app

    cfg = settings()
    _check_free(host, port)
    _check_proxy_setting()
    require_model_folder()  # a missing model or a folder that holds none, before any worker
    for key_file in (PSEUDONYM_KEY_FILE, SESSION_KEY_FILE):  # one copied badly: one line
        check_key(cfg.data_dir, key_file)
    options = _uvicorn_options(str(log_level or cfg.log_level))
    store = engine()  # the store is prepared (or refused) before any worker starts
    logging.config.dictConfig(options["log_config"])  # as uvicorn will: the same format
    _warn_if_empty(store, cfg.database_url)
    _log_proxy_trust()
    if workers == 1:
        try:
            search_service = build_search_service(cfg, store, is_opened=False)
        except Exception as exc:  # a broken model folder: one line, never a traceback
            raise fail(f"could not load the embedding model ({exc})") from None
        app = create_app(cfg, engine=store, search_service=search_service, follow_store=True)
        _banner(host, port)
        with stopped_by_sigterm_exits_0():
            uvicorn.run(app, host=host, port=port, **options)
    else:  # each worker builds its own app, which follows the store
        _banner(host, port)
        with stopped_by_sigterm_exits_0():  # the supervisor handles SIGTERM itself: exits 0
            uvicorn.run(
                "knowledge_service.app:create_worker_app",  # each worker ends with this process
                factory=True,
                host=host,
                port=port,
                workers=workers,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
                **options,
            )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("serve")(serve)
