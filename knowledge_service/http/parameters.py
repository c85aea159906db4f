"""What a route declares, read from FastAPI's own route information (its dependant tree): the
query parameters a keyed route accepts, and where a named parameter is sent.

:func:`check_query` refuses a query parameter the route does not declare, and a repeated one
that takes one value, with the 400 a POST body's unknown field gets (``location: query``):
ignored, a misspelt filter (``chanel=voice``) searched every channel, ``q=a&q=b`` searched
for the last value, and ``POST /v1/answer?chanel=voice`` answered on the body's channel while
the client believed it had set another. Every method is checked alike: a route that takes no
query parameter (every POST, PUT and PATCH today) refuses any.

:func:`location_of` tells the error handler where a parameter named by a domain error was sent
(``query``, ``path``, ``header``, ``body``), so one field is located alike whether a
parameter's own validation or the service refused it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, get_args
from urllib.parse import unquote_to_bytes

from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import Request

NOT_BLANK = r"[^\s\x00-\x1f\x7f-\x9f]"
r"""A text with at least one character that is neither white space nor a control character
(the schema says so too). Control characters count as blank because Python's ``str.strip``
removes some that the schema's ``\s`` keeps (the separators U+001C to U+001F and U+0085): a
question of only those would be valid by the schema and then refused as empty."""

MAX_NAMED = 10
"""At most this many parameters are named in one problem (a request line may hold thousands)."""
MAX_NAME_CHARS = 100
"""A longer name is shortened in the problem (it is sent back, and may be long)."""


@dataclass(frozen=True)
class QueryShape:
    """The query parameters one route declares: every name, and those that take many values
    (a list: FastAPI reads every occurrence of those, the last one of any other)."""

    names: frozenset[str]
    many: frozenset[str]


def dependants(dependant: Dependant) -> Iterator[Dependant]:
    """The route's dependant and every sub-dependency's (``Depends`` classes such as the
    page's ``limit`` and ``offset`` declare query parameters too)."""
    stack = [dependant]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.dependencies)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model of a parameter declared as a whole model (``Annotated[Model, Query()]``)."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _query_fields(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    """(name as sent, annotation) of each query parameter, a query model's fields included."""
    for current in dependants(dependant):
        for field in current.query_params:
            model = _model_of(field.field_info.annotation)
            if model is None:
                yield field.alias, field.field_info.annotation
                continue
            for name, info in model.model_fields.items():
                yield info.alias or name, info.annotation


_SHAPES: dict[int, tuple[APIRoute, QueryShape]] = {}
"""Each route's shape, read once (routes are not hashable; the route is kept with its id)."""


def query_shape(route: APIRoute) -> QueryShape:
    """The query parameters ``route`` declares."""
    cached = _SHAPES.get(id(route))
    if cached is not None and cached[0] is route:
        return cached[1]
    fields = list(_query_fields(route.dependant))
    shape = QueryShape(
        names=frozenset(name for name, _ in fields),
        many=frozenset(name for name, kind in fields if field_annotation_is_sequence(kind)),
    )
    _SHAPES[id(route)] = (route, shape)
    return shape


def _shown(name: str) -> str:
    return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS] + "..."


def query_errors(shape: QueryShape, items: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Validation errors (as FastAPI's, located in the query) for each parameter of ``items``
    (the query string's pairs, in order) that ``shape`` does not declare or that is repeated
    while it takes one value; at most :data:`MAX_NAMED`, each name once."""
    counts: dict[str, int] = {}
    for name, _ in items:
        counts[name] = counts.get(name, 0) + 1
    takes = ", ".join(sorted(shape.names)) or "none"
    errors: list[dict[str, Any]] = []
    for name, count in counts.items():
        if name not in shape.names:
            problem = f"is not a parameter of this route (it takes {takes})"
            kind = "extra_forbidden"
        elif count > 1 and name not in shape.many:
            problem = f"is given {count} times; it takes one value"
            kind = "too_many_values"
        else:
            continue
        errors.append({"type": kind, "loc": ("query", _shown(name)), "msg": problem})
        if len(errors) == MAX_NAMED:
            break
    return errors


def _decoded(part: bytes) -> bytes:
    """A name or value of a query string as its bytes, percent-decoded ('+' a space)."""
    return unquote_to_bytes(part.replace(b"+", b" "))


def undecodable(query_string: bytes) -> list[dict[str, Any]]:
    """Validation errors (located in the query) for each parameter whose name or value,
    percent-decoded, is not UTF-8 (``q=%FF%FE``, ``%C0%AF``); at most :data:`MAX_NAMED`.
    Starlette reads such bytes as U+FFFD, so ``q=%FF`` was answered and logged as the question
    '\ufffd' and ``owner=%FF`` listed nobody's items: neither is what the client sent."""
    errors: list[dict[str, Any]] = []
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        raw_name = _decoded(name)
        for what, raw in (("name", raw_name), ("value", _decoded(value))):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                problem = (
                    f"its {what} is not valid UTF-8 (byte {error.start}, once percent-decoded)"
                )
                shown = _shown(raw_name.decode("utf-8", errors="replace"))
                errors.append({"type": "utf8", "loc": ("query", shown), "msg": problem})
                break
        if len(errors) == MAX_NAMED:
            break
    return errors


async def utf8_query(request: Request) -> None:
    """A dependency of the pages: RequestValidationError naming each query parameter whose name
    or value is not UTF-8, as :func:`check_query` does for the API. The pages ignore the
    parameters they do not read, but read theirs from the same query string, where Starlette
    turns such bytes into U+FFFD: ``done=%FF`` or ``next=/ui/review%FF`` were taken as text
    nobody sent."""
    if errors := undecodable(request.scope.get("query_string", b"")):
        raise RequestValidationError(errors)


async def check_query(request: Request) -> None:
    """A dependency: RequestValidationError (a 400 naming each parameter, ``location: query``)
    when the query string, whatever the method, holds a parameter whose name or value is not
    UTF-8, or one the route does not declare, or repeats one that takes one value. Routes
    FastAPI did not build are left alone."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    if errors := undecodable(request.scope.get("query_string", b"")):
        raise RequestValidationError(errors)
    items = request.query_params.multi_items()
    if not items:
        return
    if errors := query_errors(query_shape(route), items):
        raise RequestValidationError(errors)


def location_of(request: Request, name: str) -> str:
    """Where the request's route declares parameter ``name``: ``query``, ``path``, ``header``,
    ``cookie`` or ``body`` (a body field: the body model's field, or a field of the body);
    ``request`` when the route does not declare it (or is no FastAPI route)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return "request"
    if name in query_shape(route).names:
        return "query"
    for current in dependants(route.dependant):
        for location, fields in (
            ("path", current.path_params),
            ("header", current.header_params),
            ("cookie", current.cookie_params),
        ):
            if any(field.alias == name for field in fields):
                return location
        for field in current.body_params:
            model = _model_of(field.field_info.annotation)
            if field.alias == name or (model is not None and _has_field(model, name)):
                return "body"
    return "request"


def _has_field(model: type[BaseModel], name: str) -> bool:
    return any(name in (field, info.alias) for field, info in model.model_fields.items())
