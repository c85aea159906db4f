"""Pages for agents, content owners and leaders, served by the same app as the API.

:func:`install_web` adds the page routes (``/``, ``/ui/...``), the vendored static files
(``/ui/static``), the offline ``/docs`` and ``/redoc``, and the error pages: a page request
without a session goes to the sign-in form, a forbidden one gets a page that says so, and a
domain error on a page is shown as a page (the API keeps its problem+json).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from knowledge_service.errors import KnowledgeServiceError
from knowledge_service.http.errors import status_of
from knowledge_service.web import workflow_handlers
from knowledge_service.web.auth import CsrfError, PageForbiddenError, SignInRequiredError
from knowledge_service.web.routes import ROUTERS
from knowledge_service.web.templating import STATIC_DIR, render

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]


def _is_page(request: Request) -> bool:
    return request.url.path.startswith("/ui")


def _sign_in_required(request: Request, _exc: Exception) -> Response:
    if request.method == "GET" and request.headers.get("hx-request") != "true":
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/ui/login?next={target}", status_code=303)
    return render(request, "error.html", status_code=401, title="Signed out",
                  message="Your session has ended. Sign in again.")  # fmt: skip


def _forbidden(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, PageForbiddenError) else str(exc)
    return render(request, "error.html", status_code=403, title="Not for your role",
                  message=message)  # fmt: skip


def _csrf_refused(request: Request, _exc: Exception) -> Response:
    return render(request, "error.html", status_code=403, title="Request refused",
                  message="The form's security token is missing or out of date. Reload the "
                  "page and try again.")  # fmt: skip


def _page_errors(api_handler: Handler) -> Handler:
    """Domain errors on pages as an HTML page; elsewhere the API's problem+json handler."""

    async def handler(request: Request, exc: Exception) -> Response:
        if not _is_page(request) or not isinstance(exc, KnowledgeServiceError):
            result = api_handler(request, exc)
            return await result if isinstance(result, Awaitable) else result
        status, _slug, title = status_of(exc)
        return render(request, "error.html", status_code=status, title=title,
                      message=exc.message)  # fmt: skip

    return handler


def install_web(app: FastAPI) -> None:
    """Add the pages, their static files, ``/docs`` and ``/redoc`` to ``app``."""
    workflow_handlers.register()
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    app.add_exception_handler(SignInRequiredError, _sign_in_required)
    app.add_exception_handler(PageForbiddenError, _forbidden)
    app.add_exception_handler(CsrfError, _csrf_refused)
    api_handler = app.exception_handlers.get(KnowledgeServiceError)
    if api_handler is not None:
        app.add_exception_handler(KnowledgeServiceError, _page_errors(api_handler))
