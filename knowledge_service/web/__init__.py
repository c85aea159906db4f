"""Pages for agents, content owners and leaders, served by the same app as the API.

:func:`install_web` adds the page routes (``/``, ``/ui/...``), the vendored static files
(``/ui/static``), the offline ``/docs`` and ``/redoc``, and the error pages: a page request
without a session goes to the sign-in form, a forbidden one gets a page that says so, and any
error the API would answer with problem+json (a domain error, an unknown page, a malformed
parameter, a body over the size limit) is shown on a page path as a page, or as a small
fragment when htmx asked (the API keeps its problem+json). A signed-in person's error page
keeps the navigation and Sign out.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from knowledge_service.http.errors import unexpected_error
from knowledge_service.http.parameters import utf8_query
from knowledge_service.http.security_headers import security_headers
from knowledge_service.web import workflow_handlers
from knowledge_service.web.auth import CsrfError, PageForbiddenError, SignInRequiredError
from knowledge_service.web.errors import (
    ProblemPagesMiddleware,
    error_page,
    is_fragment,
    is_page_path,
    signed_in,
)
from knowledge_service.web.routes import ROUTERS, docs
from knowledge_service.web.routes.auth import safe_next
from knowledge_service.web.templating import STATIC_DIR


def _current_page(request: Request) -> str:
    """The page the person is on: the address itself for a page request, else the page that
    asked (htmx names it in ``HX-Current-URL``; a form sends it as the ``Referer``)."""
    if request.method == "GET" and not is_fragment(request):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    asked = request.headers.get("hx-current-url") or request.headers.get("referer") or ""
    try:
        parts = urlsplit(asked)
    except ValueError:  # no address ('http://[x': an IPv6 host not closed): no page to return to
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _sign_in_required(request: Request, _exc: Exception) -> Response:
    target = f"/ui/login?next={quote(safe_next(_current_page(request)))}"
    if request.method == "GET" and not is_fragment(request):
        return RedirectResponse(target, status_code=303)
    return error_page(request, 401, "Signed out", "Your session has ended.", sign_in=target)


def _forbidden(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, PageForbiddenError) else str(exc)
    return error_page(request, 403, "Not for your role", message, user=signed_in(request))


def _csrf_refused(request: Request, _exc: Exception) -> Response:
    return error_page(request, 403, "Request refused",
                      "The form's security token is missing or out of date. Reload the page "
                      "and try again.", user=signed_in(request))  # fmt: skip


def _unexpected(request: Request, exc: Exception) -> Response:
    """An unexpected error (logged, as for the API) as a page on a page path; the session is not
    read again (the store may be what failed)."""
    problem = unexpected_error(request, exc)
    if not is_page_path(request.url.path):
        return problem
    page = error_page(request, 500, "Something went wrong",
                      "An unexpected error occurred and has been logged. Try again in a moment; "
                      "if it happens again, tell your administrator.")  # fmt: skip
    page.raw_headers += list(security_headers(request.url.path))  # sent outside the middleware
    return page


def install_web(app: FastAPI) -> None:
    """Add the pages, their static files, ``/docs`` and ``/redoc`` to ``app``."""
    workflow_handlers.register()
    for router in ROUTERS:  # /docs and /redoc take any query, as /openapi.json does
        checks = [] if router is docs.router else [Depends(utf8_query)]
        app.include_router(router, dependencies=checks)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    app.add_exception_handler(SignInRequiredError, _sign_in_required)
    app.add_exception_handler(PageForbiddenError, _forbidden)
    app.add_exception_handler(CsrfError, _csrf_refused)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(ProblemPagesMiddleware)
