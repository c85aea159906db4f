"""The API documentation pages (/docs: Swagger UI, /redoc: ReDoc) in Chromium, under the
Content-Security-Policy the app sends them with: they render with no script but the server's
files, and a key typed into Swagger UI's Authorize dialog is never kept by the browser.

The browser asks the app in process (every request is answered by a TestClient), so no server
or port is needed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy.engine import Engine

from knowledge_service.app import create_app
from knowledge_service.settings import Settings
from tests.api.conftest import FakeSearchService

BASE = "http://docs.test"
VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
"""Run before any of the page's scripts (Playwright adds it outside the page's policy): the
policy violations the page meets, as the browser reports them."""


@pytest.fixture
def docs_app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine=engine, search_service=FakeSearchService())  # type: ignore[arg-type]


@pytest.fixture
def page(chromium: Browser, docs_app: FastAPI) -> Iterator[Page]:
    with TestClient(docs_app) as client:

        def answer(route: Route) -> None:
            request = route.request
            response = client.request(
                request.method, request.url.removeprefix(BASE), headers=request.headers,
                content=request.post_data_buffer,
            )  # fmt: skip
            route.fulfill(status=response.status_code, headers=dict(response.headers),
                          body=response.content)  # fmt: skip

        context = chromium.new_context(base_url=BASE)
        context.route(f"{BASE}/**", answer)
        context.add_init_script(VIOLATIONS)
        try:
            yield context.new_page()
        finally:
            context.close()


@pytest.mark.sqlite_only("the pages' scripts: no store is involved")
@pytest.mark.parametrize(
    ("path", "heading"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")]
)
def test_the_api_documentation_renders_under_a_policy_with_no_inline_script(
    page: Page, path: str, heading: str
) -> None:
    """Neither page runs an inline script (Swagger UI starts from /ui/static/api-docs.js), yet
    their policy allowed any: a script injected into either page would have run."""
    page.goto(path)
    expect(page.locator(heading).first).to_contain_text("knowledge-service")
    policy = page.evaluate(
        "async () => (await fetch(location.href)).headers.get('content-security-policy')"
    )
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["script-src"] == ["'self'"], policy
    assert page.evaluate("window.__violations") == []


@pytest.mark.sqlite_only("the pages' scripts: no store is involved")
def test_a_key_typed_into_the_api_documentation_is_not_kept_by_the_browser(page: Page) -> None:
    """Swagger UI kept the key typed into Authorize in the browser's local storage, in clear,
    for every later visit to /docs from that browser profile: past signing out of the pages,
    past closing the browser, for the next person at a shared desk. It now lives only as long
    as the page."""
    key = "ks_abcdefabcdef_" + "s" * 43
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("knowledge-service")
    page.locator(".btn.authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.locator("#auth-bearer-value").fill(key)
    dialog.get_by_role("button", name="Authorize").click()
    expect(dialog.get_by_role("heading", name="Authorized")).to_be_visible()
    stored = page.evaluate(
        "() => [localStorage, sessionStorage].flatMap("
        "s => Object.keys(s).map(k => `${k}=${s.getItem(k)}`))"
    )
    assert not [item for item in stored if "abcdefabcdef" in item], stored
    page.reload()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("knowledge-service")
    page.locator(".btn.authorize").first.click()
    expect(page.locator(".modal-ux #auth-bearer-value")).to_have_value("")  # not authorised
    old = '{"bearerAuth": {"name": "bearerAuth", "value": "' + key + '"}}'
    page.evaluate("(old) => localStorage.setItem('authorized', old)", old)
    page.reload()  # what an earlier /docs kept is forgotten
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("knowledge-service")
    assert page.evaluate("() => localStorage.getItem('authorized')") is None
