"""ASGI middleware: security headers on every response, a strict Content-Security-Policy.

Pages load scripts, styles and images from this server only (``default-src 'self'``: no CDN,
no inline script). The API documentation pages (Swagger UI, ReDoc) inject styles and ReDoc
starts a worker from a ``blob:``, so they get a policy that allows inline styles and that
worker, but still no inline script (Swagger UI starts from ``/ui/static/api-docs.js``) and no
other origin: nothing on any page loads from outside the server.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
NO_STORE_PREFIXES = ("/v1/", "/metrics")
"""Keyed API responses: answers, receipts, questions asked and articles no shared cache (a
proxy's, a browser's disk) may keep (``Cache-Control: no-store``)."""


def policy_for(path: str) -> str:
    """The Content-Security-Policy of the response to ``path``."""
    return DOCS_POLICY if path in DOCS_PATHS else PAGE_POLICY


def _raw_headers(policy: str, *, no_store: bool) -> tuple[tuple[bytes, bytes], ...]:
    return tuple(
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in (
            ("Content-Security-Policy", policy),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
            *([("Cache-Control", "no-store")] if no_store else []),
        )
    )


_HEADERS = {
    (policy, no_store): _raw_headers(policy, no_store=no_store)
    for policy in (PAGE_POLICY, DOCS_POLICY)
    for no_store in (False, True)
}
"""The headers of each policy, encoded once (not on every response)."""


def security_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The headers the middleware adds to a response to ``path``, for a response sent outside
    it (an unexpected error's, which Starlette's outermost middleware sends)."""
    return _HEADERS[policy_for(path), path.startswith(NO_STORE_PREFIXES)]


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff, no-referrer and no-framing headers (and no-store on the keyed API)
    unless a route set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.setdefault("headers", [])
                if not isinstance(raw, list):
                    raw = message["headers"] = list(raw)
                present = {name for name, _ in raw}
                raw.extend(header for header in extra if header[0] not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)
