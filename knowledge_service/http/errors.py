"""One class-to-status table and one handler turning every error into RFC 9457 problem+json.

Domain errors carry data, never HTTP codes; this module is the only place that maps them.
"""

from __future__ import annotations

import http
import logging
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from knowledge_service.content.schemas import (
    PATTERN_WORDS,
)
from knowledge_service.db import is_transient
from knowledge_service.errors import (
    AuthenticationError,
    ConflictError,
    IndexNotReadyError,
    InvalidContentError,
    InvalidRequestError,
    InvalidStateError,
    InvalidTransitionError,
    KnowledgeServiceError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PreconditionFailedError,
    PreconditionRequiredError,
    RetryLaterError,
    ServiceBusyError,
    TooManyAttemptsError,
)
from knowledge_service.http.parameters import NOT_BLANK, location_of
from knowledge_service.http.schemas import ParameterProblem, Problem
from knowledge_service.http.security_headers import security_headers
from knowledge_service.privacy import redact, redact_path
from knowledge_service.review.etags import etag

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:knowledge-service:problem:"
WWW_AUTHENTICATE = 'Bearer realm="knowledge-service"'

# (status, slug, title) per domain error; looked up along the class's MRO.
ERROR_STATUS: dict[type[KnowledgeServiceError], tuple[int, str, str]] = {
    NotFoundError: (404, "not-found", "Not found"),
    PreconditionFailedError: (412, "precondition-failed", "Precondition failed"),
    InvalidTransitionError: (409, "invalid-transition", "Invalid transition"),
    ConflictError: (409, "conflict", "Conflict"),
    PreconditionRequiredError: (428, "precondition-required", "Precondition required"),
    InvalidContentError: (422, "invalid-content", "Invalid content"),
    PayloadTooLargeError: (413, "payload-too-large", "Payload too large"),
    InvalidRequestError: (400, "invalid-request", "Invalid request"),
    AuthenticationError: (401, "unauthenticated", "Authentication required"),
    PermissionDeniedError: (403, "forbidden", "Permission denied"),
    IndexNotReadyError: (503, "index-not-ready", "Index not ready"),
    ServiceBusyError: (503, "service-busy", "Service busy"),
    TooManyAttemptsError: (429, "too-many-attempts", "Too many failed attempts"),
    KnowledgeServiceError: (500, "internal-error", "Internal error"),
}

_HTTP_SLUGS = {
    400: "invalid-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-content-encoding",
    428: "precondition-required",
    429: "too-many-attempts",
    503: "unavailable",
}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


_TITLES = {
    **{slug: title for _, slug, title in ERROR_STATUS.values()},
    "method-not-allowed": "Method not allowed",
    "unsupported-content-encoding": "Unsupported content encoding",
    "too-many-requests": "Too many requests",
    "unavailable": "Service unavailable",
}
"""One title per problem type (RFC 9457), whichever layer answers: a 404 from the router and
one from a handler are both "Not found"."""


def title_of(slug: str, status: int) -> str:
    """The title of problem type ``slug`` (the status's phrase for a type without one)."""
    if slug in _TITLES:
        return _TITLES[slug]
    return (
        http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"
    )


def problem_response(
    request: Request | None,
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
    names: Sequence[str] = (),
    **extra: Any,
) -> ProblemResponse:
    """Build a problem+json response; ``instance`` defaults to the request's path. What it
    may echo of the request (the path, the detail and each parameter's name and problem: an id
    or a value quoted back) is redacted as a log line is: a card number sent in a path
    (``GET /v1/articles/4111111111111111``) is never sent back. ``names`` are what the detail
    quotes of the key and the store, not of the request (an owner): shown as written."""
    slug = slug or _HTTP_SLUGS.get(status, "http-error")
    path = instance or (request.url.path if request is not None else None)
    if "errors" in extra:
        extra["errors"] = [_redacted_problem(p) for p in extra["errors"]]
    body = Problem(
        type=PROBLEM_TYPE_PREFIX + slug,
        title=title or title_of(slug, status),
        status=status,
        detail=_redact_but(detail, names),
        instance=redact_path(path) if path is not None else None,
        **extra,
    )
    return ProblemResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def _redact_but(text: str, names: Sequence[str]) -> str:
    """``text`` redacted, each of ``names`` in it kept as written."""
    kept = sorted({name for name in names if name}, key=len, reverse=True)
    if not kept:
        return redact(text)
    pieces = re.split("(" + "|".join(map(re.escape, kept)) + ")", text)
    return "".join(piece if piece in kept else redact(piece) for piece in pieces)


def echoed_path(request: Request) -> str:
    """The request's path as an error body may echo it: each segment redacted."""
    return redact_path(request.url.path)


def _said(location: str, parameter: str, problem: str) -> str:
    """One parameter's problem in a detail, its name and problem redacted before they are
    quoted: redacted inside the quotes, a value such as an e-mail address (whose part before
    the ``@`` may hold an apostrophe) took the opening quote along (``parameter [EMAIL]':``)."""
    return f"{location} parameter '{redact(parameter)}': {redact(problem)}"


def _redacted_problem(problem: ParameterProblem | dict[str, Any]) -> dict[str, Any]:
    fields = problem.model_dump() if isinstance(problem, ParameterProblem) else dict(problem)
    return {
        **fields,
        "parameter": redact(fields["parameter"]),
        "problem": redact(fields["problem"]),
    }


def status_of(error: KnowledgeServiceError) -> tuple[int, str, str]:
    """The (status, slug, title) of a domain error."""
    for cls in type(error).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return ERROR_STATUS[KnowledgeServiceError]


def _domain_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, KnowledgeServiceError)
    status, slug, title = status_of(exc)
    if status >= 500 and status != 503:
        logger.error("unmapped domain error on %s", request.url.path, exc_info=exc)
    extra: dict[str, Any] = {}
    headers: dict[str, str] | None = None
    detail = exc.message
    if isinstance(exc, InvalidRequestError):  # said as a 400 of the request's validation says it
        location = location_of(request, exc.parameter)
        extra["errors"] = [
            ParameterProblem(location=location, parameter=exc.parameter, problem=exc.problem)
        ]
        detail = _said(location, exc.parameter, exc.problem)
    extra.update(_conflict_extra(exc))
    if isinstance(exc, InvalidStateError):
        extra.update(state=exc.state, allowed_actions=exc.allowed)
    if isinstance(exc, AuthenticationError):
        has_credentials = "authorization" in request.headers
        headers = {
            "WWW-Authenticate": WWW_AUTHENTICATE
            + (', error="invalid_token"' if has_credentials else "")
        }
    if isinstance(exc, RetryLaterError):
        headers = {"Retry-After": str(exc.retry_after)}
    names = exc.names if isinstance(exc, PermissionDeniedError) else ()
    return problem_response(
        request, status, detail, slug=slug, title=title, headers=headers, names=names, **extra,
    )  # fmt: skip


def _conflict_extra(exc: KnowledgeServiceError) -> dict[str, Any]:
    """What a client needs to recover from a stale ETag or an illegal transition."""
    if isinstance(exc, PreconditionFailedError):
        return {"current_version": exc.current, "current_etag": etag(exc.doc_id, exc.current)}
    if isinstance(exc, InvalidTransitionError):
        return {"state": exc.state, "allowed_actions": exc.allowed}
    return {}


def _location_and_name(loc: tuple[Any, ...] | list[Any]) -> tuple[str, str]:
    """Where and what: a location alone (``("body",)``) names itself (the whole body); a
    parameter whose name is empty (``?=x``, the body's key ``""``) is named '' as sent, not as
    its location (``query parameter 'query'`` named a parameter the client never sent)."""
    parts = [str(p) for p in loc]
    if not parts:
        return "request", "request"
    return parts[0], ".".join(parts[1:]) if len(parts) > 1 else parts[0]


def _parameter_problem(error: Any) -> ParameterProblem:
    """One pydantic/FastAPI validation error as the parameter it names and what is wrong."""
    if error.get("type") == "json_invalid":  # its "name" is the character offset of the fault
        why = str((error.get("ctx") or {}).get("error", "JSON decode error"))
        why = why.removesuffix(" at")  # some decoder messages end "... at" (their position)
        return ParameterProblem(
            location="body",
            parameter="body",
            problem=f"is not valid JSON: {why} at character {error['loc'][-1]}",
        )
    location, name = _location_and_name(error.get("loc", ()))
    problem = str(error.get("msg", "is not valid")).removeprefix(_VALUE_ERROR_PREFIX)
    if error.get("type") == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern")
        problem = _PATTERN_WORDS.get(str(pattern), problem)
    elif error.get("type") in _BOUND_WORDS:
        problem = _bound_problem(error, problem)
    return ParameterProblem(location=location, parameter=name, problem=problem)


_BOUND_WORDS = {
    "less_than_equal": ("le", "less than or equal to"),
    "less_than": ("lt", "less than"),
    "greater_than_equal": ("ge", "greater than or equal to"),
    "greater_than": ("gt", "greater than"),
}
"""pydantic's bound errors: the bound's key in ``ctx`` and the words before it."""


def _bound_problem(error: Any, problem: str) -> str:
    """A bound with its thousands separated ("less than or equal to 2,147,483,647"): written
    as one run of digits, a bound of 8 or more would be redacted as a phone or other number
    (``[PHONE]``), and the message would not say what the limit is."""
    key, words = _BOUND_WORDS[error["type"]]
    bound = (error.get("ctx") or {}).get(key)
    if isinstance(bound, bool) or not isinstance(bound, int):
        return problem
    return f"Input should be {words} {bound:,}"


_PATTERN_WORDS = {NOT_BLANK: "is empty or only spaces", **PATTERN_WORDS}
"""What a value that does not match a pattern is, in words: pydantic's message quotes the
regular expression."""


_VALUE_ERROR_PREFIX = "Value error, "
"""What pydantic puts before a validator's own ``ValueError`` message."""


def invalid_request(request: Request, problems: list[ParameterProblem]) -> ProblemResponse:
    """A 400 whose ``detail`` and ``errors`` name each parameter at fault."""
    detail = "; ".join(_said(p.location, p.parameter, p.problem) for p in problems)
    return problem_response(
        request,
        400,
        detail or "the request is not valid",
        slug="invalid-request",
        title="Invalid request",
        errors=[p.model_dump() for p in problems],
    )


_NOT_AN_OBJECT = frozenset({"model_attributes_type", "dict_type", "model_type"})


def is_json(content_type: str | None) -> bool:
    """Whether FastAPI reads a body of ``content_type`` as JSON (no type at all: it does not,
    its content type checking being strict)."""
    if not content_type:
        return False
    main = content_type.split(";", 1)[0].strip().lower()
    return main == "application/json" or (
        main.startswith("application/") and main.endswith("+json")
    )


def _body_problem(request: Request, error: Any) -> ParameterProblem | None:
    """What is wrong with a body that is not a JSON object at all: sent as another media type
    (FastAPI then hands the model the raw text), or JSON that is not an object."""
    if tuple(error.get("loc", ())) != ("body",) or error.get("type") not in _NOT_AN_OBJECT:
        return None
    content_type = request.headers.get("content-type")
    if not is_json(content_type):
        media = content_type.split(";", 1)[0].strip() if content_type else ""
        problem = "a JSON body is expected (Content-Type: application/json), not " + (
            media or "a body with no Content-Type"
        )
    else:
        problem = f"a JSON object is expected, not {_json_kind(error.get('input'))}"
    return ParameterProblem(location="body", parameter="body", problem=problem)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else "this value"


def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        _body_problem(request, error) or _parameter_problem(error) for error in exc.errors()
    ]
    return invalid_request(request, problems)


def _unreadable_body(exc: StarletteHTTPException) -> ParameterProblem:
    """What FastAPI's bare "error parsing the body" 400 was about (its cause)."""
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        problem = f"is not valid UTF-8 (byte {cause.start})"
    elif isinstance(cause, RecursionError):
        problem = "is nested too deeply (arrays or objects inside one another) to be read"
    elif isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        problem = f"holds a number with more than {sys.get_int_max_str_digits()} digits"
    else:
        problem = "could not be read as the declared content type"
    return ParameterProblem(location="body", parameter="body", problem=problem)


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path accepts (one path may have several routes, and
    routers may be nested, so each method is matched the way the router would)."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def _http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # only FastAPI's body parsing raises a bare 400
        return invalid_request(request, [_unreadable_body(exc)])
    detail = exc.detail if isinstance(exc.detail, str) else http.HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route matches {echoed_path(request)}"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
        if detail == "Method Not Allowed":
            allowed = headers["Allow"]
            detail = (
                f"{request.method} is not allowed on {echoed_path(request)} (allowed: {allowed})"
            )
    return problem_response(request, exc.status_code, detail, headers=headers)


def unexpected_error(request: Request, exc: Exception) -> ProblemResponse:
    """A 500 problem for an error no handler expected; logged with its traceback. It is sent by
    Starlette's outermost middleware, outside the security headers' one: they are added here."""
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    response = problem_response(
        request,
        500,
        "an unexpected error occurred; it has been logged",
        slug="internal-error",
        title="Internal error",
    )
    response.raw_headers += list(security_headers(request.url.path))
    return response


def _store_error(request: Request, exc: Exception) -> ProblemResponse:
    """A transient store error (another replica's conflicting write, a dropped connection, a
    restarting server) is a 503 the client may retry; any other is unexpected."""
    if not is_transient(exc):
        return unexpected_error(request, exc)
    logger.warning("transient store error on %s %s: %s", request.method, request.url.path,
                   type(getattr(exc, "orig", exc)).__name__)  # fmt: skip
    return problem_response(
        request, 503, "the store is busy or was briefly unreachable: send the request again",
        slug="store-busy", title="Store busy", headers={"Retry-After": "1"},
    )  # fmt: skip


def _authorised_first(
    authorise: Callable[[Request], None] | None,
) -> Callable[[Request, Exception], ProblemResponse]:
    """The validation handler, once ``authorise`` has let the caller through: a caller who
    may not call the route gets its 401 or 403, never the 400 of what it sent."""

    def handle(request: Request, exc: Exception) -> ProblemResponse:
        if authorise is not None:
            try:
                authorise(request)
            except KnowledgeServiceError as error:
                return _domain_error(request, error)
            except DBAPIError as error:  # the key lookup's store failed: as any route's would
                return _store_error(request, error)
        return _validation_error(request, exc)

    return handle


def install_error_handlers(
    app: FastAPI, *, authorise: Callable[[Request], None] | None = None
) -> None:
    """Register the problem+json handlers on ``app``; ``authorise`` (the route's key and role
    checks) runs before a request is refused for its parameters or body."""
    app.add_exception_handler(KnowledgeServiceError, _domain_error)
    app.add_exception_handler(DBAPIError, _store_error)
    app.add_exception_handler(RequestValidationError, _authorised_first(authorise))
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, unexpected_error)


_DESCRIPTIONS = {
    400: "A parameter is missing, malformed or out of range; `errors` names each one.",
    401: "No API key, or an unknown, revoked or expired key.",
    403: "The key's role (or ownership) does not allow this.",
    404: "The resource does not exist.",
    409: "The change conflicts with the current state (an illegal transition names `state` "
    "and `allowed_actions`).",
    412: "The `If-Match` ETag is not the current version's; `current_version` and "
    "`current_etag` say which is.",
    413: "The request body is larger than 64 KiB.",
    415: "The body was sent compressed (a `Content-Encoding` other than `identity`): send it "
    "uncompressed.",
    422: "The content breaks the content contract.",
    428: "The write sent no `If-Match` with the ETag of the version it changes.",
    429: "Too many failed sign-in attempts from the caller's address: wait `Retry-After` seconds.",
    503: "The search index does not yet reflect the store, the store is briefly busy or "
    "unreachable, or the live feed has its most streams (`Retry-After`).",
}


def _example_slug(status: int) -> str:
    """The problem type an OpenAPI example of ``status`` shows: one the server sends."""
    return {409: "conflict", 422: "invalid-content", 503: "index-not-ready"}.get(
        status, _HTTP_SLUGS.get(status, "internal-error")
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the given problem statuses (a route that
    takes a key, one with 401, can also refuse an address with too many failed keys: 429)."""
    if 401 in statuses and 429 not in statuses:
        statuses = (*statuses, 429)
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS.get(status, http.HTTPStatus(status).phrase),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "example": {
                        "type": PROBLEM_TYPE_PREFIX + _example_slug(status),
                        "title": title_of(_example_slug(status), status),
                        "status": status,
                        "detail": _DESCRIPTIONS.get(status, ""),
                    }
                }
            },
        }
        for status in statuses
    }
