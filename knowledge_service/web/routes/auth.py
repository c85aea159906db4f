"""Sign in with an API key, sign out, and the home page listing what the role may use."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from knowledge_service.access import repository as keys
from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.errors import AuthenticationError, TooManyAttemptsError
from knowledge_service.http.deps import SessionDep, counted_attempt
from knowledge_service.web.auth import (
    CsrfError,
    FormDep,
    UserDep,
    WebUser,
    check_csrf,
    signer_of,
    user_from_cookie,
)
from knowledge_service.web.pages import PAGE_INFO, may_sign_in, may_use
from knowledge_service.web.sessions import LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS
from knowledge_service.web.templating import render

router = APIRouter(include_in_schema=False)

LOGIN_PATH = "/ui/login"
LOGIN_NONCE_SECONDS = 3600
NextParam = Annotated[str | None, Query(max_length=200)]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of this site only (no open redirect)."""
    if target and target.startswith("/ui") and "//" not in target and "\\" not in target:
        return target
    return "/ui"


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/ui", status_code=307)


@router.get("/ui", response_class=HTMLResponse)
def home(request: Request, user: UserDep) -> HTMLResponse:
    return render(request, "home.html", user=user, active="home")


def _login_form(
    request: Request, *, next_path: str | None, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", status_code=status_code, error=error,
        next_path=safe_next(next_path), csrf=signer_of(request).csrf_token("login:" + nonce),
    )  # fmt: skip
    response.set_cookie(
        LOGIN_CSRF_COOKIE, nonce, max_age=LOGIN_NONCE_SECONDS, path=LOGIN_PATH,
        httponly=True, samesite="strict", secure=_is_https(request),
    )  # fmt: skip
    return response


@router.get(LOGIN_PATH, response_class=HTMLResponse, response_model=None)
def login_page(
    request: Request, session: SessionDep, next: NextParam = None
) -> HTMLResponse | RedirectResponse:
    if user_from_cookie(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next_path=next)


def _sign_in(request: Request, session: SessionDep, raw_key: str) -> tuple[str, Role]:
    """A session token for ``raw_key`` and its role; AuthenticationError or PermissionError
    otherwise."""
    principal = access.authenticate(session, raw_key)
    if not may_sign_in(principal.role):
        raise PermissionError("A bot key cannot sign in to pages: it is for the API only.")
    credentials = keys.credentials_by_prefix(session, principal.prefix)
    assert credentials is not None
    return signer_of(request).issue(principal.prefix, credentials.key_hash), principal.role


def landing(next_path: str | None, role: Role) -> str:
    """Where a user signed in with ``role`` goes: ``next_path`` (a page of this site), or the
    home page when it is a page the role may not use (an agent sent to the insights page would
    land on a refusal)."""
    target = safe_next(next_path)
    for info in PAGE_INFO.values():
        inside = target == info.path or target.startswith((info.path + "/", info.path + "?"))
        if inside and not may_use(role, info.page):
            return "/ui"
    return target


@router.post(LOGIN_PATH, response_class=HTMLResponse, response_model=None)
def login(request: Request, session: SessionDep, form: FormDep) -> HTMLResponse | RedirectResponse:
    """Exchange an API key for a session cookie (the key itself is never stored in it)."""
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    next_path = form.get("next")
    if not nonce:
        raise CsrfError
    check_csrf(request, "login:" + nonce, form)
    raw_key = form.get("api_key", "").strip()
    if not raw_key:  # the API's "send 'Authorization: Bearer <key>'" means nothing here
        return _login_form(request, next_path=next_path, error="Enter your key.", status_code=401)
    try:
        with counted_attempt(request, raw_key):
            token, role = _sign_in(request, session, raw_key)
    except TooManyAttemptsError as error:
        refused = _login_form(request, next_path=next_path, error=error.message, status_code=429)
        refused.headers["Retry-After"] = str(error.retry_after)
        return refused
    except AuthenticationError as error:
        return _login_form(request, next_path=next_path, error=error.message, status_code=401)
    except PermissionError as error:
        return _login_form(request, next_path=next_path, error=str(error), status_code=403)
    response = RedirectResponse(landing(next_path, role), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=SESSION_SECONDS, path="/", httponly=True,
        samesite="strict", secure=_is_https(request),
    )  # fmt: skip
    response.delete_cookie(
        LOGIN_CSRF_COOKIE, path=LOGIN_PATH, httponly=True, samesite="strict",
        secure=_is_https(request),
    )  # fmt: skip
    return response


async def _signed_in_with_csrf(request: Request, user: UserDep, form: FormDep) -> WebUser:
    check_csrf(request, user.session.session_id, form)
    return user


@router.post("/ui/logout")
def logout(
    request: Request, session: SessionDep, user: Annotated[WebUser, Depends(_signed_in_with_csrf)]
) -> Response:
    """End the session in the store (every worker and replica refuses its cookie from now on)
    and drop the cookie."""
    signer_of(request).end(session, user.session)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_is_https(request)
    )
    return response
