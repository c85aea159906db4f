"""Authorisation before validation, on every keyed route.

FastAPI reads and decodes a JSON body before it runs any dependency of the route, so a
malformed body is refused (400) before the route's role check; and a route-level dependency
(the undeclared-query check) runs before the route's own. A caller whose role may not call the
route would then learn of its parameters' and body's problems instead of being refused. The
validation error handler calls :func:`authorise_request` first: the caller of a keyed route is
authenticated (401) and the route's role checks (:class:`~knowledge_service.http.deps.
RoleCheck`) run (403) before any 400 is given. One place for every route: a new route guarded
by ``require`` or ``require_roles`` is covered without a word of its own.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.routing import APIRoute

from knowledge_service.access import service as access
from knowledge_service.http.deps import RoleCheck, authenticate_request, get_principal
from knowledge_service.http.parameters import dependants

_GUARDS: dict[int, tuple[APIRoute, bool, tuple[RoleCheck, ...]]] = {}
"""Each route's guards, read once (routes are not hashable; the route is kept with its id)."""


def guards_of(route: APIRoute) -> tuple[bool, tuple[RoleCheck, ...]]:
    """Whether ``route`` needs a key, and its role checks."""
    cached = _GUARDS.get(id(route))
    if cached is not None and cached[0] is route:
        return cached[1], cached[2]
    calls = [current.call for current in dependants(route.dependant)]
    checks = tuple(call for call in calls if isinstance(call, RoleCheck))
    keyed = bool(checks) or any(call is get_principal for call in calls)
    _GUARDS[id(route)] = (route, keyed, checks)
    return keyed, checks


def authorise_request(request: Request) -> None:
    """Raise what the route's own guards would (AuthenticationError, PermissionDeniedError)
    for ``request``'s caller; nothing for a route without a key (a probe, a page). May read
    the store: run it in a thread (Starlette runs a plain exception handler in one)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    keyed, checks = guards_of(route)
    if not keyed:
        return
    principal = authenticate_request(request)
    for check in checks:
        access.authorize_roles(principal, check.roles)
