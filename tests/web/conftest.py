"""Browser-test fixtures: real servers (real model) and Debian's Chromium via Playwright.

Tests that only read share one server; a test that edits or publishes gets its own
(``own_browsing``), so the tests pass in any order.

Chromium comes from Debian (``scripts/ensure_chromium.sh``, run by ``make test``); Playwright
never downloads a browser. A missing Chromium fails these tests: they never skip. Every
request the browser makes is recorded, so a test can prove nothing loaded from elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from knowledge_service.index.embedder import Embedder, create_embedder
from knowledge_service.settings import Settings, default_model_path
from tests.conftest import REPO_ROOT
from tests.server import serving
from tests.web.server import Served, prepare_store

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = os.environ.get("KS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
# How long an assertion waits for the page: a bound against a stall, not a speed check. The
# default 5 s was too short on a loaded 2-core CI machine for Redoc's first render (the heading
# was there just after the wait had ended).
expect.set_options(timeout=30_000)
UPDATE_SCREENSHOTS = os.environ.get("KS_UPDATE_SCREENSHOTS") == "1"


@dataclass
class Browsing:
    """The browser, the server and every URL the browser asked for."""

    browser: Browser
    served: Served
    requested: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def web_embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 (the agent flow is tested against the real model)."""
    return create_embedder(Settings(), threads=2)


@contextmanager
def _new_server(root: Path, embedder: Embedder) -> Iterator[Served]:
    settings, keys = prepare_store(root, embedder)
    env = {
        "KS_DATABASE_URL": settings.database_url,
        "KS_DATA_DIR": str(settings.data_dir),
        "KS_EMBEDDING_MODEL": default_model_path(),  # the real model, whatever the caller set
    }
    with serving(root, env) as server:
        yield Served(server.base, keys, settings.database_url, server)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory, web_embedder: Embedder) -> Iterator[Served]:
    """The server the tests that only read (or only add feedback and acknowledgements) share."""
    with _new_server(tmp_path_factory.mktemp("web"), web_embedder) as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Debian's chromium is missing at {CHROMIUM}: run scripts/ensure_chromium.sh "
            "(make test does) or apt-get install chromium",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def browsing(chromium: Browser, served: Served) -> Browsing:
    ARTIFACTS.mkdir(exist_ok=True)
    return Browsing(chromium, served)


@pytest.fixture
def own_browsing(
    chromium: Browser, tmp_path_factory: pytest.TempPathFactory, web_embedder: Embedder
) -> Iterator[Browsing]:
    """A server of the test's own, for a test that edits or publishes: what it changes never
    reaches another test, whatever order they run in."""
    ARTIFACTS.mkdir(exist_ok=True)
    with _new_server(tmp_path_factory.mktemp("web-own"), web_embedder) as server:
        yield Browsing(chromium, server)


def is_local(url: str, base: str) -> bool:
    """Whether the browser asked this server (or for an in-page data/blob URL)."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.netloc == urlsplit(base).netloc


def screenshot(page: Page, name: str, *, docs: bool = False) -> None:
    """Keep a screenshot as a test artefact; with KS_UPDATE_SCREENSHOTS=1 also for the README."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if docs and UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def new_context(browsing: Browsing, *, width: int = 1280, height: int = 900) -> BrowserContext:
    """A fresh browser profile (no cookies) that records every URL it asks for."""
    context = browsing.browser.new_context(
        base_url=browsing.served.base, viewport={"width": width, "height": height}
    )
    context.on("request", lambda request: browsing.requested.append(request.url))
    return context


def sign_in(context: BrowserContext, key: str, *, next_path: str = "/ui") -> Page:
    """A page signed in with ``key`` through the sign-in form, at ``next_path``."""
    page = context.new_page()
    page.goto(f"/ui/login?next={next_path}")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")
    return page
