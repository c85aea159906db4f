"""ASGI middleware: a request body size limit (413 problem+json), a refusal of compressed bodies
(415 problem+json), a guard against text no store can hold in JSON bodies (400 problem+json),
and request metrics."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from knowledge_service.http.errors import invalid_request, is_json, problem_response
from knowledge_service.http.schemas import ParameterProblem


class _BodyTooLargeError(Exception):
    pass


class BodySizeLimitMiddleware:
    """Rejects requests whose body exceeds ``max_bytes`` with 413, declared or streamed.

    A ``Content-Length`` over the limit is refused before the app runs; a chunked body is
    counted as the app reads it and refused as soon as it passes the limit, with the same 413
    even when the app caught the interruption and answered for itself (FastAPI's body parsing
    turns it into a 400).
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = self._declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        too_large = started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # the app's answer to a body cut short (its own 400) is replaced below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLargeError:
            if started:
                raise
        if too_large and not started:
            await self._refuse(scope, receive, send)

    @staticmethod
    def _declared_length(scope: Scope) -> int | None:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return None
        return None

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            None,
            413,
            f"the request body is larger than {self.max_bytes} bytes",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_CODING_CHARS = 40
"""A longer content coding is shortened in the 415 (its name is sent back)."""


def content_codings(scope: Scope) -> list[str]:
    """The content codings a request declares for its body (``Content-Encoding``, every
    occurrence), as sent, without ``identity`` (no coding at all, in any case)."""
    codings = []
    for name, value in scope.get("headers", []):
        if name == b"content-encoding":
            for coding in value.decode("latin-1").split(","):
                coding = coding.strip()
                if coding and coding.lower() != "identity":
                    codings.append(coding)
    return codings


class ContentEncodingMiddleware:
    """Refuses a body sent with any ``Content-Encoding`` but ``identity`` with 415.

    No route inflates a compressed body: read as if it were plain, gzip bytes were parsed as
    JSON or a form (a body labelled gzip but sent plain was accepted). Every method that may
    carry a body is checked, on every route, before its body is read or counted; the 415 says
    ``Accept-Encoding: identity`` (RFC 9110, 15.5.16). A GET's header is left alone: no GET
    reads a body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        codings = content_codings(scope)
        if not codings:
            await self.app(scope, receive, send)
            return
        named = ", ".join(c[:MAX_CODING_CHARS] for c in codings[:3])
        response = problem_response(
            None,
            415,
            f"Content-Encoding {named} is not supported; send the body uncompressed",
            slug="unsupported-content-encoding",
            title="Unsupported content encoding",
            headers={"Accept-Encoding": "identity"},
            instance=scope.get("path"),
        )
        await response(scope, receive, send)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(part: object) -> str:
    """A JSON key or index as text that can itself be encoded (a key may hold a surrogate)."""
    return str(part).encode("utf-8", "backslashreplace").decode("utf-8")


def lone_surrogate(value: Any) -> tuple[list[str], str] | None:
    """The path to the first string (or key) of parsed JSON ``value`` holding a lone surrogate
    (``\\ud800`` with no partner: JSON can escape one, UTF-8 cannot encode it), and that
    surrogate as its escape; ``None`` when there is none. Walked without recursion, however
    deep the value."""
    stack: list[tuple[list[str], Any]] = [([], value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if found := _SURROGATE.search(item):
                return path, f"\\u{ord(found.group()):04x}"
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                if found := _SURROGATE.search(key):
                    return [*path, _printable(key)], f"\\u{ord(found.group()):04x}"
                stack.append(([*path, key], child))
        elif isinstance(item, list):
            stack.extend(([*path, str(i)], child) for i, child in reversed(list(enumerate(item))))
    return None


class JsonBodyCheckMiddleware:
    """Refuses, with a 400 naming the field, a JSON body that no route should read:

    - a string with a lone surrogate: JSON may escape one (``"\\ud800"``) and Python decodes
      it, but no UTF-8 text holds one, so such a string would fail wherever it is encoded (the
      store, a log, a response) as a 500;
    - a body in UTF-16 or UTF-32, which Python's JSON parser would read: JSON is UTF-8, as the
      API promises, and a body in another encoding is refused as one that is not UTF-8 is;
    - a field given twice (``{"q": "late fee", "q": "pizza"}``): a JSON parser keeps the last,
      a gateway in front may read the first, and the service would act on a value the caller's
      other reader never saw. As for a query parameter given twice, none is picked.

    One check here covers every JSON body and every string field, key or array element in it.
    The body (at most ``MAX_BODY_BYTES``: the size limit runs first) is read whole and handed on
    unchanged; a body that is not valid JSON is left to FastAPI's parsing, which says why.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _BODY_METHODS
            or not is_json(Headers(scope=scope).get("content-type"))
        ):
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        body = bytearray()
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if problem := _body_problem(bytes(body)):
            await invalid_request(Request(scope), [problem])(scope, receive, send)
            return

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)


class _RepeatedFieldError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``' object hook: the object, or _RepeatedFieldError naming a repeated key."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _RepeatedFieldError(key)
        out[key] = value
    return out


def _body_problem(body: bytes) -> ParameterProblem | None:
    """What is wrong with a JSON body for every route (see :class:`JsonBodyCheckMiddleware`);
    None when nothing is, or when it is no valid JSON (FastAPI's parsing says why)."""
    encoding = json.detect_encoding(body)
    if encoding not in ("utf-8", "utf-8-sig"):  # JSON's parser would read UTF-16 and UTF-32
        return ParameterProblem(
            location="body",
            parameter="body",
            problem=f"is not valid UTF-8 (it is {encoding.upper()}): send the JSON in UTF-8",
        )
    try:
        value = json.loads(body, object_pairs_hook=_without_repeats)
    except _RepeatedFieldError as repeated:
        return ParameterProblem(
            location="body",
            parameter=_printable(repeated.key)[:100],
            problem="is given more than once: each field takes one value, and none is picked",
        )
    except (ValueError, RecursionError):
        return None
    if b"\\u" not in body:  # a surrogate reaches JSON text only as an escape
        return None
    if found := lone_surrogate(value):
        path, surrogate = found
        return ParameterProblem(
            location="body",
            parameter=".".join(path) or "body",
            problem=f"holds a lone surrogate ({surrogate}), which is not a Unicode "
            "character: send the character it was meant to be, or a surrogate pair",
        )
    return None


class RequestMetricsMiddleware:
    """Times every HTTP request into the app's metrics, labelled by its route template
    (``/v1/articles/{article_id}``, never the concrete path, which may hold customer text)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            metrics = getattr(scope["app"].state, "metrics", None)
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            if metrics is not None:
                metrics.observe_request(
                    template, scope["method"], status, time.perf_counter() - started
                )
