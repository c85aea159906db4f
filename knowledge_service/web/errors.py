"""Errors as pages: the HTML error page (with the navigation when signed in), the small fragment
an htmx request swaps in, and the middleware that shows the API's problem+json that way on
page paths (a 404, a request validation error, a domain error, a 413 from the body limit).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from knowledge_service.errors import NotFoundError
from knowledge_service.http.errors import PROBLEM_MEDIA_TYPE
from knowledge_service.web.auth import WebUser, user_from_cookie
from knowledge_service.web.sessions import SESSION_COOKIE
from knowledge_service.web.templating import render

_REPLACED_HEADERS = {b"content-type", b"content-length", b"cache-control"}
"""Headers of the problem+json answer the page sets for itself (the rest are kept)."""


PAGE_DETAILS = {
    413: "What you sent is larger than the server accepts (64 KiB once the browser has "
    "encoded it: a line break or punctuation mark counts three bytes, a letter of another "
    "script up to nine). Shorten it, or edit the article's file and import it.",
}
"""What a page says instead of the API's detail, where the API's words do not help a person."""


class NotInQueueError(NotFoundError):
    """A review page for something that is not in the caller's review queue (a 404): it may
    exist, so the page does not say it does not; it says why it is not shown."""

    def __init__(self, what: str, identifier: str) -> None:
        super().__init__(what, identifier)
        self.message = (
            f"{what} {identifier!r} is not in your review queue: there is nothing left to do "
            "about it (resolved, approved or withdrawn), or it is about another owner's "
            "article. The queue lists what is yours."
        )
        self.args = (self.message,)


EXPORT_SUFFIXES = (".csv", ".json")
"""Downloads under /ui read by programs (a BI tool fetching measures.csv): their errors stay
the API's problem+json, never an HTML page."""


def is_page_path(path: str) -> bool:
    """Whether ``path`` is a page (its errors shown as pages), not the API or an export."""
    return (path == "/ui" or path.startswith("/ui/")) and not path.endswith(EXPORT_SUFFIXES)


def is_fragment(request: Request) -> bool:
    """Whether htmx asked (it swaps the answer into part of the page)."""
    return request.headers.get("hx-request") == "true"


def signed_in(request: Request) -> WebUser | None:
    """The person whose valid session the request carries (the error page then keeps the
    navigation and Sign out); None without one, or when the store cannot say."""
    if SESSION_COOKIE not in request.cookies:
        return None
    try:
        with Session(request.app.state.engine) as session:
            return user_from_cookie(request, session)
    except SQLAlchemyError:
        return None


RESULTS_TARGET = "results"
"""The id of the assist page's results: its status line (outside them) announces them."""


def error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    *,
    user: WebUser | None = None,
    sign_in: str | None = None,
) -> HTMLResponse:
    """The error as the ``_error.html`` fragment for htmx, else as a page for ``user``;
    ``sign_in``: the address of the sign-in form that comes back here (a "Sign in again" link).
    A fragment swapped into the assist results also empties their status line, which would
    otherwise still announce the answer the error replaced (the error is its own alert)."""
    context: dict[str, Any] = {"title": title, "message": message, "sign_in": sign_in}
    if is_fragment(request):
        clears = request.headers.get("hx-target") == RESULTS_TARGET
        return render(request, "_error.html", status_code=status, clears_status=clears, **context)
    return render(request, "error.html", user=user, status_code=status, **context)


def _problem_of(body: bytes) -> tuple[str, str]:
    """The title and detail of a problem+json body."""
    try:
        problem = json.loads(body)
    except ValueError:
        problem = {}
    return str(problem.get("title", "Error")), str(problem.get("detail", ""))


async def _page_for_problem(scope: Scope, start: Message, body: bytes) -> HTMLResponse:
    request = Request(scope)
    status = int(start["status"])
    title, detail = _problem_of(body)
    detail = PAGE_DETAILS.get(status, detail)
    user = None if is_fragment(request) else await run_in_threadpool(signed_in, request)
    page = error_page(request, status, title, detail, user=user)
    page.raw_headers += [
        (name, value) for name, value in start.get("headers", []) if name not in _REPLACED_HEADERS
    ]
    return page


def _is_problem(message: Message) -> bool:
    return any(
        name == b"content-type" and value.startswith(PROBLEM_MEDIA_TYPE.encode())
        for name, value in message.get("headers", [])
    )


class ProblemPagesMiddleware:
    """On page paths, an error the API would answer with problem+json is shown as the error
    page (or fragment) instead: the same status, title, detail and other headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()

        async def page_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and _is_problem(message):
                start = message
            elif start is None:
                await send(message)
            else:
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    page = await _page_for_problem(scope, start, bytes(body))
                    await page(scope, receive, send)

        await self.app(scope, receive, page_send)
