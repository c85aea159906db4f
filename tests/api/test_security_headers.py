"""The security headers middleware: every HTTP response gets the four headers once, a header
the route set itself is kept, and the docs pages get their own policy."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from knowledge_service.http.security_headers import (
    DOCS_POLICY,
    PAGE_POLICY,
    SecurityHeadersMiddleware,
)


def _own_frame_policy(_request: object) -> PlainTextResponse:
    return PlainTextResponse("framed", headers={"X-Frame-Options": "SAMEORIGIN"})


def _plain(_request: object) -> PlainTextResponse:
    return PlainTextResponse("plain")


def _client() -> TestClient:
    app = Starlette(
        routes=[
            Route("/own", _own_frame_policy), Route("/plain", _plain), Route("/docs", _plain),
            Route("/v1/receipts/r", _plain),
        ]
    )  # fmt: skip
    app.add_middleware(SecurityHeadersMiddleware)
    return TestClient(app)


def test_every_response_gets_the_four_headers_once() -> None:
    response = _client().get("/plain")
    raw = response.headers.raw
    names = [name for name, _ in raw]
    for name in (b"content-security-policy", b"x-content-type-options", b"referrer-policy",
                 b"x-frame-options"):  # fmt: skip
        assert names.count(name) == 1
    assert response.headers["content-security-policy"] == PAGE_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.text == "plain"


def test_a_header_the_route_set_is_kept_and_the_docs_get_their_policy() -> None:
    client = _client()
    own = client.get("/own")
    assert own.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert own.headers["content-security-policy"] == PAGE_POLICY
    assert client.get("/docs").headers["content-security-policy"] == DOCS_POLICY
    missing = client.get("/nowhere")  # Starlette's own 404 gets them too
    assert missing.status_code == 404 and missing.headers["x-frame-options"] == "DENY"


def test_the_keyed_api_is_never_stored_by_a_cache() -> None:
    """Answers, receipts and the questions they hold: no proxy or browser cache may keep them
    (they had no Cache-Control at all); a page's cache rules are its own."""
    client = _client()
    assert client.get("/v1/receipts/r").headers["cache-control"] == "no-store"
    assert client.get("/v1/nowhere").headers["cache-control"] == "no-store"  # a 404 too
    assert "cache-control" not in client.get("/plain").headers
