"""The signed-in person behind a page request, page access by role, and CSRF checks.

Page routes depend on :func:`page_user` (signed in, and the role may use the page); every
unsafe method also depends on :func:`csrf_user`, which checks the form's ``csrf_token`` field
or the ``X-CSRF-Token`` header (htmx sends it) against the session's token.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request

from knowledge_service.access import repository as keys
from knowledge_service.access.schemas import Principal, Role
from knowledge_service.content.models import utcnow
from knowledge_service.errors import InvalidRequestError, a_or_an
from knowledge_service.http.deps import SessionDep
from knowledge_service.http.parameters import undecodable
from knowledge_service.settings import Settings
from knowledge_service.web.pages import Page, may_sign_in, may_use
from knowledge_service.web.sessions import SESSION_COOKIE, SessionSigner, SessionToken, load_secret

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_signer_lock = threading.Lock()


class SignInRequiredError(Exception):
    """No valid session: the page sends the browser to the sign-in form."""


class PageForbiddenError(Exception):
    """Signed in, but the role may not use this page or action."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsrfError(Exception):
    """An unsafe request without the session's CSRF token."""


@dataclass(frozen=True)
class WebUser:
    """A signed-in person: who (the key's principal), the session and its CSRF token."""

    principal: Principal
    session: SessionToken
    csrf: str


def signer_of(request: Request) -> SessionSigner:
    """The app's session signer, made on first use from the data folder's secret."""
    state = request.app.state
    with _signer_lock:
        if getattr(state, "web_signer", None) is None:
            settings: Settings = state.settings
            state.web_signer = SessionSigner(load_secret(settings.data_dir))
    signer: SessionSigner = state.web_signer
    return signer


def user_from_cookie(request: Request, session: SessionDep) -> WebUser | None:
    """The session's person, or None: no cookie, a bad, expired or logged-out one, or a
    revoked or expired key."""
    token = request.cookies.get(SESSION_COOKIE)
    claims = SessionSigner.peek(token) if token else None
    if token is None or claims is None:
        return None
    row = keys.credentials_by_prefix(session, claims.prefix)
    if row is None or row.revoked or row.has_expired(utcnow()) or not may_sign_in(Role(row.role)):
        return None
    signer = signer_of(request)
    if signer.verify(session, token, row.key_hash) is None:
        return None
    principal = Principal(
        name=row.name, prefix=row.prefix, role=Role(row.role), owner=row.owner,
        person=row.person or row.name,
    )  # fmt: skip
    return WebUser(principal, claims, signer.csrf_token(claims.session_id))


def current_user(request: Request, session: SessionDep) -> WebUser:
    """The signed-in person; :class:`SignInRequiredError` otherwise."""
    user = user_from_cookie(request, session)
    if user is None:
        raise SignInRequiredError
    return user


UserDep = Annotated[WebUser, Depends(current_user)]


def page_user(page: Page) -> Callable[..., Awaitable[WebUser]]:
    """A dependency: the signed-in person, if their role may use ``page``."""

    async def dependency(user: UserDep) -> WebUser:
        if not may_use(user.principal.role, page):
            role = a_or_an(str(user.principal.role))
            raise PageForbiddenError(f"{role[0].upper()}{role[1:]} key may not use this page.")
        return user

    dependency.__name__ = f"page_user_{page}"
    return dependency


MAX_FORM_FIELDS = 50


async def form_data(request: Request) -> dict[str, str]:
    """The request's URL-encoded form fields (the last value of a repeated field wins), each
    line break as typed ("\n"). A browser sends a text box's line breaks as "\r\n" but counts
    each as one character against its ``maxlength``: a 2,000-character note with line breaks,
    which the box allowed, was refused as longer than 2,000 characters. A field whose name or
    value is not UTF-8 is refused naming it: it was read with U+FFFD for each such byte, so an
    article's text was saved, and a question answered, as the person never wrote it."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return {}
    raw = await request.body()
    if errors := undecodable(raw):  # a form is encoded as a query string is
        raise InvalidRequestError(errors[0]["loc"][1], errors[0]["msg"])
    body = raw.decode("utf-8")
    try:
        fields = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:  # more fields than any page's form has
        raise InvalidRequestError("form", f"more than {MAX_FORM_FIELDS} fields") from None
    return {name: value.replace("\r\n", "\n") for name, value in fields}


FormDep = Annotated[dict[str, str], Depends(form_data)]


def csrf_user(page: Page) -> Callable[..., Awaitable[WebUser]]:
    """A dependency for unsafe methods: :func:`page_user` plus the CSRF token check."""
    guard = page_user(page)

    # A default-value Depends: string annotations cannot name the closure's ``guard``.
    async def dependency(
        request: Request, form: FormDep, user: WebUser = Depends(guard)
    ) -> WebUser:
        check_csrf(request, user.session.session_id, form)
        return user

    dependency.__name__ = f"csrf_user_{page}"
    return dependency


def check_csrf(request: Request, session_id: str, form: dict[str, str]) -> None:
    """Raise :class:`CsrfError` unless the form field or header carries the session's token."""
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not signer_of(request).check_csrf(session_id, sent):
        raise CsrfError
