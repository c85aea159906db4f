"""CLI command: ``serve`` (the HTTP API under uvicorn)."""

from __future__ import annotations

import importlib.util
from typing import Annotated, Any

import typer

from knowledge_service.cli.common import console, engine, settings
from knowledge_service.http.logging import LOG_CONFIG
from knowledge_service.http.protocol import DeadlineHttpToolsProtocol

KEEP_ALIVE_SECONDS = 5


def _uvicorn_options() -> dict[str, Any]:
    """Redacting log handlers, httptools with read deadlines, and uvloop where installed
    (much faster with several workers)."""
    options: dict[str, Any] = {
        "log_config": LOG_CONFIG,  # every handler redacts
        # httptools with read deadlines (slowloris) and problem+json for unreadable requests
        "http": DeadlineHttpToolsProtocol,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    }
    if importlib.util.find_spec("uvloop") is not None:
        options["loop"] = "uvloop"
    return options


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API (one worker listens at once and makes its index current in the
    background; several workers start once the index is current)."""
    import uvicorn

    from knowledge_service.app import build_search_service, create_app

    cfg = settings()
    base = f"http://{host}:{port}"
    typer.echo(f"Serving on {base}\n  API docs: {base}/docs\n  health:   {base}/healthz")
    options = _uvicorn_options()
    if workers == 1:
        # Listen at once: the follower loads the index and checks the store in the background;
        # /readyz says 503 until the index is current.
        search_service = build_search_service(cfg, engine(), is_opened=False)
        app = create_app(cfg, engine=engine(), search_service=search_service, follow_store=True)
        uvicorn.run(app, host=host, port=port, **options)
    else:
        with console.status("Making the search index current..."):
            build_search_service(cfg, engine())
        # Each worker builds its own app (and loads the index the call above brought up to date).
        uvicorn.run(
            "knowledge_service.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **options,
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("serve")(serve)
